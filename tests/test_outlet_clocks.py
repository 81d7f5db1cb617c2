"""Outlet clocks over a real database: printed times placed when a story is traced."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from provenance.export import export_stories
from provenance.models import DateSource
from provenance.service import Service, ingest_path
from provenance.storage.tables import Article
from provenance.stories import story_members

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


def test_a_printed_time_is_placed_by_its_outlet_s_learned_clock(
    db_url: str, tmp_path: Path
) -> None:
    records = []
    for i in range(6):  # pages the crawler saw a few minutes after they appeared
        published = START + timedelta(hours=9 * i)
        record = _bare_page(i, _text(i), published)
        record["fetched_at"] = (published + timedelta(minutes=3 + 2 * i)).isoformat()
        records.append(record)
    # The story: the bare outlet's page, found by the crawler only after a copy.
    origin_time = START + timedelta(days=3)
    origin = _bare_page(99, _text(99), origin_time)
    origin["fetched_at"] = (origin_time + timedelta(hours=9)).isoformat()
    copy = {
        "url": "https://copier.test/news/report",
        "text": _text(99),
        "outlet": "Copier",
        "published_at": (origin_time + timedelta(hours=2)).isoformat(),
        "fetched_at": (origin_time + timedelta(hours=2, minutes=5)).isoformat(),
    }
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [*records, copy, origin]))
    report = ingest_path(path, db_url=db_url)
    assert report.stored == 8 and not report.rejected

    service = Service(db_url)
    try:
        with service.sessions() as session:
            article = session.scalars(
                select(Article).where(Article.url_norm == origin["url"])
            ).one()
            assert article.published_source == str(DateSource.PRINTED)  # stored as printed
            assert article.story_id is not None
            members = {m.url: m for m in story_members(session, article.story_id)}
    finally:
        service.close()
    placed = members[origin["url"]].dates[0]
    assert placed.source is DateSource.PRINTED_ZONED
    assert placed.value == origin_time
    # Learned from all seven pages: the one found late is outvoted, not left out.
    assert "UTC+08:00, learned from 7 of its pages" in placed.detail
    story = next(s for s in export_stories(db_url=db_url) if s["size"] == 2)
    assert datetime.fromisoformat(story["first_published_at"]) == origin_time


def test_an_outlet_with_too_few_pages_keeps_its_printed_times_unplaced(
    db_url: str, tmp_path: Path
) -> None:
    published = START
    page = _bare_page(1, _text(1), published)
    page["fetched_at"] = (published + timedelta(minutes=4)).isoformat()
    copy = {"url": "https://copier.test/news/1", "text": _text(1), "outlet": "Copier"}
    copy["fetched_at"] = (published + timedelta(hours=1)).isoformat()
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [page, copy]))
    ingest_path(path, db_url=db_url)
    service = Service(db_url)
    try:
        with service.sessions() as session:
            article = session.scalars(select(Article).where(Article.url_norm == page["url"])).one()
            assert article.story_id is not None
            members = {m.url: m for m in story_members(session, article.story_id)}
    finally:
        service.close()
    kept = members[page["url"]].dates[0]
    assert (kept.source, kept.value) == (DateSource.PRINTED, published + ZONE)
