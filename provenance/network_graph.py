"""The outlet copy network as built: its outlets, its edges, and the formats it is written in.

:func:`provenance.network.build_network` aggregates copy records into an
:class:`OutletNetwork`; this module holds what it builds (:class:`OutletRef`,
:class:`OutletEdge`, :class:`OutletStats`) and writes it as JSON, CSV (the edge
table), GEXF or GraphML. Graph attributes are only strings, numbers and
booleans, never ``None``, so that GEXF and GraphML can hold them and Gephi can
open the files.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, cast

import networkx as nx

__all__ = [
    "NetworkFormat",
    "OutletEdge",
    "OutletNetwork",
    "OutletRef",
    "OutletStats",
]

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
