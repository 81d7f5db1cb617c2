"""The outlet copy network: which outlets copy which, how often, how fast, with what credit.

Pure aggregation, no SQL: the storage layer turns every stored copy edge into a
:class:`CopyRecord` (:mod:`provenance.storage.network_repository`),
:func:`build_network` folds the records into outlet → outlet edges and
per-outlet figures, and :class:`OutletNetwork` writes them as JSON, CSV (the
edge table), GEXF or GraphML.

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

import csv
import io
import json
import math
import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, cast

import networkx as nx

from provenance.evidence import NAMING_KINDS

__all__ = [
    "CREDIT_KINDS",
    "CopyRecord",
    "NetworkFormat",
    "OutletCounts",
    "OutletEdge",
    "OutletNetwork",
    "OutletRef",
    "OutletStats",
    "build_network",
    "is_credited",
]

#: Evidence kinds that show the copy names or links its parent (its outlet or its page).
CREDIT_KINDS = frozenset(NAMING_KINDS)

#: Columns of the CSV edge table, also the keys of each edge in the JSON document.
EDGE_FIELDS = (
    *("source_domain", "source_name", "source_id", "copier_domain", "copier_name", "copier_id"),
    *("count", "partial_count", "credited_count", "credited_share"),
    *("lag_count", "negative_lags", "median_lag_s", "p90_lag_s"),
)


class NetworkFormat(StrEnum):
    """The formats :meth:`OutletNetwork.write` writes."""

    JSON = "json"
    CSV = "csv"
    GEXF = "gexf"
    GRAPHML = "graphml"


@dataclass(frozen=True, slots=True)
class OutletRef:
    """An outlet as the network names it: stored id, registrable domain and name."""

    id: int
    domain: str
    name: str


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


@dataclass(frozen=True, slots=True)
class OutletEdge:
    """The aggregated copies from one outlet to another.

    Attributes:
        source: The outlet copied from.
        copier: The outlet that copied.
        count: Copy edges, partial ones included.
        partial_count: Those that only quote a passage.
        credited_count: Those whose copy names or links its parent.
        credited_share: ``credited_count / count``, rounded to 4 places.
        lag_count: Edges whose lag is known (both times known).
        negative_lags: Those where the copy is dated before its parent.
        median_lag_s: Median lag in seconds; ``None`` without a known lag.
        p90_lag_s: 90th percentile lag in seconds; ``None`` without a known lag.
    """

    source: OutletRef
    copier: OutletRef
    count: int
    partial_count: int
    credited_count: int
    credited_share: float
    lag_count: int
    negative_lags: int
    median_lag_s: float | None
    p90_lag_s: float | None

    def row(self) -> dict[str, Any]:
        """The edge as a flat row keyed by :data:`EDGE_FIELDS` (CSV and JSON)."""
        return {
            "source_domain": self.source.domain,
            "source_name": self.source.name,
            "source_id": self.source.id,
            "copier_domain": self.copier.domain,
            "copier_name": self.copier.name,
            "copier_id": self.copier.id,
            "count": self.count,
            "partial_count": self.partial_count,
            "credited_count": self.credited_count,
            "credited_share": self.credited_share,
            "lag_count": self.lag_count,
            "negative_lags": self.negative_lags,
            "median_lag_s": self.median_lag_s,
            "p90_lag_s": self.p90_lag_s,
        }


@dataclass(frozen=True, slots=True)
class OutletStats:
    """One outlet's place in the network.

    Attributes:
        outlet: The outlet.
        articles: Its articles that joined a story.
        copies: Those that are non-origin members of a story.
        copy_share: ``copies / articles`` (0 without articles), rounded to 4 places.
        originals: Origins of stories with two or more members.
        self_copies: Copies whose parent is on the same outlet (not network edges).
        top_sources: Outlets it copies from most, with their copy counts.
        top_copiers: Outlets copying it most, with their copy counts.
    """

    outlet: OutletRef
    articles: int
    copies: int
    copy_share: float
    originals: int
    self_copies: int
    top_sources: tuple[tuple[OutletRef, int], ...]
    top_copiers: tuple[tuple[OutletRef, int], ...]

    def row(self) -> dict[str, Any]:
        """The outlet as a JSON-ready dict; top lists hold ``{domain, name, count}``."""
        return {
            "domain": self.outlet.domain,
            "name": self.outlet.name,
            "outlet_id": self.outlet.id,
            "articles": self.articles,
            "copies": self.copies,
            "copy_share": self.copy_share,
            "originals": self.originals,
            "self_copies": self.self_copies,
            "top_sources": _pairs_json(self.top_sources),
            "top_copiers": _pairs_json(self.top_copiers),
        }


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


#: Edge attributes in the graph: the table's, less the outlets (the nodes say those).
_GRAPH_EDGE_KEYS = frozenset(EDGE_FIELDS[6:])


def _flat(pairs: Iterable[tuple[OutletRef, int]]) -> str:
    """A top list as one string (GEXF and GraphML hold no lists)."""
    return "; ".join(f"{ref.domain}:{count}" for ref, count in pairs)


def _pairs_json(pairs: Iterable[tuple[OutletRef, int]]) -> list[dict[str, Any]]:
    return [{"domain": ref.domain, "name": ref.name, "count": count} for ref, count in pairs]


@dataclass(frozen=True, slots=True)
class OutletNetwork:
    """The outlet copy network, ready to write.

    Attributes:
        edges: Outlet → outlet edges, by decreasing count.
        outlets: Every outlet's figures, by domain.
        same_outlet_copies: Copies whose parent is on the same outlet (not edges).
    """

    edges: tuple[OutletEdge, ...]
    outlets: tuple[OutletStats, ...]
    same_outlet_copies: int

    def to_dict(self) -> dict[str, Any]:
        """The network as a JSON-ready document."""
        return {
            "lag_quantiles": "linear (Hyndman-Fan type 7)",
            "same_outlet_copies": self.same_outlet_copies,
            "edges": [edge.row() for edge in self.edges],
            "outlets": [stats.row() for stats in self.outlets],
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The network as a JSON document (see :meth:`to_dict`)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent) + "\n"

    def to_csv(self) -> str:
        """The edge table as CSV with a header row; an unknown lag is an empty cell."""
        buffer = io.StringIO()
        # "\n" rather than csv's default "\r\n": the table is mostly piped to other tools.
        writer = csv.DictWriter(buffer, fieldnames=EDGE_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(edge.row() for edge in self.edges)
        return buffer.getvalue()

    def to_networkx(self) -> nx.DiGraph:
        """The network as a directed graph, nodes keyed by domain.

        Attributes are only strings, numbers and booleans, and never ``None``
        (an unknown lag is left out), so that GEXF and GraphML can hold them.
        ``weight`` is the copy count, which Gephi draws as edge thickness.
        """
        graph = nx.DiGraph()
        for stats in self.outlets:
            attrs = stats.row() | {
                "top_sources": _flat(stats.top_sources),
                "top_copiers": _flat(stats.top_copiers),
            }
            graph.add_node(attrs.pop("domain"), label=attrs.pop("name"), **attrs)
        for edge in self.edges:
            row = edge.row()
            attrs = {k: v for k, v in row.items() if v is not None and k in _GRAPH_EDGE_KEYS}
            graph.add_edge(edge.source.domain, edge.copier.domain, weight=edge.count, **attrs)
        return graph

    def render(self, format: NetworkFormat | str) -> str:
        """The network as text in ``format``.

        Raises:
            ValueError: For an unknown format.
        """
        fmt = NetworkFormat(format)
        if fmt is NetworkFormat.JSON:
            return self.to_json()
        if fmt is NetworkFormat.CSV:
            return self.to_csv()
        generate = nx.generate_gexf if fmt is NetworkFormat.GEXF else nx.generate_graphml
        return "\n".join(generate(self.to_networkx())) + "\n"

    def write(
        self, target: str | os.PathLike[str] | IO[str] | IO[bytes], format: NetworkFormat | str
    ) -> None:
        """Write the network to a path, a text stream or a binary stream.

        Args:
            target: A file path (overwritten), or an open stream.
            format: ``json``, ``csv`` (the edge table), ``gexf`` or ``graphml``.

        Raises:
            ValueError: For an unknown format.
        """
        fmt = NetworkFormat(format)
        if isinstance(target, io.TextIOBase):
            target.write(self.render(fmt))
        elif fmt is NetworkFormat.GEXF:
            nx.write_gexf(self.to_networkx(), target)
        elif fmt is NetworkFormat.GRAPHML:
            nx.write_graphml(self.to_networkx(), target)
        elif isinstance(target, str | os.PathLike):
            Path(target).write_text(self.render(fmt), encoding="utf-8", newline="")
        else:
            # Not a text stream, so a binary one (IO[str] and IO[bytes] are one class at runtime).
            cast(IO[bytes], target).write(self.render(fmt).encode("utf-8"))
