"""Evidence matrices of one story: for every ordered pair (u, v), "v copied u".

Each kind of evidence is an ``n x n`` matrix of weighted contributions,
computed for the whole story at once with numpy (a 200-member story has 40,000
candidate edges, too many for a Python loop per edge); plain-word evidence is
written out only for the edges the tracer keeps (:func:`describe`).

Kinds, with their weights in :data:`provenance.weights.WEIGHTS`:

* ``date_order`` / ``proximity``, ``first_seen``, ``lag_*`` and
  ``seen_lag_*`` (:mod:`provenance.timing_evidence`): trusted publication dates
  say u came first, and soon before v (a copy usually follows its own parent
  within hours); the crawler saw u before v; how long after u v appeared. A
  date equal to another outlet's (copied metadata) or later than when the page
  was first seen is weak; a URL's day, or a time printed without a zone that
  the outlet's clock could not place, is a span, not an instant.
* ``declared_source``, ``canonical``, ``link``, ``outlet_link``: v names u's
  outlet as its source, has u as its canonical URL, links to u or to u's outlet.
* ``leaked_boilerplate``: v's page carries blocks that are u's outlet's own
  (its promo line, its source line): v was scraped from u's outlet.
* ``similarity`` / ``nearest_text``: text closeness; the member holding most of
  v's text is its nearer source.
* ``truncated``: v is cut short with a "read more" pointer and u is longer.
* ``shared_edits`` (second pass): wording u and v share that the origin lacks,
  in the manner of textual criticism: a copy of a copy inherits its parent's
  changes.
* ``from_origin`` (second pass): copies are most often taken from the origin.
* ``origin_seen_late`` (once the origin is settled, :func:`anchor_origin`):
  the crawler found the origin after a copy, so its first-seen timing is
  cleared and this marks its edges instead.
* ``partial_parent``: a quoting article is never the source of a full copy.
* ``credits_member`` (origin choice only): v names, links or has as canonical
  another member, which an origin does not do of its own copies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import sparse

from provenance.models import Member
from provenance.normalize import normalize_text
from provenance.outlet import OutletNameIndex
from provenance.timing_evidence import LAG_BANDS, TIE_S, story_timing
from provenance.weights import ORIGIN_WEIGHTS

__all__ = [
    "NAMING_KINDS",
    "StoryEvidence",
    "add_second_pass",
    "anchor_origin",
    "collect_evidence",
    "seen_late",
]

#: Shortfall (share of the copy's shingles) at which a candidate is no longer "nearest".
_NEAR_GAP = 0.05
#: Fewest inherited shingles that count as shared edits (one changed word breaks
#: up to five shingles); full weight at four times as many.
_MIN_EDITS = 3
#: Evidence kinds by which a copy names or links a member (its attribution).
NAMING_KINDS = ("declared_source", "canonical", "link", "outlet_link")


@dataclass
class StoryEvidence:
    """The evidence matrices of a story and what is needed to describe them.

    Attributes:
        members: The story's members, in matrix order.
        features: Raw pair features by kind (``n x n``; row u, column v).
        kinds: Weighted contributions by kind: features times the weights of
            the last :meth:`weigh`.
        published: Best publication time of each member (POSIX s, NaN if none).
        trust: Trust of that time after the story-level adjustments.
        sources: Where each publication time came from.
        seen: First-seen time of each member (POSIX s, NaN if unknown).
        shared: Shared shingle counts.
        similarity: Text similarity (mean of Jaccard and larger containment).
        edits: Shared-edit counts (after the second pass).
        lag_hours: How long after u v appeared (hours), by trusted dates where
            both have one more precise than a URL's day, else by first-seen
            times; what the ``lag_`` bands measure.
        lag_dated: Where :attr:`lag_hours` comes from the dates (else from
            first-seen times).
        seen_order: +1 where the crawler saw u before v, -1 after: the
            ``first_seen`` feature before any candidate origin's row is cleared.
        incidence: Member x shingle incidence matrix.
        declared_targets: For each declared source name, the member outlets'
            domains it names (empty: an outlet outside the story).
    """

    members: Sequence[Member]
    features: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    kinds: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    published: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    trust: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    sources: list[str] = field(default_factory=list)
    seen: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty(0))
    shared: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty((0, 0)))
    similarity: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty((0, 0)))
    edits: npt.NDArray[np.float64] | None = None
    lag_hours: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty((0, 0)))
    lag_dated: npt.NDArray[np.bool_] = field(default_factory=lambda: np.empty((0, 0), bool))
    seen_order: npt.NDArray[np.float64] = field(default_factory=lambda: np.empty((0, 0)))
    incidence: sparse.csr_matrix | None = None
    declared_targets: dict[str, list[str]] = field(default_factory=dict)

    def weigh(self, weights: Mapping[str, float]) -> None:
        """Turn the raw features into weighted contributions (:attr:`kinds`)."""
        self.kinds = {k: weights[k] * f for k, f in self.features.items() if weights.get(k)}

    def scores(self) -> npt.NDArray[np.float64]:
        """Total weighted score of every edge u -> v; the diagonal is impossible."""
        n = len(self.members)
        total = np.zeros((n, n))
        for matrix in self.kinds.values():
            total += matrix
        np.fill_diagonal(total, -np.inf)
        return total


def collect_evidence(members: Sequence[Member]) -> StoryEvidence:
    """First-pass evidence of every candidate edge of a story."""
    ev = StoryEvidence(members=members)
    _timing(ev)
    _text(ev)
    _attribution(ev)
    ev.weigh(ORIGIN_WEIGHTS)
    return ev


def add_second_pass(ev: StoryEvidence, root: int) -> None:
    """Evidence that needs a first guess at the origin.

    Shared edits and omissions, text the copy holds that a candidate lacks,
    naming an intermediate copy, the from-origin prior, and the first-seen
    order as it stands if ``root`` is the origin (its own row cleared when the
    crawler found it after a copy).
    """
    n = len(ev.members)
    prior = np.zeros((n, n))
    prior[root, :] = 1.0
    ev.features["from_origin"] = prior
    # Were root the origin, a first-seen time after a copy's would say when the
    # crawler got there, nothing of order (as in anchor_origin): every
    # candidate is weighed so, or an origin found late would lose to its copies.
    order = ev.seen_order.copy()
    if seen_late(ev, root):
        order[root] = 0.0
    ev.features["first_seen"] = order
    assert ev.incidence is not None
    in_root = ev.incidence[root].toarray().ravel() > 0
    common_with_root = _cooccurrence(ev.incidence[:, in_root])
    edits = ev.shared - common_with_root
    edits[root, :] = 0
    edits[:, root] = 0
    partial = np.array([m.partial for m in ev.members])
    edits[partial, :] = 0
    np.fill_diagonal(edits, 0)
    ev.edits = edits
    strength = np.where(edits >= _MIN_EDITS, np.minimum(1.0, edits / (4 * _MIN_EDITS)), 0.0)
    ev.features["shared_edits"] = strength
    # Origin text: what each member keeps of it, and what pairs keep in common.
    kept = np.diag(common_with_root).copy()
    root_size = max(float(kept[root]), 1.0)
    missing = root_size - kept  # origin shingles each member leaves out
    # Both leave out: |R| - |u∩R| - |v∩R| + |u∩v∩R|.
    omitted = root_size - kept[:, None] - kept[None, :] + common_with_root
    omissions = np.where(missing[None, :] > 0, omitted / np.maximum(missing[None, :], 1.0), 0.0)
    omissions[root, :] = 0
    np.fill_diagonal(omissions, 0)
    ev.features["shared_omissions"] = np.clip(omissions, 0.0, 1.0)
    # A copy cannot hold origin text its parent lacks (the origin itself lacks none).
    lacking = kept[None, :] - common_with_root
    ev.features["surplus"] = np.where(
        kept[None, :] > 0, lacking / np.maximum(kept[None, :], 1.0), 0.0
    )
    np.fill_diagonal(ev.features["surplus"], 0)
    named = np.zeros((n, n), dtype=bool)
    for kind in NAMING_KINDS:
        named |= ev.features[kind] > 0
    named[root, :] = False
    ev.features["names_intermediate"] = named.astype(np.float64)
    # A rewritten headline is an edit like any other: copies of the copy inherit it.
    same = ev.features["same_title"] > 0
    edited = same & ~same[root][None, :] & ~same[root][:, None]
    edited[root, :] = False
    edited[:, root] = False
    ev.features["shared_title_edit"] = edited.astype(np.float64)


def anchor_origin(ev: StoryEvidence, root: int) -> None:
    """Drop the origin's first-seen timing if the crawler found it after a copy.

    The origin came before all its copies, so a first-seen time later than
    any copy's says when the crawler got there, not when the origin appeared:
    its order and lags to every copy mean nothing. They are cleared for the
    origin's row (lags by trusted dates stay), and ``origin_seen_late`` marks
    the row, so the fitted weights can say how often such an origin is still
    the parent. Called once the origin is settled; the origin's choice used
    the times as they were.
    """
    n = len(ev.members)
    late = np.zeros((n, n))
    if seen_late(ev, root):
        late[root] = 1.0
        late[root, root] = 0.0
        ev.features["first_seen"][root] = 0.0
        ev.features["seen_proximity"][root] = 0.0
        # Lags timed by first-seen times go too; only those by the dates stay.
        dated = ev.lag_dated[root]
        for name in (*(band for band, _ in LAG_BANDS), "more"):
            ev.features["seen_lag_" + name][root] = 0.0
            ev.features["lag_" + name][root] *= dated
    ev.features["origin_seen_late"] = late


def seen_late(ev: StoryEvidence, member: int) -> bool:
    """Whether the crawler first saw ``member`` over a minute after another member."""
    others = np.delete(ev.seen, member)
    return bool(others.size and np.nanmin(others, initial=np.inf) < ev.seen[member] - TIE_S)


def _timing(ev: StoryEvidence) -> None:
    timing = story_timing(ev.members)
    ev.published, ev.trust, ev.seen = timing.published, timing.trust, timing.seen
    ev.sources, ev.seen_order = timing.sources, timing.seen_order
    ev.lag_hours, ev.lag_dated = timing.lag_hours, timing.lag_dated
    ev.features.update(timing.features)


def _cooccurrence(incidence: sparse.csr_matrix) -> npt.NDArray[np.float64]:
    """Shingles shared by every pair of members: ``incidence @ incidence.T``, dense.

    Most of a story's shingles are held by most of its members, and a sparse
    product spends its time on exactly those columns; they go through a dense
    (BLAS) product instead, the rare ones through the sparse one. float32
    counts are exact below 2**24 shingles.
    """
    columns = incidence.tocsc()
    held = np.diff(columns.indptr)
    common = held > max(2, incidence.shape[0] // 20)
    dense = columns[:, common].toarray().astype(np.float32)
    rare = columns[:, ~common].tocsr()
    total: npt.NDArray[np.float64] = (dense @ dense.T).astype(np.float64)
    total += (rare @ rare.T).toarray()
    return total


def _incidence(members: Sequence[Member]) -> sparse.csr_matrix:
    sizes = [len(m.shingles) for m in members]
    values = np.concatenate([m.shingles for m in members]) if sum(sizes) else np.empty(0, np.uint32)
    _, columns = np.unique(values, return_inverse=True)
    rows = np.repeat(np.arange(len(members)), sizes)
    data = np.ones(len(values), dtype=np.float64)
    width = int(columns.max()) + 1 if len(columns) else 0
    return sparse.csr_matrix((data, (rows, columns)), shape=(len(members), width))


def _titles(ev: StoryEvidence) -> None:
    """Which members run the same headline (normalised), as text evidence of its own."""
    titles = np.array([normalize_text(m.title) if m.title else "" for m in ev.members], object)
    same = (titles[:, None] == titles[None, :]) & (titles[:, None] != "")
    np.fill_diagonal(same, False)
    ev.features["same_title"] = same.astype(np.float64)


def _text(ev: StoryEvidence) -> None:
    _titles(ev)
    members = ev.members
    n = len(members)
    ev.incidence = _incidence(members)
    shared = _cooccurrence(ev.incidence)
    sizes = np.array([len(m.shingles) for m in members], dtype=np.float64)
    np.fill_diagonal(shared, 0)
    union = sizes[:, None] + sizes[None, :] - shared
    smaller = np.minimum(sizes[:, None], sizes[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        jaccard = np.where(union > 0, shared / union, 0.0)
        containment = np.where(smaller > 0, shared / smaller, 0.0)
    ev.shared, ev.similarity = shared, 0.5 * jaccard + 0.5 * containment
    ev.features["similarity"] = ev.similarity
    with np.errstate(divide="ignore", invalid="ignore"):
        ev.features["held"] = np.where(sizes[None, :] > 0, shared / sizes[None, :], 0.0)
    best = shared.max(axis=0) if n else np.empty(0)
    shortfall = (best[None, :] - shared) / (_NEAR_GAP * np.maximum(sizes[None, :], 1.0))
    near = np.where(shared > 0, np.clip(1.0 - shortfall, 0.0, 1.0), 0.0)
    ev.features["nearest_text"] = near
    read_more = np.array([m.read_more for m in members])
    longer = sizes[:, None] > sizes[None, :]
    ev.features["truncated"] = (read_more[None, :] & ~read_more[:, None] & longer).astype(
        np.float64
    )
    partial = np.array([m.partial for m in members])
    ev.features["partial_parent"] = (partial[:, None] & ~partial[None, :]).astype(np.float64)


def _attribution(ev: StoryEvidence) -> None:
    members = ev.members
    n = len(members)
    by_domain: dict[str, list[int]] = {}
    for i, m in enumerate(members):
        by_domain.setdefault(m.outlet_domain, []).append(i)
    index = OutletNameIndex({(m.outlet, m.outlet_domain) for m in members})
    # declared name -> domains of the members' outlets it names
    matches = {name: index.domains(name) for m in members for name in m.declared_sources}
    ev.declared_targets = matches
    by_url = {m.url: i for i, m in enumerate(members)}
    found = {
        kind: np.zeros((n, n))
        for kind in ("declared_source", "canonical", "link", "outlet_link", "leaked_boilerplate")
    }
    for v, child in enumerate(members):
        for name in child.declared_sources:
            for domain in matches[name]:
                found["declared_source"][by_domain[domain], v] = 1.0
        linked = {d for url in child.links for d in _suffixes(url)} & by_domain.keys()
        for domain in linked - {child.outlet_domain}:
            found["outlet_link"][by_domain[domain], v] = 1.0
        for domain in (child.leaked_outlets & by_domain.keys()) - {child.outlet_domain}:
            found["leaked_boilerplate"][by_domain[domain], v] = 1.0
        if child.canonical_url in by_url and by_url[child.canonical_url] != v:
            found["canonical"][by_url[child.canonical_url], v] = 1.0
        for url in child.links:
            if url in by_url and by_url[url] != v:
                found["link"][by_url[url], v] = 1.0
    found["outlet_link"][found["link"] > 0] = 0.0  # a link to the page itself says more
    for kind, matrix in found.items():
        np.fill_diagonal(matrix, 0.0)
        ev.features[kind] = matrix
    # An origin does not name a copy of itself as its source. Every edge into a
    # member that names, links or has as canonical another member carries this,
    # so it counts against that member only as a root (the one tree it has no
    # parent in); among its candidate parents it is the same for all.
    named = found["declared_source"] + found["canonical"] + found["link"]
    credits_member = np.repeat((named.max(axis=0, initial=0.0) > 0)[None, :], n, axis=0)
    credits_member = credits_member.astype(np.float64)
    np.fill_diagonal(credits_member, 0.0)
    ev.features["credits_member"] = credits_member


def _suffixes(url: str) -> list[str]:
    """The host of ``url`` and each of its parent domains (a.b.c -> a.b.c, b.c, c)."""
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0].lower()
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]
