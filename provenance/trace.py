"""Who copied whom inside one story: the origin, each copy's parent, and why.

Every ordered pair of members (u, v) gets a score for "v was copied from u",
summed from evidence with weights (see :data:`WEIGHTS`):

* publication dates, trusted by where they came from, and weakened when they
  look copied (equal to another member's) or impossible (later than when we
  first saw the page);
* first-seen times;
* v declares u's outlet as its source, has u as its canonical link, or links
  to u or u's outlet;
* text: the copy is closest to its own parent (a copy of a copy inherits its
  parent's edits), and a copy ending in "read more" is cut from a longer text.

The tree is the maximum spanning arborescence of those scores over the whole
story (Chu–Liu/Edmonds, from networkx), not a greedy choice per article; its
root is the origin. The origin's confidence comes from the margin between the
best tree and the best tree rooted at another candidate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import networkx as nx
import numpy as np
import numpy.typing as npt

from provenance.models import DateClaim, Evidence, Member, Relation, StoryTrace, TracedEdge
from provenance.outlet import names_match

__all__ = ["WEIGHTS", "trace_story"]

#: Weight of each kind of evidence for an edge u -> v ("v copied u").
WEIGHTS: dict[str, float] = {
    "date": 1.0,  # times the date's trust: u published before v
    "seen": 0.7,  # the crawler saw u before v
    "proximity": 0.5,  # times the date's trust: v followed u soon (copies are made fast)
    "shared_edits": 2.0,  # u and v share wording the rest of the story lacks
    "nearest": 2.0,  # u holds as much of v's text as any member does
    "from_origin": 0.8,  # copies are most often taken from the origin itself (a tie-breaker)
    "declared": 1.5,  # v names u's outlet as its source
    "canonical": 3.0,  # v's canonical link is u
    "link": 2.0,  # v links to u
    "outlet_link": 0.8,  # v links to u's outlet (another page of it)
    "similarity": 8.0,  # times text similarity of u and v
    "read_more": 0.8,  # v is a truncated copy of u that points to the rest
    "partial_parent": -8.0,  # a partial copy (a quote) is never the source of a copy
}

#: Dates or first-seen times closer than this are a tie, not an order.
TIE = timedelta(minutes=1)
#: A gap in time after which a copy is no nearer to its parent than to any other.
_FAR_HOURS = 96.0
#: Shortfall (share of the copy's shingles) at which a candidate is no longer "nearest".
_NEAR_GAP = 0.05
#: Fewest inherited shingles that count as a shared edit (one changed word
#: breaks up to five shingles).
_MIN_EDIT_SHINGLES = 3
#: Each member's incoming edges kept for the tree search (the rest cannot win).
_KEEP_INCOMING = 6
#: Alternative roots tried to measure the origin's margin.
_ALTERNATIVES = 3


@dataclass(frozen=True, slots=True)
class _Timing:
    published: datetime | None
    trust: float
    source: str
    seen: datetime | None


def _timings(members: Sequence[Member]) -> list[_Timing]:
    """Each member's best publication date, with trust adjusted within the story."""
    best: list[DateClaim | None] = [
        next((d for d in m.dates if d.trust > 0), None) for m in members
    ]
    out: list[_Timing] = []
    for i, (member, claim) in enumerate(zip(members, best, strict=True)):
        if claim is None:
            out.append(_Timing(None, 0.0, "", member.first_seen))
            continue
        trust = claim.trust
        copied = any(
            j != i
            and other is not None
            and abs(other.value - claim.value) < TIE
            and members[j].outlet_domain != member.outlet_domain
            for j, other in enumerate(best)
        )
        if copied:  # the same instant on two outlets: one of them copied it
            trust *= 0.5
        if member.first_seen is not None and claim.value > member.first_seen + timedelta(hours=1):
            trust *= 0.2  # published after we had already seen it: not a real date
        out.append(_Timing(claim.value, trust, str(claim.source), member.first_seen))
    return out


def _similarities(
    members: Sequence[Member],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """Pairwise text similarity (mean of Jaccard and the larger containment) and shared counts."""
    n = len(members)
    sim = np.zeros((n, n))
    shared = np.zeros((n, n), dtype=np.int64)
    for i in range(n):
        for j in range(i + 1, n):
            a, b = members[i].shingles, members[j].shingles
            if len(a) == 0 or len(b) == 0:
                continue
            common = len(np.intersect1d(a, b, assume_unique=True))
            jaccard = common / (len(a) + len(b) - common)
            sim[i, j] = sim[j, i] = 0.5 * jaccard + 0.5 * common / min(len(a), len(b))
            shared[i, j] = shared[j, i] = common
    return sim, shared


def _add_nearest(
    evidence: list[list[list[Evidence]]], members: Sequence[Member], shared: npt.NDArray[np.int64]
) -> None:
    """Favour, for each copy, the members it shares the most text with.

    When two candidates hold the same text the copy could come from either and
    attribution decides; when one holds text the copy has and the other lacks
    (its edits, the part another copy cut), that one is the nearer source.
    The bonus fades out over a gap of ``_NEAR_GAP`` of the copy's shingles.
    """
    for v, member in enumerate(members):
        column = shared[:, v].copy()
        column[v] = -1
        best = column.max()
        if best <= 0:
            continue
        size = max(1, len(member.shingles))
        for u in range(len(members)):
            if u == v or column[u] <= 0:
                continue
            closeness = 1.0 - min(1.0, (best - column[u]) / (_NEAR_GAP * size))
            if closeness > 0:
                evidence[u][v].append(
                    Evidence(
                        "nearest_text",
                        f"holds {column[u]} of the copy's {size} shingles "
                        f"(the most any member holds: {best})",
                        WEIGHTS["nearest"] * closeness,
                    )
                )


def _order(a: datetime | None, b: datetime | None) -> int:
    """+1 when a is before b, -1 when after, 0 for a tie or a missing time."""
    if a is None or b is None or abs(a - b) < TIE:
        return 0
    return 1 if a < b else -1


def _edge_evidence(
    u: Member, v: Member, tu: _Timing, tv: _Timing, similarity: float
) -> list[Evidence]:
    """Evidence that v was copied from u, each with its weight."""
    found: list[Evidence] = []
    order = _order(tu.published, tv.published)
    if order:
        weight = order * WEIGHTS["date"] * min(tu.trust, tv.trust)
        when = "before" if order > 0 else "after"
        found.append(
            Evidence(
                "date_order",
                f"{u.outlet} dates its article {when} {v.outlet}'s "
                f"({tu.source} {tu.published:%Y-%m-%d %H:%M} vs {tv.source} "
                f"{tv.published:%Y-%m-%d %H:%M})",
                weight,
            )
        )
    if order > 0 and tu.published is not None and tv.published is not None:
        # A copy usually follows its own parent within hours; a grandchild
        # follows the origin by two such delays. Closeness in time favours
        # the nearer ancestor (log scale: 1 at no gap, 0 at four days).
        hours = (tv.published - tu.published).total_seconds() / 3600
        closeness = max(0.0, 1.0 - math.log1p(hours) / math.log1p(_FAR_HOURS))
        found.append(
            Evidence(
                "proximity",
                f"{v.outlet} followed {hours:.1f} h later",
                WEIGHTS["proximity"] * min(tu.trust, tv.trust) * closeness,
            )
        )
    # The crawler may reach an origin after its copies; its order only speaks
    # when the pages' own dates leave the order open.
    seen = _order(tu.seen, tv.seen)
    if seen:
        when = "before" if seen > 0 else "after"
        found.append(
            Evidence("first_seen", f"first seen {when} {v.outlet}'s copy", seen * WEIGHTS["seen"])
        )
    if any(
        names_match(name, outlet=u.outlet, domain=u.outlet_domain) for name in v.declared_sources
    ):
        found.append(
            Evidence(
                "declared_source", f"{v.outlet} names {u.outlet} as its source", WEIGHTS["declared"]
            )
        )
    if v.canonical_url is not None and v.canonical_url == u.url:
        found.append(
            Evidence(
                "canonical", f"{v.outlet}'s canonical link points to {u.url}", WEIGHTS["canonical"]
            )
        )
    if u.url in v.links:
        found.append(Evidence("link", f"{v.outlet} links to {u.url}", WEIGHTS["link"]))
    elif u.outlet_domain != v.outlet_domain and any(
        _on_domain(link, u.outlet_domain) for link in v.links
    ):
        found.append(
            Evidence(
                "outlet_link", f"{v.outlet} links to {u.outlet_domain}", WEIGHTS["outlet_link"]
            )
        )
    if v.read_more and not u.read_more and len(u.shingles) > len(v.shingles):
        found.append(
            Evidence(
                "truncated",
                f"{v.outlet}'s text is cut short with a 'read more' pointer",
                WEIGHTS["read_more"],
            )
        )
    found.append(
        Evidence(
            "similarity", f"text similarity {similarity:.2f}", WEIGHTS["similarity"] * similarity
        )
    )
    if u.partial and not v.partial:
        found.append(
            Evidence(
                "partial_parent", f"{u.outlet} only quotes a passage", WEIGHTS["partial_parent"]
            )
        )
    return found


def _on_domain(url: str, domain: str) -> bool:
    host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host == domain or host.endswith("." + domain)


def _tree(scores: npt.NDArray[np.float64], root: int | None) -> tuple[dict[int, int], float]:
    """Best spanning arborescence (child -> parent) and its total score."""
    n = len(scores)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    for v in range(n):
        if v == root:
            continue
        incoming = [u for u in np.argsort(-scores[:, v]) if u != v][:_KEEP_INCOMING]
        if root is not None and root not in incoming:
            incoming.append(root)
        for u in incoming:
            graph.add_edge(int(u), v, weight=float(scores[u, v]))
    try:
        tree = nx.maximum_spanning_arborescence(graph, attr="weight")
    except nx.NetworkXException:
        return {}, -math.inf
    parents = {int(v): int(u) for u, v in tree.edges()}
    return parents, float(sum(scores[u, v] for v, u in parents.items()))


def _origin_evidence(
    root: int, members: Sequence[Member], timings: Sequence[_Timing], parents: dict[int, int]
) -> list[Evidence]:
    me, found = members[root], []
    dated = [t.published for t in timings if t.published is not None and t.trust > 0]
    if timings[root].published is not None and dated and timings[root].published == min(dated):
        found.append(
            Evidence(
                "earliest_date",
                f"earliest trusted publication date "
                f"({timings[root].source} {timings[root].published:%Y-%m-%d %H:%M})",
                timings[root].trust,
            )
        )
    seen = [t.seen for t in timings if t.seen is not None]
    if timings[root].seen is not None and seen and timings[root].seen == min(seen):
        found.append(Evidence("first_seen", "the first copy the crawler saw", WEIGHTS["seen"]))
    credits = sum(
        1
        for m in members
        if m is not me
        and any(
            names_match(n, outlet=me.outlet, domain=me.outlet_domain) for n in m.declared_sources
        )
    )
    if credits:
        found.append(
            Evidence(
                "credited",
                f"named as the source by {credits} other article(s)",
                WEIGHTS["declared"] * credits,
            )
        )
    links = sum(
        1 for m in members if m is not me and (me.url in m.links or m.canonical_url == me.url)
    )
    if links:
        found.append(
            Evidence(
                "linked",
                f"linked or canonical target of {links} other article(s)",
                WEIGHTS["link"] * links,
            )
        )
    children = sum(1 for p in parents.values() if p == root)
    found.append(
        Evidence("tree", f"best copy tree has it at the root with {children} direct copies", 0.0)
    )
    return sorted(found, key=lambda e: -e.weight)


def _solve(
    evidence: list[list[list[Evidence]]],
) -> tuple[dict[int, int], float, npt.NDArray[np.float64]]:
    n = len(evidence)
    scores = np.array(
        [
            [sum(e.weight for e in evidence[u][v]) if u != v else -math.inf for v in range(n)]
            for u in range(n)
        ]
    )
    parents, best = _tree(scores, None)
    return parents, best, scores


def _add_second_pass(
    evidence: list[list[list[Evidence]]], members: Sequence[Member], root: int
) -> None:
    """Evidence that needs a first guess at the origin."""
    for v in range(len(members)):
        if v != root:
            evidence[root][v].append(
                Evidence(
                    "from_origin",
                    "copies are most often taken from the origin",
                    WEIGHTS["from_origin"],
                )
            )
    archetype = members[root].shingles
    for u in range(len(members)):
        for v in range(len(members)):
            if u == v or root in (u, v) or members[u].partial:
                continue
            common = np.intersect1d(members[u].shingles, members[v].shingles, assume_unique=True)
            edits = len(np.setdiff1d(common, archetype, assume_unique=True))
            if edits >= _MIN_EDIT_SHINGLES:
                weight = WEIGHTS["shared_edits"] * min(1.0, edits / (4 * _MIN_EDIT_SHINGLES))
                evidence[u][v].append(
                    Evidence(
                        "shared_edits",
                        f"shares {edits} edited shingles with {members[u].outlet} "
                        f"that the origin lacks",
                        weight,
                    )
                )


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
    timings = _timings(members)
    dated = [t.published for t in timings if t.published is not None and t.trust > 0]
    if len(members) == 1:
        return StoryTrace(
            origin_id=members[0].id,
            confidence=1.0,
            origin_evidence=(Evidence("only_member", "the only known copy", 0.0),),
            first_published_at=min(dated) if dated else None,
        )
    sim, shared = _similarities(members)
    n = len(members)
    evidence = [
        [
            _edge_evidence(members[u], members[v], timings[u], timings[v], sim[u, v])
            if u != v
            else []
            for v in range(n)
        ]
        for u in range(n)
    ]
    _add_nearest(evidence, members, shared)
    parents, best, scores = _solve(evidence)
    root = next(i for i in range(n) if i not in parents)
    # Second pass, in the manner of textual criticism: wording two copies share
    # but the origin lacks is an edit one inherited from the other.
    _add_second_pass(evidence, members, root)
    parents, best, scores = _solve(evidence)
    root = next(i for i in range(n) if i not in parents)
    # The margin to the best tree under another root is the origin's confidence.
    rivals = sorted((i for i in range(n) if i != root), key=lambda i: -scores[:, i].max())
    second = max((_tree(scores, r)[1] for r in rivals[:_ALTERNATIVES]), default=-math.inf)
    confidence = 1.0 / (1.0 + math.exp(-(best - second))) if second > -math.inf else 1.0
    edges = tuple(
        _traced_edge(members, evidence, scores, sim, v, u) for v, u in sorted(parents.items())
    )
    origin_date = timings[root].published if timings[root].trust > 0 else None
    return StoryTrace(
        origin_id=members[root].id,
        confidence=confidence,
        origin_evidence=tuple(_origin_evidence(root, members, timings, parents)),
        edges=edges,
        first_published_at=origin_date or (min(dated) if dated else None),
    )


def _traced_edge(
    members: Sequence[Member],
    evidence: list[list[list[Evidence]]],
    scores: npt.NDArray[np.float64],
    sim: npt.NDArray[np.float64],
    child: int,
    parent: int,
) -> TracedEdge:
    column = scores[:, child]
    finite = column[np.isfinite(column)]
    # Softmax over every possible parent: the chosen one's share of belief.
    confidence = float(np.exp(column[parent] - finite.max()) / np.exp(finite - finite.max()).sum())
    kept = sorted(evidence[parent][child], key=lambda e: -abs(e.weight))
    return TracedEdge(
        child_id=members[child].id,
        parent_id=members[parent].id,
        relation=Relation.PARTIAL if members[child].partial else Relation.COPY,
        similarity=float(sim[parent, child]),
        confidence=confidence,
        evidence=tuple(kept),
    )
