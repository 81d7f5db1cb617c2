"""Who copied whom inside one story: the origin, each copy's parent, and why.

Every ordered pair of members (u, v) is scored for "v was copied from u" by
:mod:`provenance.evidence`. The tree is the maximum spanning arborescence of
those scores over the whole story (Chu–Liu/Edmonds, :mod:`provenance.arborescence`),
not a greedy choice per article; its root is the origin. Each likely origin
(a member that loses least by having no parent) gets the evidence that needs
an origin (shared edits against its text, the from-origin prior) and its best
tree under :data:`~provenance.weights.ORIGIN_WEIGHTS`; the candidate with the
best tree is the origin. With the origin fixed, the copies' parents come from
a tree over :data:`~provenance.weights.WEIGHTS`. Both sets of weights are
fitted to generated networks with ground truth.

The evidence behind each verdict is put in plain words by
:mod:`provenance.reasons`. Confidences are calibrated on the same kind of
data (see :data:`CALIBRATION`): the origin's from the margin between its best
tree and the best tree under another candidate root, an edge's from a softmax
of its parent's score against every other candidate parent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from provenance.arborescence import best_arborescence
from provenance.evidence import (
    NAMING_KINDS,
    StoryEvidence,
    add_second_pass,
    anchor_origin,
    collect_evidence,
)
from provenance.models import Evidence, Member, Relation, StoryTrace, TracedEdge
from provenance.reasons import describe, origin_evidence
from provenance.weights import ORIGIN_WEIGHTS, WEIGHTS

__all__ = [
    "CALIBRATION",
    "CANDIDATE_ORIGINS",
    "WEIGHTS",
    "OriginChoice",
    "best_tree",
    "candidate_origins",
    "choose_origin",
    "trace_story",
]

#: Platt scaling of the confidences, fitted by ``python benchmarks/calibrate.py``
#: on generated networks (seeds 201-206) and checked on other seeds by
#: ``benchmarks/evaluate.py``: origin = sigmoid(a * margin + b), with the
#: margin capped at ``_MAX_MARGIN``; an edge's raw confidence is a softmax of
#: its parent's score against every candidate parent, then
#: sigmoid(a * logit(raw) + b). ``calibrate.py`` keeps Platt scaling only where
#: it lowers the calibration error on its seeds. Both sets of weights are
#: maximum-likelihood fits of a softmax (over candidate origins, over candidate
#: parents), so the raw confidences are nearly probabilities already: scaling
#: lowers the origins' error (0.016 raw, 0.001 scaled) and raises the edges'
#: (0.014 raw, 0.017 scaled), so edges stay the identity.
CALIBRATION: dict[str, float] = {
    "origin_a": 1.082,
    "origin_b": 1.093,
    "edge_a": 1.0,
    "edge_b": 0.0,
}
#: Margins beyond this are all "certain"; also the value of an unrivalled origin.
_MAX_MARGIN = 12.0
#: Candidate origins whose best trees are compared (the fit of
#: :data:`~provenance.weights.ORIGIN_WEIGHTS` compares as many). On the
#: check seeds the true origin is almost always among the first few.
CANDIDATE_ORIGINS = 6


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
    ev, root, margin = chosen.evidence, chosen.root, chosen.margin
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
        origin_evidence=tuple(origin_evidence(ev, parents, root, margin)),
        edges=edges,
        first_published_at=_first_published(ev, root),
    )


@dataclass(frozen=True, slots=True)
class OriginChoice:
    """The origin of a story of two or more members, and how it was chosen.

    Attributes:
        evidence: Both passes of the evidence, the second on ``root``.
        parents: The best tree under :data:`~provenance.weights.ORIGIN_WEIGHTS`,
            rooted at the origin.
        root: Index of the origin in the members.
        margin: How much the best tree outscores the best tree under any other
            candidate root (infinite when no other root can span the story).
    """

    evidence: StoryEvidence
    parents: dict[int, int]
    root: int
    margin: float


def choose_origin(
    members: Sequence[Member], *, weights: Mapping[str, float] = ORIGIN_WEIGHTS
) -> OriginChoice:
    """Pick the origin: of the likeliest candidates, the root of the best tree.

    Each candidate gets the second pass on itself (shared edits are edits
    against its text, the from-origin prior points from it) and its best tree
    under :data:`~provenance.weights.ORIGIN_WEIGHTS`; the origin is the
    candidate whose tree scores highest, and its lead over the runner-up is
    the margin its confidence comes from. ``weights`` are for fitting them.
    """
    ev = collect_evidence(members)
    ev.weigh(weights)
    root, parents, best, runner_up = -1, {}, -math.inf, -math.inf
    candidates = candidate_origins(ev)
    for candidate in candidates:
        tree, total = best_tree(ev, candidate, weights=weights)
        if root < 0 or total > best:  # ties keep the earlier candidate
            root, parents, best, runner_up = candidate, tree, total, best
        elif total > runner_up:
            runner_up = total
    margin = best - runner_up if runner_up > -math.inf else math.inf
    if candidates[-1] != root:  # the copies' parents need the second pass on the origin
        add_second_pass(ev, root)
        ev.weigh(weights)
    anchor_origin(ev, root)
    return OriginChoice(ev, parents, root, margin)


def candidate_origins(ev: StoryEvidence) -> list[int]:
    """The likeliest origins by the evidence weighed so far, best first.

    They are the members that lose least by having no parent (the weakest best
    incoming edge), at most :data:`CANDIDATE_ORIGINS` of them.
    """
    scores = ev.scores()
    cost = np.where(np.isfinite(scores), scores, -np.inf).max(axis=0)
    return [int(i) for i in np.argsort(cost, kind="stable")[:CANDIDATE_ORIGINS]]


def best_tree(
    ev: StoryEvidence, root: int, *, weights: Mapping[str, float]
) -> tuple[dict[int, int], float]:
    """The best tree with ``root`` as the origin.

    Adds the second pass on ``root`` to ``ev`` and weighs it.

    Returns:
        The tree (parent of each other member) and its total score (``-inf``
        if no tree from ``root`` spans the story).
    """
    add_second_pass(ev, root)
    ev.weigh(weights)
    scores = ev.scores()
    parents = best_arborescence(scores, root=root)
    spans = len(parents) == len(ev.members) - 1
    total = float(sum(scores[p, c] for c, p in parents.items())) if spans else -math.inf
    return parents, total


def _root(parents: dict[int, int], n: int) -> int:
    return next(i for i in range(n) if i not in parents)


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
