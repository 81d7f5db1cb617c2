"""``provenance outlets network``: the outlet copy network as JSON, CSV, GEXF or GraphML.

The command is a plain function so that it can join any typer app; the
``outlets`` sub-app registers it with ``outlets_app.command("network")(network)``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from provenance.network_graph import NetworkFormat, OutletNetwork
from provenance.service import Service
from provenance.settings import Settings
from provenance.storage.network_repository import outlet_network

__all__ = ["edges_table", "network"]

_errors = Console(stderr=True)

#: Edges shown in the summary table.
_TABLE_ROWS = 20


def _duration(seconds: float | None) -> str:
    """A lag in the unit an editor reads at a glance."""
    if seconds is None:
        return "-"
    size = abs(seconds)
    for unit, span in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if size >= span:
            return f"{seconds / span:.1f} {unit}"
    return f"{seconds:.0f} s"


def edges_table(graph: OutletNetwork, *, limit: int = _TABLE_ROWS) -> Table:
    """The network's busiest edges as a rich table.

    Args:
        graph: The network.
        limit: How many edges to show, by decreasing count.
    """
    table = Table(
        title=f"Outlet copy network: {len(graph.edges)} edge(s), "
        f"{graph.same_outlet_copies} same-outlet copy(ies) left out"
    )
    for column in ("source", "copier", "copies", "partial", "credited", "median lag", "p90 lag"):
        table.add_column(column, justify="left" if column in ("source", "copier") else "right")
    table.add_column("neg. lags", justify="right")
    for edge in graph.edges[:limit]:
        table.add_row(
            edge.source.name,
            edge.copier.name,
            str(edge.count),
            str(edge.partial_count),
            f"{edge.credited_share:.0%}",
            _duration(edge.median_lag_s),
            _duration(edge.p90_lag_s),
            str(edge.negative_lags) if edge.negative_lags else "-",
        )
    return table


def _load(db: str | None, min_count: int) -> OutletNetwork:
    service = Service(db or Settings().database_url)
    try:
        with service.sessions() as session:
            return outlet_network(session, min_count=min_count)
    finally:
        service.close()


def network(
    format: Annotated[
        NetworkFormat, typer.Option("--format", help="json, csv (the edge table), gexf or graphml.")
    ] = NetworkFormat.JSON,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default stdout).")
    ] = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Database URL (default: PROVENANCE_DATABASE_URL, else SQLite in the data dir).",
        ),
    ] = None,
    min_count: Annotated[
        int, typer.Option("--min-count", min=1, help="Leave out edges with fewer copies.")
    ] = 1,
) -> None:
    """Who copies whom: outlet-to-outlet copy counts, lags and credit, and each outlet's role.

    An edge A -> B counts B's articles copied from A's (same-outlet copies are
    counted apart). Lags run from the parent's time to the copy's, each a
    trusted publication date unless later than first-seen, else first-seen;
    quantiles interpolate linearly.
    """
    graph = _load(db, min_count)
    if output is None:
        graph.write(sys.stdout, format)
        sys.stdout.flush()
        if format is NetworkFormat.JSON:
            _errors.print(edges_table(graph))
        return
    graph.write(output, format)
    _errors.print(
        f"wrote {len(graph.edges)} edge(s) between {len(graph.outlets)} outlet(s) to {output}"
    )
