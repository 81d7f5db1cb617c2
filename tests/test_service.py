"""The embedded pipeline over a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from typer.testing import CliRunner

from provenance.cli import app
from provenance.export import export_stories
from provenance.ingest import read_records
from provenance.service import Service, ingest_path
from provenance.storage.tables import Article, CopyEdge, Story

BASE = (
    "The city council approved a new budget on Tuesday after a long debate about school funding. "
    "Road repairs will receive twelve million euros, and the central library will stay open. "
    "Residents had collected more than ten thousand signatures to save the library building. "
    "The mayor said the vote showed that citizens can change decisions when they organise. "
    "Opposition members criticised the plan as too expensive and warned about future debt."
)
OTHER = (
    "The regional football league ended with a surprise on Sunday when the visiting team scored "
    "three goals in the final ten minutes. Supporters celebrated in the streets until midnight, "
    "and the coach said the players had never given up despite a difficult first half."
)


def _write(path: Path, records: list[Any]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write((record if isinstance(record, str) else json.dumps(record)) + "\n")
    return path


def _records() -> list[dict[str, str]]:
    return [
        {
            "url": "https://www.alpha.test/news/budget",
            "text": BASE,
            "outlet": "Alpha News",
            "published_at": "2024-05-17T08:00:00Z",
            "fetched_at": "2024-05-17T08:10:00Z",
        },
        {
            "url": "https://beta.test/a/1?utm_source=feed",
            "text": BASE + "\n\nSource: Alpha News",
            "published_at": "2024-05-17T10:00:00Z",
            "fetched_at": "2024-05-17T10:05:00Z",
        },
        {"url": "https://gamma.test/sport", "text": OTHER, "fetched_at": "2024-05-17T11:00:00Z"},
    ]


def _counts(db_url: str) -> tuple[int, int, int]:
    service = Service(db_url)
    try:
        with service.sessions() as session:
            return (
                int(session.scalar(select(func.count(Article.id))) or 0),
                int(session.scalar(select(func.count(Story.id))) or 0),
                int(session.scalar(select(func.count(CopyEdge.id))) or 0),
            )
    finally:
        service.close()


def test_ingest_groups_copies_and_traces_origin(db_url: str, tmp_path: Path) -> None:
    report = ingest_path(_write(tmp_path / "a.jsonl", _records()), db_url=db_url)
    assert report.stored == 3 and not report.rejected
    stories = list(export_stories(db_url=db_url))
    assert sorted(s["size"] for s in stories) == [1, 2]
    story = next(s for s in stories if s["size"] == 2)
    assert story["origin_url"] == "https://www.alpha.test/news/budget"
    assert story["origin_outlet"] == "Alpha News"
    copy = next(a for a in story["articles"] if a["relation"] == "copy")
    assert copy["url"] == "https://beta.test/a/1"  # tracking parameter dropped
    assert copy["parent_url"] == story["origin_url"]
    kinds = {e["kind"] for e in copy["evidence"]}
    assert "declared_source" in kinds
    assert any(kind.startswith("lag_") for kind in kinds)  # the dates, as the lag between them
    assert set(story) == {
        "story_id",
        "origin_url",
        "origin_outlet",
        "confidence",
        "first_published_at",
        "size",
        "articles",
    }
    contract = {
        "url",
        "outlet",
        "title",
        "published_at",
        "fetched_at",
        "parent_url",
        "relation",
        "similarity",
        "confidence",
        "evidence",
    }
    # The contract's fields are all there; the only additions are documented ones.
    assert contract <= set(copy) and set(copy) - contract <= {
        "credit",
        "declared_sources",
        "span",
        "diff",
    }
    assert copy["credit"] == "credited" and copy["declared_sources"] == ["Alpha News"]


def test_ingest_twice_changes_nothing(db_url: str, tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", _records())
    ingest_path(path, db_url=db_url)
    before = (_counts(db_url), list(export_stories(db_url=db_url)))
    again = ingest_path(path, db_url=db_url)
    assert again.stored == 0 and again.unchanged == 3
    assert (_counts(db_url), list(export_stories(db_url=db_url))) == before


def test_story_ids_stable_and_origin_redecided_when_earlier_copy_arrives(
    db_url: str, tmp_path: Path
) -> None:
    late, early = _records()[1], _records()[0]
    ingest_path(_write(tmp_path / "1.jsonl", [late]), db_url=db_url)
    (first,) = list(export_stories(db_url=db_url))
    assert first["origin_url"] == "https://beta.test/a/1"
    ingest_path(_write(tmp_path / "2.jsonl", [early]), db_url=db_url)
    (second,) = list(export_stories(db_url=db_url))
    assert second["story_id"] == first["story_id"]
    assert second["origin_url"] == "https://www.alpha.test/news/budget"


def test_bad_records_are_reported_and_the_rest_ingested(db_url: str, tmp_path: Path) -> None:
    good = _records()
    path = _write(
        tmp_path / "bad.jsonl",
        [
            good[0],
            "{not json",
            {"text": "no url"},
            {"url": "https://x.test/1", "html": "<p>a</p>", "text": "b"},
            {"url": "https://x.test/2"},
            {"url": "https://x.test/3", "text": "x", "published_at": "yesterday-ish"},
            {"url": "ftp://x.test/4", "text": "x"},
            good[2],
        ],
    )
    report = ingest_path(path, db_url=db_url)
    assert report.stored == 2
    assert sorted(e.line for e in report.rejected if e.line) == [2, 3, 4, 5, 6, 7]
    assert all(e.reason for e in report.rejected)


def test_bad_file_does_not_alter_stored_data(db_url: str, tmp_path: Path) -> None:
    ingest_path(_write(tmp_path / "a.jsonl", _records()), db_url=db_url)
    before = list(export_stories(db_url=db_url))
    changed = dict(_records()[0], text="Something else entirely, a rewrite of the page.")
    report = ingest_path(_write(tmp_path / "b.jsonl", ["garbage", changed]), db_url=db_url)
    assert report.changed == 1 and len(report.rejected) == 1
    assert list(export_stories(db_url=db_url)) == before


def test_empty_and_boilerplate_pages_join_no_story(db_url: str, tmp_path: Path) -> None:
    footer = (
        "Cookies help us deliver our services. Subscribe to our newsletter. All rights reserved."
    )
    pages = [{"url": f"https://delta.test/p{i}", "text": f"{footer}"} for i in range(4)]
    pages.append({"url": "https://delta.test/empty", "html": "<html><body></body></html>"})
    ingest_path(_write(tmp_path / "e.jsonl", pages), db_url=db_url)
    service = Service(db_url)
    with service.sessions() as session:
        rows = list(session.scalars(select(Article)))
        assert len(rows) == 5
        assert all(a.story_id is None and a.status in ("empty", "boilerplate") for a in rows)
    service.close()
    assert list(export_stories(db_url=db_url)) == []


def test_cli_ingest_stories_trace_export(sqlite_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    path = _write(tmp_path / "a.jsonl", [*_records(), "broken line"])
    result = runner.invoke(app, ["ingest", str(path), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "stored 3 new article(s)" in result.output
    result = runner.invoke(app, ["stories", "--db", sqlite_url])
    assert result.exit_code == 0 and "Alpha News" in result.output
    result = runner.invoke(app, ["trace", "https://beta.test/a/1", "--db", sqlite_url])
    assert result.exit_code == 0 and "declared_source" in result.output
    out = tmp_path / "stories.jsonl"
    result = runner.invoke(
        app, ["export", "stories", "--format", "jsonl", "-o", str(out), "--db", sqlite_url]
    )
    assert result.exit_code == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2


def test_cli_trace_explain_says_who_is_credited_and_why(sqlite_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    path = _write(tmp_path / "a.jsonl", _records())
    assert runner.invoke(app, ["ingest", str(path), "--db", sqlite_url]).exit_code == 0
    result = runner.invoke(
        app,
        ["trace", "https://beta.test/a/1", "--explain", "--db", sqlite_url],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any("Origin: Alpha News" in line for line in lines)
    heading = next(line for line in lines if "copy of Alpha News" in line)
    assert "credits Alpha News" in heading and "attribution added" in heading
    # Each piece of evidence with its signed weight, in words.
    assert any("names Alpha News as its source" in line and "+" in line for line in lines)


def test_cli_exit_codes(sqlite_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    bad = _write(tmp_path / "bad.jsonl", ["nope", {"url": "https://x.test"}])
    assert runner.invoke(app, ["ingest", str(bad), "--db", sqlite_url]).exit_code == 1
    mixed = _write(tmp_path / "mixed.jsonl", [_records()[0], "nope"])
    assert runner.invoke(app, ["ingest", str(mixed), "--strict", "--db", sqlite_url]).exit_code == 2
    assert _counts(sqlite_url)[0] == 0  # strict refused everything
    assert runner.invoke(app, ["ingest", str(mixed), "--db", sqlite_url]).exit_code == 0
    assert (
        runner.invoke(app, ["trace", "https://unknown.test/x", "--db", sqlite_url]).exit_code == 1
    )


def test_reader_and_service_agree_on_line_numbers(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", ["", _records()[0], "x"])
    items = list(read_records(path))
    assert [getattr(i, "line", None) for i in items] == [2, 3]


def test_late_evidence_retraces_and_keeps_history(db_url: str, tmp_path: Path) -> None:
    from provenance.stories import story_history

    first = [
        {
            "url": "https://www.alpha.test/news/budget",
            "text": BASE,
            "outlet": "Alpha News",
            "fetched_at": "2024-05-17T12:00:00Z",
        },
        {
            "url": "https://beta.test/a/1",
            "text": BASE,
            "published_at": "2024-05-17T10:00:00Z",
            "fetched_at": "2024-05-17T10:05:00Z",
        },
    ]
    ingest_path(_write(tmp_path / "1.jsonl", first), db_url=db_url)
    (before,) = list(export_stories(db_url=db_url))
    assert before["origin_url"] == "https://beta.test/a/1"
    # A feed later shows Alpha published the story at 08:00: same text, a new date.
    late = [dict(first[0], published_at="2024-05-17T08:00:00Z", fetched_at="2024-05-17T08:05:00Z")]
    report = ingest_path(_write(tmp_path / "2.jsonl", late), db_url=db_url)
    assert report.late_evidence == 1 and report.stored == 0
    (after,) = list(export_stories(db_url=db_url))
    assert after["story_id"] == before["story_id"]
    assert after["origin_url"] == "https://www.alpha.test/news/budget"
    service = Service(db_url)
    try:
        with service.sessions() as session:
            events = story_history(session, after["story_id"])
    finally:
        service.close()
    assert events[0].reason == "membership changed"
    assert events[-1].reason.startswith("late evidence for https://www.alpha.test/news/budget")
    assert events[-1].origin_before != events[-1].origin_after


def test_quote_lands_in_the_source_story_whichever_arrives_first(
    db_url: str, tmp_path: Path
) -> None:
    words = [f"w{i}x" for i in range(400)]
    source_words, roundup_words = words[:150], words[150:400]
    source = {
        "url": "https://source.test/report",
        "text": " ".join(source_words) + ".",
        "published_at": "2024-05-17T08:00:00Z",
    }
    roundup = {
        "url": "https://roundup.test/week",
        "text": " ".join(roundup_words[:120])
        + ". As the report put it: "
        + " ".join(source_words[:40])
        + ". "
        + " ".join(roundup_words[120:]),
        "published_at": "2024-05-18T08:00:00Z",
    }
    ingest_path(_write(tmp_path / "1.jsonl", [roundup]), db_url=db_url)
    ingest_path(_write(tmp_path / "2.jsonl", [source]), db_url=db_url)
    (story,) = list(export_stories(db_url=db_url))
    relations = {a["url"]: a["relation"] for a in story["articles"]}  # type: ignore[union-attr]
    assert relations == {source["url"]: "origin", roundup["url"]: "partial"}
