"""Diffs of stored copies against their traced parents (SQLite and PostgreSQL), and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from rich.console import Console
from sqlalchemy import select
from typer.testing import CliRunner

from provenance import cli_diff
from provenance.diffing import diff_for_url, diff_summaries
from provenance.service import Service, ingest_path
from provenance.storage.tables import Article, CopyEdge

PARAGRAPHS = [
    "The city council approved a new budget on Tuesday after a long debate about school "
    "funding. Road repairs will receive twelve million euros.",
    "Residents had collected more than ten thousand signatures to save the central library "
    "building. The library will stay open on weekends.",
    "The mayor said the vote showed that citizens can change decisions when they organise. "
    "She thanked the volunteers who had gathered signatures in the rain.",
    "Opposition members criticised the plan as too expensive and warned about future debt. "
    "They said the money would run out within three years.",
    "The budget takes effect in January. The first road works are planned for the spring, "
    "starting with the bridge on the northern ring road.",
]
INTRO = "Editor's note: this report is shared by our partners and lightly edited for our readers."
ORIGIN = "https://alpha.test/news/budget"
COPY = "https://beta.test/a/1"
TRUNCATED = "https://delta.test/t/9"


def _records() -> list[dict[str, str]]:
    return [
        {
            "url": ORIGIN,
            "title": "Council approves budget",
            "text": "\n\n".join(PARAGRAPHS),
            "outlet": "Alpha News",
            "published_at": "2024-05-17T08:00:00Z",
            "fetched_at": "2024-05-17T08:10:00Z",
        },
        {
            "url": COPY,
            "title": "Library saved as budget passes",
            "text": "\n\n".join([INTRO, *PARAGRAPHS, "Source: Alpha News"]),
            "outlet": "Beta Daily",
            "published_at": "2024-05-17T10:00:00Z",
            "fetched_at": "2024-05-17T10:05:00Z",
        },
        {
            "url": TRUNCATED,
            "title": "Council approves budget",
            "text": "\n\n".join([*PARAGRAPHS[:2], "Read more at Alpha News"]),
            "outlet": "Delta",
            "published_at": "2024-05-17T12:00:00Z",
            "fetched_at": "2024-05-17T12:05:00Z",
        },
    ]


@pytest.fixture
def service(db_url: str, tmp_path: Path) -> Iterator[Service]:
    """A database holding one three-article story, ingested from JSONL."""
    path = tmp_path / "articles.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _records()), encoding="utf-8")
    report = ingest_path(path, db_url=db_url)
    assert report.stored == 3 and not report.rejected
    opened = Service(db_url)
    try:
        yield opened
    finally:
        opened.close()


def test_diff_for_url_compares_a_copy_with_its_traced_parent(service: Service) -> None:
    with service.sessions() as session:
        diff = diff_for_url(session, COPY)
        assert diff is not None
        child = session.scalars(select(Article).where(Article.url_norm == COPY)).one()
        edge = session.scalars(select(CopyEdge).where(CopyEdge.child_id == child.id)).one()
        parent = session.get_one(Article, edge.parent_id)
    assert parent.url_norm == ORIGIN and diff.parent.url == ORIGIN
    assert (diff.parent.outlet, diff.child.outlet) == ("Alpha News", "Beta Daily")
    assert {n for n, v in diff.flags().items() if v} == {
        "headline_changed",
        "framing_added_start",
        "framing_added_end",
        "attribution_added",
    }
    assert diff.sources_added == ("Alpha News",)
    kinds = [str(op.kind) for op in diff.paragraphs]
    assert kinds == ["added", *["equal"] * len(PARAGRAPHS), "added"]
    assert diff.paragraphs[0].child == (INTRO,)


def test_truncated_copy_is_flagged_whichever_parent_was_chosen(service: Service) -> None:
    with service.sessions() as session:
        diff = diff_for_url(session, TRUNCATED)
    assert diff is not None and diff.parent.url in (ORIGIN, COPY)
    assert diff.truncated and diff.framing_added_end
    assert diff.counts()["paragraphs"]["equal"] == 2


def test_origin_and_unknown_url_have_no_diff(service: Service) -> None:
    with service.sessions() as session:
        assert diff_for_url(session, ORIGIN) is None
        assert diff_for_url(session, "https://unknown.test/x") is None


def test_diff_summaries_cover_every_copy_of_the_story(service: Service) -> None:
    with service.sessions() as session:
        ids = {a.url_norm: a.id for a in session.scalars(select(Article))}
        story_id = session.get_one(Article, ids[ORIGIN]).story_id
        assert story_id is not None
        summaries = diff_summaries(session, story_id)
        expected = diff_for_url(session, COPY)
        assert diff_summaries(session, 10_000) == {}
    assert set(summaries) == {ids[COPY], ids[TRUNCATED]}  # the origin has no parent
    assert expected is not None and summaries[ids[COPY]] == expected.summary()
    assert summaries[ids[TRUNCATED]]["flags"]["truncated"] is True
    assert json.loads(json.dumps(summaries[ids[COPY]])) == summaries[ids[COPY]]


# -- the CLI command -------------------------------------------------------------


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    # A wide console, so badges and URLs are not wrapped across lines.
    monkeypatch.setattr(cli_diff, "console", Console(width=200))
    monkeypatch.setattr(cli_diff, "errors", Console(width=200, stderr=True))
    return CliRunner()


def _app() -> typer.Typer:
    """A tiny app holding the command, registered as the ``provenance`` CLI will."""
    app = typer.Typer()
    app.callback()(lambda: None)  # keep "diff" a subcommand, as in the full CLI
    app.command()(cli_diff.diff)
    return app


def test_cli_diff_renders_flags_and_paragraphs(
    service: Service, db_url: str, runner: CliRunner
) -> None:
    result = runner.invoke(_app(), ["diff", COPY, "--db", db_url])
    assert result.exit_code == 0, result.output
    for badge in ("headline changed", "framing added at start", "attribution added"):
        assert badge in result.output
    assert "+ " + INTRO in result.output
    assert "- Council approves budget" in result.output
    assert "+ Library saved as budget passes" in result.output
    assert "unchanged paragraph(s)" in result.output  # the middle of the body is folded
    wide = runner.invoke(_app(), ["diff", COPY, "--db", db_url, "--side-by-side", "--full"])
    assert wide.exit_code == 0, wide.output
    assert "parent: Alpha News" in wide.output and "copy: Beta Daily" in wide.output
    raw = runner.invoke(_app(), ["diff", TRUNCATED, "--db", db_url, "--json"])
    assert raw.exit_code == 0, raw.output
    assert json.loads(raw.output)["flags"]["truncated"] is True


def test_cli_diff_origin_unknown_and_invalid_urls(
    service: Service, db_url: str, runner: CliRunner
) -> None:
    origin = runner.invoke(_app(), ["diff", ORIGIN, "--db", db_url])
    assert origin.exit_code == 0 and "origin of its story" in origin.output
    unknown = runner.invoke(_app(), ["diff", "https://unknown.test/x", "--db", db_url])
    assert unknown.exit_code == 1
    assert runner.invoke(_app(), ["diff", "ftp://x.test/1", "--db", db_url]).exit_code == 2
