"""Distributed mode: a newly learned outlet clock sends the stories it places to tracing."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from provenance.distributed import process
from provenance.distributed.process import process_items
from provenance.distributed.staging import stage_records
from provenance.ingest import read_records
from provenance.raw_record import RawRecord
from provenance.storage.tables import Article, IngestItem, Story
from tests.test_outlet_clocks import START, _outlet_pages, _story


def _process(
    sessions: sessionmaker[Session], records: list[dict[str, str]], path: Path
) -> set[int]:
    """Stage and process the records as one batch, trace what it names; those stories."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    raw = [r for r in read_records(path) if isinstance(r, RawRecord)]
    with sessions.begin() as session:
        known = set(session.scalars(select(IngestItem.id)))
        stage_records(session, raw)
        items = sorted(set(session.scalars(select(IngestItem.id))) - known)
    stories = process_items(sessions, items).stories
    for story_id in stories:
        process.trace_story(sessions, story_id)
    return stories


def test_a_newly_learned_clock_retraces_the_stories_it_places(
    pg_sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    origin, copy = _story(START)
    (story_id,) = _process(pg_sessions, [copy, origin], tmp_path / "first.jsonl")
    with pg_sessions() as session:
        assert session.get_one(Story, story_id).first_published_at != START  # no clock yet
    later = _outlet_pages(START + timedelta(days=1), [4] * 6)
    due = _process(pg_sessions, later, tmp_path / "second.jsonl")
    assert story_id in due  # sent to tracing with the new pages' own stories
    with pg_sessions() as session:
        story = session.get_one(Story, story_id)
        assert story.first_published_at == START and not story.needs_trace
        stored = session.scalars(select(Article).where(Article.url_norm == origin["url"])).one()
        assert stored.story_id == story_id
