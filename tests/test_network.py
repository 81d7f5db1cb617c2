"""The outlet copy network, built from literal copy records (no database)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest

from provenance.network import CopyRecord, OutletCounts, build_network, is_credited
from provenance.network_graph import NetworkFormat, OutletNetwork, OutletRef

ALPHA = OutletRef(1, "alpha.test", "Alpha News")
BETA = OutletRef(2, "beta.test", "Beta Daily")
GAMMA = OutletRef(3, "gamma.test", "Gamma Wire")


def _copy(
    source: OutletRef,
    copier: OutletRef,
    lag_s: float | None,
    *,
    credited: bool = False,
    relation: str = "copy",
) -> CopyRecord:
    return CopyRecord(source, copier, relation, lag_s, credited)


def _records() -> list[CopyRecord]:
    return [
        _copy(ALPHA, BETA, 60.0, credited=True),
        _copy(ALPHA, BETA, 120.0),
        _copy(ALPHA, BETA, 300.0, credited=True, relation="partial"),
        _copy(ALPHA, BETA, -600.0),  # backdated copy
        _copy(ALPHA, BETA, None),  # a time is missing
        _copy(ALPHA, GAMMA, 3600.0),
        _copy(BETA, GAMMA, 7200.0, credited=True),
        _copy(GAMMA, GAMMA, 10.0),  # same outlet: not an edge
    ]


def _counts() -> list[OutletCounts]:
    return [
        OutletCounts(ALPHA, articles=4, copies=0, originals=3),
        OutletCounts(BETA, articles=6, copies=5, originals=1),
        OutletCounts(GAMMA, articles=4, copies=3, originals=0),
    ]


def _network(**options: int) -> OutletNetwork:
    return build_network(_records(), _counts(), **options)


def test_edges_count_copies_partials_and_credit() -> None:
    graph = _network()
    pairs = [(e.source.domain, e.copier.domain, e.count) for e in graph.edges]
    assert pairs == [
        ("alpha.test", "beta.test", 5),
        ("alpha.test", "gamma.test", 1),
        ("beta.test", "gamma.test", 1),
    ]
    edge = graph.edges[0]
    assert (edge.partial_count, edge.credited_count, edge.credited_share) == (1, 2, 0.4)
    assert graph.edges[2].credited_share == 1.0


def test_lag_quantiles_interpolate_and_keep_negative_lags() -> None:
    edge = _network().edges[0]
    # Sorted known lags: -600, 60, 120, 300 (the missing one is skipped).
    assert (edge.lag_count, edge.negative_lags) == (4, 1)
    assert edge.median_lag_s == pytest.approx(90.0)  # mean of the middle two
    assert edge.p90_lag_s == pytest.approx(120 + 0.7 * 180)  # rank 2.7 of 0..3
    single = _network().edges[1]
    assert single.median_lag_s == single.p90_lag_s == 3600.0


def test_edge_without_known_lag_has_no_quantiles() -> None:
    graph = build_network([_copy(ALPHA, BETA, None)])
    edge = graph.edges[0]
    assert (edge.lag_count, edge.median_lag_s, edge.p90_lag_s) == (0, None, None)
    assert "median_lag_s" not in graph.to_networkx().edges["alpha.test", "beta.test"]


def test_same_outlet_copies_are_counted_apart() -> None:
    graph = _network()
    assert all(e.source != e.copier for e in graph.edges)
    assert graph.same_outlet_copies == 1
    stats = {s.outlet.domain: s for s in graph.outlets}
    assert stats["gamma.test"].self_copies == 1
    assert stats["alpha.test"].self_copies == 0


def test_outlet_stats_share_and_top_lists() -> None:
    stats = {s.outlet.domain: s for s in _network().outlets}
    assert list(stats) == ["alpha.test", "beta.test", "gamma.test"]
    assert stats["beta.test"].copy_share == pytest.approx(0.8333)
    assert stats["alpha.test"].top_copiers == ((BETA, 5), (GAMMA, 1))
    assert stats["gamma.test"].top_sources == ((ALPHA, 1), (BETA, 1))  # a tie goes by domain
    assert stats["alpha.test"].top_sources == ()
    assert build_network(_records(), _counts(), top=1).outlets[0].top_copiers == ((BETA, 5),)


def test_min_count_drops_edges_but_not_top_lists() -> None:
    graph = _network(min_count=2)
    assert [(e.source, e.copier) for e in graph.edges] == [(ALPHA, BETA)]
    gamma = next(s for s in graph.outlets if s.outlet == GAMMA)
    assert gamma.top_sources == ((ALPHA, 1), (BETA, 1))


def test_outlet_known_only_from_records_gets_zero_counts() -> None:
    graph = build_network([_copy(ALPHA, BETA, 1.0)])
    assert [(s.outlet, s.articles, s.copy_share) for s in graph.outlets] == [
        (ALPHA, 0, 0.0),
        (BETA, 0, 0.0),
    ]


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="min_count"):
        build_network([], min_count=0)
    with pytest.raises(ValueError, match="top"):
        build_network([], top=-1)
    with pytest.raises(ValueError):
        _network().render("dot")


def test_credit_label_wins_over_evidence_kinds() -> None:
    declared = [{"kind": "declared_source", "detail": "names Alpha", "weight": 1.5}]
    assert is_credited(declared)
    assert is_credited([{"kind": "outlet_link", "detail": "links to alpha.test"}])
    assert not is_credited([{"kind": "similarity", "detail": "text similarity 0.98"}])
    assert not is_credited(declared, "miscredited")
    assert is_credited([], "credited")
    assert not is_credited(declared, "uncredited")


def test_json_document() -> None:
    doc = json.loads(_network().to_json())
    assert doc["same_outlet_copies"] == 1
    first = doc["edges"][0]
    assert first["source_domain"] == "alpha.test" and first["copier_name"] == "Beta Daily"
    assert first["median_lag_s"] == pytest.approx(90.0)
    beta = next(o for o in doc["outlets"] if o["domain"] == "beta.test")
    assert beta["top_sources"] == [{"domain": "alpha.test", "name": "Alpha News", "count": 5}]
    no_lag = json.loads(build_network([_copy(ALPHA, BETA, None)]).to_json())
    assert no_lag["edges"][0]["p90_lag_s"] is None


def test_csv_edge_table_parses_back() -> None:
    graph = _network()
    rows = list(csv.DictReader(io.StringIO(graph.to_csv())))
    assert len(rows) == len(graph.edges)
    assert rows[0]["source_domain"] == "alpha.test" and rows[0]["copier_domain"] == "beta.test"
    assert int(rows[0]["count"]) == 5 and int(rows[0]["negative_lags"]) == 1
    assert float(rows[0]["credited_share"]) == 0.4
    assert float(rows[0]["median_lag_s"]) == pytest.approx(90.0)
    blank = next(csv.DictReader(io.StringIO(build_network([_copy(ALPHA, BETA, None)]).to_csv())))
    assert blank["median_lag_s"] == ""


def _assert_same_graph(read: nx.DiGraph, graph: nx.DiGraph) -> None:
    assert isinstance(read, nx.DiGraph)
    assert dict(read.nodes(data=True)) == dict(graph.nodes(data=True))
    assert set(read.edges) == set(graph.edges)
    for u, v, data in graph.edges(data=True):
        got = {k: value for k, value in read.edges[u, v].items() if k != "id"}  # GEXF adds ids
        assert got == pytest.approx(data)


def test_graph_attributes_are_plain_values() -> None:
    graph = _network().to_networkx()
    values = [*(d for _, d in graph.nodes(data=True)), *(d for *_, d in graph.edges(data=True))]
    for data in values:
        assert all(isinstance(v, str | int | float) for v in data.values())
    assert graph.nodes["gamma.test"]["top_sources"] == "alpha.test:1; beta.test:1"
    assert graph.edges["alpha.test", "beta.test"]["weight"] == 5


@pytest.mark.parametrize(
    ("fmt", "read"), [(NetworkFormat.GEXF, nx.read_gexf), (NetworkFormat.GRAPHML, nx.read_graphml)]
)
def test_xml_formats_read_back_the_same(
    fmt: NetworkFormat, read: Callable[..., nx.DiGraph], tmp_path: Path
) -> None:
    network = _network()
    graph = network.to_networkx()
    path = tmp_path / f"network.{fmt}"
    network.write(path, fmt)
    _assert_same_graph(read(path), graph)
    text = io.StringIO()
    network.write(text, fmt)  # a text stream (stdout) gets the same document
    _assert_same_graph(read(io.BytesIO(text.getvalue().encode())), graph)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_text_formats_write_to_paths_and_binary_streams(fmt: str, tmp_path: Path) -> None:
    network = _network()
    path = tmp_path / f"network.{fmt}"
    network.write(path, fmt)
    binary = io.BytesIO()
    network.write(binary, fmt)
    assert path.read_text(encoding="utf-8") == binary.getvalue().decode() == network.render(fmt)


def test_network_module_imports_no_edge_library() -> None:
    probe = (
        "import sys, provenance.network; "
        "print(sorted(m for m in ('sqlalchemy', 'typer', 'httpx', 'celery') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
