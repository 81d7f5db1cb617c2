"""The outlet copy network: which outlets copy which, how often, how fast, with what credit.

Pure aggregation, no SQL: the storage layer turns every stored copy edge into a
:class:`CopyRecord` (:mod:`provenance.storage.network_repository`), and
:func:`build_network` folds the records into outlet → outlet edges and
per-outlet figures: an :class:`~provenance.network_graph.OutletNetwork`, which
writes them as JSON, CSV (the edge table), GEXF or GraphML.

An edge ``source → copier`` aggregates every copy whose parent article is the
source's and whose child is the copier's. Copies inside one outlet (a site
reposting itself) are left out of the edges and counted apart, per outlet and
in total.

Lag quantiles interpolate linearly between the two nearest ranks (Hyndman and
Fan's type 7, numpy's default), so the median of an even number of lags is the
mean of the middle two. Negative lags (a copy dated before its parent: evidence
of backdating) are kept in the quantiles and also counted apart.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from provenance.evidence import NAMING_KINDS
from provenance.network_graph import OutletEdge, OutletNetwork, OutletRef, OutletStats

__all__ = [
    "CREDIT_KINDS",
    "CopyRecord",
    "OutletCounts",
    "build_network",
    "is_credited",
]

#: Evidence kinds that show the copy names or links its parent (its outlet or its page).
CREDIT_KINDS = frozenset(NAMING_KINDS)


@dataclass(frozen=True, slots=True)
class CopyRecord:
    """One stored copy edge, seen from its outlets.

    Attributes:
        source: Outlet of the parent article.
        copier: Outlet of the child article.
        relation: ``"copy"`` or ``"partial"`` (a quoted passage).
        lag_s: Child time minus parent time in seconds (negative when the copy
            is dated first); ``None`` when either time is unknown.
        credited: Whether the copy names or links its parent.
    """

    source: OutletRef
    copier: OutletRef
    relation: str
    lag_s: float | None
    credited: bool


@dataclass(frozen=True, slots=True)
class OutletCounts:
    """What the database counts of one outlet's articles.

    Attributes:
        outlet: The outlet.
        articles: Its articles that joined a story (empty and boilerplate pages do not).
        copies: Those that are non-origin members of their story (partial ones included).
        originals: Those that are the origin of a story with two or more members.
    """

    outlet: OutletRef
    articles: int
    copies: int
    originals: int


def is_credited(evidence: Iterable[dict[str, Any]], credit: str | None = None) -> bool:
    """Whether a copy edge credits its parent.

    The tracer's credit label (``credited``, ``uncredited``, ``miscredited``)
    decides when there is one. Edges traced before the tracer gave labels are
    credited when their evidence holds a kind of :data:`CREDIT_KINDS`.

    Args:
        evidence: The edge's evidence items (``{"kind", "detail", ...}``).
        credit: The edge's credit label, or ``None`` when it has none.
    """
    if credit is not None:
        return credit == "credited"
    return any(str(item.get("kind")) in CREDIT_KINDS for item in evidence)


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (type 7) of a sorted, non-empty list."""
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (position - low) * (ordered[high] - ordered[low])


def _edge(source: OutletRef, copier: OutletRef, records: Sequence[CopyRecord]) -> OutletEdge:
    lags = sorted(r.lag_s for r in records if r.lag_s is not None)
    credited = sum(r.credited for r in records)
    return OutletEdge(
        source=source,
        copier=copier,
        count=len(records),
        partial_count=sum(r.relation == "partial" for r in records),
        credited_count=credited,
        credited_share=round(credited / len(records), 4),
        lag_count=len(lags),
        negative_lags=sum(lag < 0 for lag in lags),
        median_lag_s=_quantile(lags, 0.5) if lags else None,
        p90_lag_s=_quantile(lags, 0.9) if lags else None,
    )


def _top(pairs: Iterable[tuple[OutletRef, int]], top: int) -> tuple[tuple[OutletRef, int], ...]:
    return tuple(sorted(pairs, key=lambda p: (-p[1], p[0].domain))[:top])


def _outlet_stats(
    counts: Iterable[OutletCounts],
    edges: Sequence[OutletEdge],
    self_copies: Counter[int],
    top: int,
) -> tuple[OutletStats, ...]:
    known = {c.outlet.id: c for c in counts}
    for edge in edges:  # an outlet the counts missed still gets its place
        for ref in (edge.source, edge.copier):
            known.setdefault(ref.id, OutletCounts(ref, articles=0, copies=0, originals=0))
    sources: defaultdict[int, list[tuple[OutletRef, int]]] = defaultdict(list)
    copiers: defaultdict[int, list[tuple[OutletRef, int]]] = defaultdict(list)
    for edge in edges:
        sources[edge.copier.id].append((edge.source, edge.count))
        copiers[edge.source.id].append((edge.copier, edge.count))
    return tuple(
        OutletStats(
            outlet=c.outlet,
            articles=c.articles,
            copies=c.copies,
            copy_share=round(c.copies / c.articles, 4) if c.articles else 0.0,
            originals=c.originals,
            self_copies=self_copies[c.outlet.id],
            top_sources=_top(sources[c.outlet.id], top),
            top_copiers=_top(copiers[c.outlet.id], top),
        )
        for c in sorted(known.values(), key=lambda c: c.outlet.domain)
    )


def build_network(
    records: Iterable[CopyRecord],
    outlets: Iterable[OutletCounts] = (),
    *,
    min_count: int = 1,
    top: int = 5,
) -> OutletNetwork:
    """Aggregate copy records into the outlet copy network.

    Args:
        records: Every copy edge, seen from its outlets.
        outlets: Article counts per outlet; outlets only named by records get zeros.
        min_count: Leave out edges with fewer copies. The outlets' top sources and
            copiers are still drawn from every edge.
        top: How many top sources and top copiers to keep per outlet.

    Returns:
        The network: edges by decreasing count, outlets by domain.

    Raises:
        ValueError: For ``min_count`` below 1 or a negative ``top``.
    """
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, not {min_count}")
    if top < 0:
        raise ValueError(f"top must not be negative, not {top}")
    groups: defaultdict[tuple[int, int], list[CopyRecord]] = defaultdict(list)
    self_copies: Counter[int] = Counter()
    for record in records:
        if record.source.id == record.copier.id:
            self_copies[record.copier.id] += 1
        else:
            groups[(record.source.id, record.copier.id)].append(record)
    edges = sorted(
        (_edge(rs[0].source, rs[0].copier, rs) for rs in groups.values()),
        key=lambda e: (-e.count, e.source.domain, e.copier.domain),
    )
    return OutletNetwork(
        edges=tuple(e for e in edges if e.count >= min_count),
        outlets=_outlet_stats(outlets, edges, self_copies, top),
        same_outlet_copies=sum(self_copies.values()),
    )
