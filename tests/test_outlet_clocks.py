"""Outlet clocks over a real database: printed times placed when a story is traced."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from provenance.export import export_stories
from provenance.models import DateSource, Member
from provenance.service import IngestReport, Service, ingest_path
from provenance.storage.network_repository import copy_records
from provenance.storage.tables import Article, StoryEvent
from provenance.stories import story_history, story_members

#: The bare outlet prints its wall clock, UTC+8, with no zone.
ZONE = timedelta(hours=8)
START = datetime(2024, 3, 4, 6, 0, tzinfo=UTC)
WORDS = (
    "harbour", "council", "budget", "railway", "school", "bridge", "water", "energy", "hospital",
    "court", "market", "festival", "museum", "airport", "election", "weather", "police", "theatre",
    "library", "farmers", "river", "tunnel", "housing", "tax", "wages", "port", "museum",
    "factory", "village", "park", "tram", "airline", "strike", "vote", "summit",
)  # fmt: skip


def _text(seed: int) -> str:
    rng = random.Random(seed)
    sentences = [" ".join(rng.choices(WORDS, k=12)).capitalize() + "." for _ in range(6)]
    return " ".join(sentences[:3]) + "\n\n" + " ".join(sentences[3:])


def _bare_page(i: int, text: str, published: datetime) -> dict[str, str]:
    wall = published + ZONE
    paragraphs = "".join(f"<p>{p}</p>" for p in text.split("\n\n"))
    html = (
        "<!DOCTYPE html><html><head><title>Report</title></head><body>"
        f"<div class='headline'>Report {i}</div>"
        f"<div class='date'>Published {wall:%d.%m.%Y %H:%M}</div>"
        f"<div class='content'>{paragraphs}</div></body></html>"
    )
    return {"url": f"https://bare-clock.test/city/report-{i}", "html": html}


def _outlet_pages(start: datetime, delays_min: list[int]) -> list[dict[str, str]]:
    """The bare outlet's own pages, each seen this many minutes after it appeared."""
    pages = []
    for i, delay in enumerate(delays_min):
        published = start + timedelta(hours=9 * i)
        page = _bare_page(i, _text(i), published)
        page["fetched_at"] = (published + timedelta(minutes=delay)).isoformat()
        pages.append(page)
    return pages


def _story(origin_time: datetime) -> tuple[dict[str, str], dict[str, str]]:
    """The bare outlet's page, found by the crawler only after a copy, and the copy."""
    origin = _bare_page(99, _text(99), origin_time)
    origin["fetched_at"] = (origin_time + timedelta(hours=9)).isoformat()
    copy = {
        "url": "https://copier.test/news/report",
        "text": _text(99),
        "outlet": "Copier",
        "published_at": (origin_time + timedelta(hours=2)).isoformat(),
        "fetched_at": (origin_time + timedelta(hours=2, minutes=5)).isoformat(),
    }
    return origin, copy


def _ingest(db_url: str, path: Path, records: list[dict[str, str]]) -> IngestReport:
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return ingest_path(path, db_url=db_url)


def _stored(db_url: str, url: str) -> tuple[Article, dict[str, Member], list[StoryEvent]]:
    """The stored row of ``url``, its story's members as traced, and the story's history."""
    service = Service(db_url)
    try:
        with service.sessions() as session:
            article = session.scalars(select(Article).where(Article.url_norm == url)).one()
            assert article.story_id is not None
            members = {m.url: m for m in story_members(session, article.story_id)}
            return article, members, story_history(session, article.story_id)
    finally:
        service.close()


def test_a_printed_time_is_placed_by_its_outlet_s_learned_clock(
    db_url: str, tmp_path: Path
) -> None:
    origin_time = START + timedelta(days=3)
    origin, copy = _story(origin_time)
    pages = [*_outlet_pages(START, [3, 5, 7, 9, 11, 13]), copy, origin]
    report = _ingest(db_url, tmp_path / "pages.jsonl", pages)
    assert report.stored == 8 and not report.rejected
    article, members, _ = _stored(db_url, origin["url"])
    assert article.published_source == str(DateSource.PRINTED)  # stored as printed
    placed = members[origin["url"]].dates[0]
    assert placed.source is DateSource.PRINTED_ZONED
    assert placed.value == origin_time
    # Learned from all seven pages: the one found late is outvoted, not left out.
    assert "UTC+08:00, learned from 7 of its pages" in placed.detail
    story = next(s for s in export_stories(db_url=db_url) if s["size"] == 2)
    assert datetime.fromisoformat(story["first_published_at"]) == origin_time
    # Found after its copy, the page is the origin by its placed time, and the
    # copy's lag to it says how that time was placed.
    assert story["origin_url"] == origin["url"]
    # The export shows the placed time, though the row keeps the printed one.
    (shown,) = [a for a in story["articles"] if a["url"] == origin["url"]]
    assert datetime.fromisoformat(shown["published_at"]) == origin_time
    (copied,) = [a for a in story["articles"] if a["relation"] == "copy"]
    lag = next(e["detail"] for e in copied["evidence"] if e["kind"].startswith("lag_"))
    assert "by dates" in lag and "clock is UTC+08:00" in lag


def _network_edges(db_url: str) -> list[tuple[str, str, float | None]]:
    """(source domain, copier domain, lag in seconds) of every stored copy edge."""
    service = Service(db_url)
    try:
        with service.sessions() as session:
            return [(r.source.domain, r.copier.domain, r.lag_s) for r in copy_records(session)]
    finally:
        service.close()


def test_the_copy_network_times_lags_by_placed_printed_times(db_url: str, tmp_path: Path) -> None:
    origin_time = START + timedelta(days=3)
    origin, copy = _story(origin_time)
    # Without a clock the printed time places nothing: the page found nine
    # hours late looks like the copy, timed by when the crawler found it.
    _ingest(db_url, tmp_path / "story.jsonl", [copy, origin])
    late = timedelta(hours=9) - timedelta(hours=2)
    assert _network_edges(db_url) == [("copier.test", "bare-clock.test", late.total_seconds())]
    # Its outlet's pages teach the clock: the story is re-traced, and the
    # edge is timed by the placed time, two hours before the copy.
    _ingest(db_url, tmp_path / "pages.jsonl", _outlet_pages(START, [3, 5, 7, 9, 11, 13]))
    two_hours = timedelta(hours=2).total_seconds()
    assert _network_edges(db_url) == [("bare-clock.test", "copier.test", two_hours)]


def test_an_outlet_with_too_few_pages_keeps_its_printed_times_unplaced(
    db_url: str, tmp_path: Path
) -> None:
    origin, copy = _story(START)
    _ingest(db_url, tmp_path / "pages.jsonl", [origin, copy])
    _, members, _ = _stored(db_url, origin["url"])
    kept = members[origin["url"]].dates[0]
    assert (kept.source, kept.value) == (DateSource.PRINTED, START + ZONE)
    # Shown as the wall clock it is, with no zone, not as a UTC time.
    (story,) = [s for s in export_stories(db_url=db_url) if s["size"] == 2]
    (shown,) = [a for a in story["articles"] if a["url"] == origin["url"]]
    assert shown["published_at"] == (START + ZONE).replace(tzinfo=None).isoformat()


def test_a_newly_learned_clock_retraces_the_stories_it_places(db_url: str, tmp_path: Path) -> None:
    origin, copy = _story(START)
    _ingest(db_url, tmp_path / "first.jsonl", [copy, origin])
    (before,) = [s for s in export_stories(db_url=db_url) if s["size"] == 2]
    assert datetime.fromisoformat(before["first_published_at"]) != START  # no clock yet
    # The outlet's next pages teach its clock.
    _ingest(db_url, tmp_path / "second.jsonl", _outlet_pages(START + timedelta(days=1), [4] * 6))
    (after,) = [s for s in export_stories(db_url=db_url) if s["size"] == 2]
    assert after["story_id"] == before["story_id"]
    assert datetime.fromisoformat(after["first_published_at"]) == START
    _, _, events = _stored(db_url, origin["url"])
    assert events[-1].reason.startswith("late evidence: ")
    assert "clock is UTC+08:00, learned from 7 of its pages" in events[-1].reason
