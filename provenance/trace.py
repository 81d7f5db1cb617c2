"""Who copied whom inside one story: the origin, each copy's parent, and why.

Every ordered pair of members (u, v) is scored for "v was copied from u" by
:mod:`provenance.evidence`. The tree is the maximum spanning arborescence of
those scores over the whole story (Chu–Liu/Edmonds, :mod:`provenance.arborescence`),
not a greedy choice per article; its root is the origin. A second pass adds
the evidence that needs a first guess at the origin (shared edits and
omissions, the from-origin prior) and solves again. The origin comes from
hand-set weights (:data:`~provenance.evidence.ORIGIN_WEIGHTS`); with the origin
fixed, the copies' parents come from a tree over weights fitted to ground
truth (:data:`~provenance.evidence.WEIGHTS`).

Confidences are calibrated on generated networks with ground truth (see
:data:`CALIBRATION`): the origin's from the margin between the best tree and
the best tree under another root, an edge's from a softmax of its parent's
score against every other candidate parent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from provenance.arborescence import best_arborescence
from provenance.evidence import (
    LAG_BANDS,
    NAMING_KINDS,
    ORIGIN_WEIGHTS,
    WEIGHTS,
    StoryEvidence,
    add_second_pass,
    anchor_origin,
    collect_evidence,
)
from provenance.models import Evidence, Member, Relation, StoryTrace, TracedEdge

__all__ = ["CALIBRATION", "WEIGHTS", "OriginChoice", "choose_origin", "trace_story"]

#: Platt scaling of the confidences, fitted by ``python benchmarks/calibrate.py``
#: on generated networks (seeds 201-206) and checked on other seeds by
#: ``benchmarks/evaluate.py``: origin = sigmoid(a * margin + b), with the
#: margin capped at ``_MAX_MARGIN``; an edge's raw confidence is a softmax of
#: its parent's score against every candidate parent, then
#: sigmoid(a * logit(raw) + b). Fitted by ``benchmarks/calibrate.py`` on seeds
#: 201-206, which keeps Platt scaling only where it lowers the calibration
#: error there: for origins it does, barely (0.012 raw, 0.010 scaled); for
#: edges it does not (0.020 raw, 0.035 scaled: over the fitted weights the
#: edge softmax is already a probability), so edges stay the identity.
CALIBRATION: dict[str, float] = {
    "origin_a": 1.061,
    "origin_b": -0.19,
    "edge_a": 1.0,
    "edge_b": 0.0,
}
#: Margins beyond this are all "certain"; also the value of an unrivalled origin.
_MAX_MARGIN = 12.0
#: Alternative roots tried when measuring the origin's margin.
_ALTERNATIVES = 3


def trace_story(members: Sequence[Member]) -> StoryTrace:
    """Pick the origin and each copy's parent, with evidence and confidence.

    Args:
        members: The story's articles (at least one).

    Returns:
        The story's trace.

    Raises:
        ValueError: If ``members`` is empty.
    """
    if not members:
        raise ValueError("a story has at least one member")
    if len(members) == 1:
        only = members[0]
        claim = next((d for d in only.dates if d.trust > 0), None)
        return StoryTrace(
            origin_id=only.id,
            confidence=1.0,
            origin_evidence=(Evidence("only_member", "the only known copy", 0.0),),
            first_published_at=claim.value if claim else None,
        )
    chosen = choose_origin(members)
    ev, root = chosen.evidence, chosen.root
    margin = _margin(chosen.scores, chosen.parents, root)
    # The origin is settled; each copy's parent comes from the fitted weights.
    ev.weigh(WEIGHTS)
    scores = ev.scores()
    parents = best_arborescence(scores, root=root)
    capped = min(margin, _MAX_MARGIN)
    confidence = _sigmoid(CALIBRATION["origin_a"] * capped + CALIBRATION["origin_b"])
    children: dict[int, list[int]] = {}
    for c, p in parents.items():
        children.setdefault(p, []).append(c)
    edges = tuple(_edge(ev, scores, parents, children, child) for child in sorted(parents))
    return StoryTrace(
        origin_id=members[root].id,
        confidence=confidence,
        origin_evidence=tuple(_origin_evidence(ev, parents, root, margin)),
        edges=edges,
        first_published_at=_first_published(ev, root),
    )


@dataclass(frozen=True, slots=True)
class OriginChoice:
    """The origin of a story of two or more members, and how it was chosen.

    Attributes:
        evidence: Both passes of the evidence, the second on ``root``.
        scores: Edge scores under :data:`~provenance.evidence.ORIGIN_WEIGHTS`.
        parents: The best tree over those scores.
        root: Index of the origin in the members.
    """

    evidence: StoryEvidence
    scores: npt.NDArray[np.float64]
    parents: dict[int, int]
    root: int


def choose_origin(members: Sequence[Member]) -> OriginChoice:
    """Pick the origin with the hand-set weights: first pass, second pass, tree."""
    ev = collect_evidence(members)
    first_guess = _root(best_arborescence(ev.scores()), len(members))
    add_second_pass(ev, first_guess)
    ev.weigh(ORIGIN_WEIGHTS)
    scores = ev.scores()
    parents = best_arborescence(scores)
    root = _root(parents, len(members))
    if root != first_guess:
        add_second_pass(ev, root)  # the parents' evidence needs the settled origin
    anchor_origin(ev, root)
    return OriginChoice(ev, scores, parents, root)


def _root(parents: dict[int, int], n: int) -> int:
    return next(i for i in range(n) if i not in parents)


def _total(scores: npt.NDArray[np.float64], parents: dict[int, int]) -> float:
    return float(sum(scores[p, c] for c, p in parents.items()))


def _margin(scores: npt.NDArray[np.float64], parents: dict[int, int], root: int) -> float:
    """How much better the best tree is than the best tree under another root."""
    best = _total(scores, parents)
    # The likeliest rivals are the members that lose least by having no parent.
    cost = np.where(np.isfinite(scores), scores, -np.inf).max(axis=0)
    rivals = [int(i) for i in np.argsort(cost) if i != root][:_ALTERNATIVES]
    second = -math.inf
    for rival in rivals:
        tree = best_arborescence(scores, root=rival)
        if tree:
            second = max(second, _total(scores, tree))
    return best - second if second > -math.inf else math.inf


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return max(-_MAX_MARGIN, min(_MAX_MARGIN, math.log(p / (1 - p))))


def _first_published(ev: StoryEvidence, root: int) -> datetime | None:
    times = ev.published
    if ev.trust[root] > 0 and not np.isnan(times[root]):
        return datetime.fromtimestamp(float(times[root]), tz=UTC)
    dated = times[(ev.trust > 0) & ~np.isnan(times)]
    return datetime.fromtimestamp(float(dated.min()), tz=UTC) if dated.size else None


def _edge(
    ev: StoryEvidence,
    scores: npt.NDArray[np.float64],
    parents: dict[int, int],
    children: dict[int, list[int]],
    child: int,
) -> TracedEdge:
    parent = parents[child]
    column = scores[:, child].copy()
    # A member's own copies cannot be its source: they leave the comparison.
    column[list(_descendants(children, child))] = -np.inf
    finite = column[np.isfinite(column)]
    top = finite.max()
    raw = float(np.exp(column[parent] - top) / np.exp(finite - top).sum())
    confidence = _sigmoid(CALIBRATION["edge_a"] * _logit(raw) + CALIBRATION["edge_b"])
    member = ev.members[child]
    return TracedEdge(
        child_id=member.id,
        parent_id=ev.members[parent].id,
        relation=Relation.PARTIAL if member.partial else Relation.COPY,
        similarity=float(ev.similarity[parent, child]),
        confidence=confidence,
        evidence=tuple(describe(ev, parent, child)),
        credit=_credit(ev, parents, child),
    )


def _descendants(children: dict[int, list[int]], node: int) -> set[int]:
    found: set[int] = set()
    stack = list(children.get(node, []))
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found


def _ancestors(parents: dict[int, int], node: int) -> set[int]:
    found: set[int] = set()
    while node in parents and parents[node] not in found:
        node = parents[node]
        found.add(node)
    return found


def _credit(ev: StoryEvidence, parents: dict[int, int], child: int) -> str:
    """Credited, uncredited or miscredited, judged against the traced tree.

    Credited: it names or links its parent or another ancestor. Miscredited:
    it names or links something else. Uncredited: nothing, or only the outside
    source (a wire agency, say) that the origin itself names: that credit came
    along with the copied text, and says nothing of whom it was copied from.
    """
    named = {int(u) for kind in NAMING_KINDS for u in np.flatnonzero(ev.features[kind][:, child])}
    member = ev.members[child]
    outside = {name for name in member.declared_sources if not ev.declared_targets.get(name)}
    if not named and not outside:
        return "uncredited"
    if named & _ancestors(parents, child):
        return "credited"
    origin_names = set(ev.members[_root(parents, len(ev.members))].declared_sources)
    if not named and outside <= origin_names:
        return "uncredited"
    return "miscredited"


def describe(ev: StoryEvidence, u: int, v: int) -> list[Evidence]:
    """The evidence that v copied u, in plain words, strongest first."""
    source, copy = ev.members[u], ev.members[v]
    found = []
    for kind, matrix in ev.features.items():
        if matrix[u, v] == 0.0:
            continue
        weight = float(ev.kinds[kind][u, v]) if kind in ev.kinds else 0.0
        # Attribution is always shown, even where it does not sway the choice
        # of parent (a canonical link names the original, not the source).
        if weight != 0.0 or kind in NAMING_KINDS:
            found.append(Evidence(kind, _detail(ev, kind, u, v, source, copy), round(weight, 3)))
    return sorted(found, key=lambda e: -abs(e.weight))


def _when(seconds: float, source: str) -> str:
    return f"{source} {datetime.fromtimestamp(seconds, tz=UTC):%Y-%m-%d %H:%M}"


def _band_words(band: str) -> str:
    """A lag band's range in words: ``"2h"`` is "a lag of 1-2 h"."""
    if band == "more":
        return f"a lag of over {LAG_BANDS[-1][1]:g} h"
    index = [name for name, _ in LAG_BANDS].index(band)
    low = LAG_BANDS[index - 1][1] if index else 0.0
    high = LAG_BANDS[index][1]
    if high < 1:
        return f"a lag of under {high * 60:.0f} min"
    low_words = f"{low * 60:.0f} min" if low < 1 else f"{low:g}"
    return f"a lag of {low_words}-{high:g} h"


def _detail(ev: StoryEvidence, kind: str, u: int, v: int, source: Member, copy: Member) -> str:
    if kind == "date_order":
        word = "before" if ev.features[kind][u, v] > 0 else "after"
        return (
            f"{source.outlet} dates its article {word} {copy.outlet}'s "
            f"({_when(ev.published[u], ev.sources[u])} vs {_when(ev.published[v], ev.sources[v])})"
        )
    if kind == "proximity":
        hours = (ev.published[v] - ev.published[u]) / 3600
        return f"the two are dated close together ({hours:.1f} h apart): copies follow soon"
    if kind.startswith("seen_lag_"):
        hours = (ev.seen[v] - ev.seen[u]) / 3600
        return (
            f"the crawler found {copy.outlet} {hours:.1f} h after {source.outlet} "
            f"({_band_words(kind.removeprefix('seen_lag_'))} by first-seen times)"
        )
    if kind.startswith("lag_"):
        return (
            f"{copy.outlet} appeared {ev.lag_hours[u, v]:.1f} h after {source.outlet} "
            f"({_band_words(kind.removeprefix('lag_'))} by dates where both are trusted)"
        )
    if kind == "first_seen":
        word = "before" if ev.features[kind][u, v] > 0 else "after"
        return f"the crawler saw {source.outlet} {word} {copy.outlet}"
    texts = {
        "declared_source": f"{copy.outlet} names {source.outlet} as its source",
        "canonical": f"{copy.outlet}'s canonical link points to {source.url}",
        "link": f"{copy.outlet} links to {source.url}",
        "outlet_link": f"{copy.outlet} links to {source.outlet_domain}",
        "leaked_boilerplate": f"{copy.outlet}'s page carries {source.outlet}'s own boilerplate",
        "similarity": f"text similarity {ev.similarity[u, v]:.2f}",
        "nearest_text": f"holds {int(ev.shared[u, v])} of the copy's {len(copy.shingles)} "
        f"shingles, as many as any member",
        "truncated": f"{copy.outlet}'s text is cut short with a 'read more' pointer",
        "shared_edits": f"shares {int(ev.edits[u, v]) if ev.edits is not None else 0} edited "
        f"shingles with {source.outlet} that the origin lacks",
        "from_origin": "copies are most often taken from the origin",
        "origin_seen_late": f"the crawler found {source.outlet} only after a copy, so its "
        "first-seen time says nothing of who copied whom",
        "seen_proximity": "the crawler found the two close together "
        f"({(ev.seen[v] - ev.seen[u]) / 3600:.1f} h apart): copies follow soon",
        "held": f"{ev.features['held'][u, v]:.0%} of the copy's text is in {source.outlet}'s",
        "shared_omissions": f"leaves out {ev.features['shared_omissions'][u, v]:.0%} of what "
        f"{source.outlet} also leaves out of the origin",
        "surplus": f"holds {ev.features['surplus'][u, v]:.0%} of its origin text that "
        f"{source.outlet} lacks",
        "names_intermediate": f"{copy.outlet} names or links {source.outlet}, itself a copy",
        "same_title": f"{copy.outlet} runs {source.outlet}'s headline word for word",
        "shared_title_edit": f"{copy.outlet} runs {source.outlet}'s reworded headline",
        "partial_parent": f"{source.outlet} only quotes a passage",
    }
    return texts.get(kind, kind)


def _origin_evidence(
    ev: StoryEvidence, parents: dict[int, int], root: int, margin: float
) -> list[Evidence]:
    me = ev.members[root]
    found: list[Evidence] = []
    trusted = (ev.trust > 0) & ~np.isnan(ev.published)
    if trusted[root] and ev.published[root] <= ev.published[trusted].min():
        found.append(
            Evidence(
                "earliest_date",
                "earliest trusted publication date "
                f"({_when(ev.published[root], ev.sources[root])})",
                float(ev.trust[root]),
            )
        )
    seen = ev.seen[~np.isnan(ev.seen)]
    if not np.isnan(ev.seen[root]) and seen.size and ev.seen[root] <= seen.min():
        found.append(
            Evidence("first_seen", "the first copy the crawler saw", ORIGIN_WEIGHTS["first_seen"])
        )
    credits = int(np.count_nonzero(ev.features["declared_source"][root]))
    if credits:
        found.append(
            Evidence(
                "credited",
                f"named as the source by {credits} other article(s)",
                ORIGIN_WEIGHTS["declared_source"] * credits,
            )
        )
    links = int(np.count_nonzero(ev.features["link"][root] + ev.features["canonical"][root]))
    if links:
        found.append(
            Evidence(
                "linked",
                f"linked or canonical target of {links} other article(s)",
                ORIGIN_WEIGHTS["link"] * links,
            )
        )
    children = sum(1 for p in parents.values() if p == root)
    found.append(
        Evidence(
            "tree",
            f"the best copy tree has it at the root, with {children} "
            f"direct copies; {me.outlet} is the origin by a margin of "
            f"{margin:.2f} over the next-best origin",
            0.0,
        )
    )
    return sorted(found, key=lambda e: -e.weight)
