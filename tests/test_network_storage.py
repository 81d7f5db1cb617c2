"""The outlet copy network over a real database (SQLite and PostgreSQL), and its command."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
import typer
from typer.testing import CliRunner

from provenance.cli_network import network
from provenance.network import build_network
from provenance.network_graph import OutletNetwork
from provenance.service import Service, ingest_path
from provenance.storage.network_repository import copy_records, outlet_counts

TEXTS = {
    "budget": (
        "The city council approved a new budget on Tuesday after a long debate about school "
        "funding. Road repairs will receive twelve million euros, and the central library will "
        "stay open. Residents had collected more than ten thousand signatures to save the library "
        "building. The mayor said the vote showed that citizens can change decisions when they "
        "organise. Opposition members criticised the plan as too expensive and warned about debt."
    ),
    "football": (
        "The regional football league ended with a surprise on Sunday when the visiting team "
        "scored three goals in the final ten minutes. Supporters celebrated in the streets until "
        "midnight, and the coach said the players had never given up despite a difficult first "
        "half. The club's chairman promised a new training ground for the youth academy next "
        "year, and the captain dedicated the trophy to a former teammate who retired in spring."
    ),
    "harbour": (
        "Dock workers at the northern harbour began a two-day strike on Monday over night shifts "
        "and safety equipment. Container ships queued outside the port while negotiators met in "
        "a hotel near the station. The union said cranes had failed twice this month and that "
        "injured workers waited hours for help. The port authority offered to hire forty more "
        "staff, but union leaders called the proposal vague and asked for written guarantees."
    ),
    "forest": (
        "Volunteers planted eight thousand oak and beech saplings on the burnt hills above the "
        "village over the weekend. Foresters chose native species that resist drought better "
        "than the pines lost in last summer's fire. Schoolchildren labelled each row with the "
        "names of their classes and promised to water them through July. The regional government "
        "will pay for fences against deer, and a second planting day is planned for November."
    ),
    "comet": (
        "Amateur astronomers photographed a faint green comet low on the eastern horizon before "
        "dawn on Thursday. The comet will pass closest to the Earth next week and may become "
        "visible with binoculars far from city lights. The observatory on the ridge opens its "
        "telescopes to visitors on three evenings, weather permitting. Researchers hope that "
        "spectra taken this month will reveal how much water ice the nucleus still holds."
    ),
    "bakery": (
        "A family bakery that has sold rye bread on the market square since 1921 will close its "
        "doors at the end of the month. The owners said rising energy prices made the old wood "
        "oven too costly to run every night. Regular customers queued in the rain on Saturday "
        "to buy the last loaves and to leave handwritten notes of thanks on the shop window. The "
        "town museum has asked to keep the brass scales and the carved shop sign for its archive."
    ),
}


NAMES = {"alpha": "Alpha News", "beta": "Beta Daily", "gamma": "Gamma Wire", "delta": "Delta Post"}


def _record(url: str, text: str, published: str | None, fetched: str) -> dict[str, str]:
    outlet = NAMES[url.split("//")[1].split(".")[0]]
    record = {"url": url, "text": text, "outlet": outlet, "fetched_at": f"2024-05-17T{fetched}:00Z"}
    if published is not None:
        record["published_at"] = published if "T" in published else f"2024-05-17T{published}:00Z"
    return record


def _records() -> list[dict[str, str]]:
    t = TEXTS
    return [
        _record("https://alpha.test/budget", t["budget"], "08:00", "08:10"),
        _record(
            "https://beta.test/budget", t["budget"] + "\n\nSource: Alpha News", "10:00", "10:05"
        ),
        _record("https://alpha.test/football", t["football"], "09:00", "09:05"),
        _record("https://gamma.test/football", t["football"], "12:00", "12:30"),
        _record("https://beta.test/harbour", t["harbour"], "07:00", "07:30"),
        # Dated after it was first seen: the date is not trusted, first-seen counts.
        _record("https://gamma.test/harbour", t["harbour"], "2024-05-18T07:00:00Z", "09:00"),
        _record("https://delta.test/forest", t["forest"], "06:00", "06:10"),
        _record("https://delta.test/forest-again", t["forest"], "11:00", "11:05"),
        _record("https://gamma.test/comet", t["comet"], "13:00", "13:05"),
        # Backdated an hour before the page it names as its source.
        _record(
            "https://alpha.test/comet", t["comet"] + "\n\nSource: Gamma Wire", "12:00", "14:00"
        ),
        _record("https://gamma.test/bakery", t["bakery"], None, "15:00"),
    ]


@pytest.fixture
def ingested(db_url: str, tmp_path: Path) -> str:
    """``db_url`` with the records above ingested."""
    path = tmp_path / "copies.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    report = ingest_path(path, db_url=db_url)
    assert report.stored == len(_records()) and not report.rejected
    return db_url


def _load(db_url: str) -> OutletNetwork:
    service = Service(db_url)
    try:
        with service.sessions() as session:
            return build_network(copy_records(session), outlet_counts(session))
    finally:
        service.close()


def test_stored_copies_make_the_expected_edges(ingested: str) -> None:
    graph = _load(ingested)
    edges = {(e.source.domain, e.copier.domain): e for e in graph.edges}
    assert set(edges) == {
        ("alpha.test", "beta.test"),
        ("alpha.test", "gamma.test"),
        ("beta.test", "gamma.test"),
        ("gamma.test", "alpha.test"),
    }
    assert all(e.count == 1 and e.partial_count == 0 for e in edges.values())
    lags = {pair: (e.median_lag_s, e.negative_lags) for pair, e in edges.items()}
    assert lags == {
        ("alpha.test", "beta.test"): (7200.0, 0),
        ("alpha.test", "gamma.test"): (10800.0, 0),
        ("beta.test", "gamma.test"): (7200.0, 0),  # gamma's first-seen, not its late date
        ("gamma.test", "alpha.test"): (-3600.0, 1),
    }
    credit = {pair: e.credited_share for pair, e in edges.items()}
    assert credit[("alpha.test", "beta.test")] == credit[("gamma.test", "alpha.test")] == 1.0
    assert credit[("alpha.test", "gamma.test")] == credit[("beta.test", "gamma.test")] == 0.0
    assert graph.same_outlet_copies == 1


def test_stored_outlets_have_their_counts(ingested: str) -> None:
    stats = {s.outlet.domain: s for s in _load(ingested).outlets}
    assert {d: (s.articles, s.copies, s.originals) for d, s in stats.items()} == {
        "alpha.test": (3, 1, 2),
        "beta.test": (2, 1, 1),
        "delta.test": (2, 1, 1),
        "gamma.test": (4, 2, 1),
    }
    assert stats["gamma.test"].copy_share == 0.5
    assert stats["delta.test"].self_copies == 1
    assert [(ref.domain, n) for ref, n in stats["gamma.test"].top_sources] == [
        ("alpha.test", 1),
        ("beta.test", 1),
    ]
    assert [ref.name for ref, _ in stats["alpha.test"].top_copiers] == ["Beta Daily", "Gamma Wire"]


def _app() -> typer.Typer:
    app = typer.Typer()
    outlets = typer.Typer()
    outlets.command("network")(network)
    app.add_typer(outlets, name="outlets")
    return app


def test_command_prints_json_and_a_table(ingested: str) -> None:
    result = CliRunner().invoke(_app(), ["outlets", "network", "--db", ingested])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert len(doc["edges"]) == 4 and doc["same_outlet_copies"] == 1
    assert "Outlet copy network" in result.stderr


def test_command_writes_files_and_filters_edges(ingested: str, tmp_path: Path) -> None:
    runner, app = CliRunner(), _app()
    out = tmp_path / "net.graphml"
    args = ["outlets", "network", "--db", ingested, "--format", "graphml", "-o", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    graph = nx.read_graphml(out)
    assert graph.nodes["gamma.test"]["label"] == "Gamma Wire"
    assert graph.edges["gamma.test", "alpha.test"]["negative_lags"] == 1
    result = runner.invoke(app, ["outlets", "network", "--db", ingested, "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 4
    result = runner.invoke(app, ["outlets", "network", "--db", ingested, "--min-count", "2"])
    assert json.loads(result.stdout)["edges"] == []
    result = runner.invoke(app, ["outlets", "network", "--db", ingested, "--format", "dot"])
    assert result.exit_code == 2
