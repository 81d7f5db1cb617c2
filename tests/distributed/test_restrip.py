"""Boilerplate learnt after an article was stored is stripped from it, as in the embedded mode.

The pages of ``tests/test_order.py``: four of one outlet ending in the same
editor's note (boilerplate from its third page on) and a copy of the first on
another outlet. Processed one task per page on PostgreSQL, the outlet's first
two pages are stored before the note is known; the texts and stories must end
as the embedded service leaves them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.cluster import story_partition
from provenance.distributed import process
from provenance.distributed.broker import TaskSender
from provenance.distributed.process import process_items
from provenance.distributed.staging import stage_records
from provenance.fingerprint import FingerprintOptions
from provenance.ingest import read_records
from provenance.raw_record import RawRecord
from provenance.service import Service
from provenance.storage.tables import Article, IngestItem, Outlet
from tests.distributed.holding import second_waits
from tests.distributed.test_broker import _messages
from tests.test_order import _NOTE, _outlet_records
from worker.reconciler import reconcile_once


def _write(records: list[dict[str, str]], path: Path) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _stage(sessions: sessionmaker[Session], path: Path) -> list[int]:
    """Stage the records; their item ids, which follow their URLs' order."""
    raw = [r for r in read_records(path) if isinstance(r, RawRecord)]
    with sessions.begin() as session:
        stage_records(session, raw)
        return list(session.scalars(select(IngestItem.id).order_by(IngestItem.id)))


def _state(sessions: sessionmaker[Session]) -> tuple[dict[str, tuple[str, str]], frozenset[object]]:
    with sessions() as session:
        texts = {a.url_norm: (a.status, a.text) for a in session.scalars(select(Article))}
        return texts, story_partition(session)


def _embedded(sqlite_url: str, path: Path) -> tuple[dict[str, tuple[str, str]], frozenset[object]]:
    service = Service(sqlite_url)
    try:
        service.ingest_records(read_records(path))
        return _state(service.sessions)
    finally:
        service.close()


@pytest.mark.parametrize("only_note", [False, True], ids=["note-at-end", "page-of-note"])
def test_one_task_per_page_ends_as_the_embedded_mode(
    only_note: bool, pg_sessions: sessionmaker[Session], sqlite_url: str, tmp_path: Path
) -> None:
    records = _outlet_records()
    if only_note:  # the first page is nothing but the note; the mirror copies it
        records[0] = {**records[0], "text": _NOTE}
        records[4] = {**records[0], "url": "https://mirror.test/0"}
    path = _write(records, tmp_path / "in.jsonl")
    for item in _stage(pg_sessions, path):
        process_items(pg_sessions, [item])
    texts, stories = _state(pg_sessions)
    assert all(_NOTE not in texts[f"https://harbour.test/{n}"][1] for n in range(1, 4))
    assert _NOTE in texts["https://mirror.test/0"][1]  # another outlet's page keeps it
    if only_note:
        assert texts["https://harbour.test/0"][0] == "boilerplate"
    assert (texts, stories) == _embedded(sqlite_url, path)
    with pg_sessions() as session:
        assert not any(session.scalars(select(Outlet.restrip_pending)))


def test_a_restrip_left_pending_by_a_killed_worker_is_done_by_the_reconciler(
    pg_sessions: sessionmaker[Session], sqlite_url: str, redis_url: str, tmp_path: Path
) -> None:
    path = _write(_outlet_records(), tmp_path / "in.jsonl")
    items = _stage(pg_sessions, path)
    for item in items[:2]:
        process_items(pg_sessions, [item])
    # The third page teaches the note; its worker dies after storing it, before
    # the re-strip (the steps of process_items, up to there).
    work = process._extract_items(
        pg_sessions, process._claim(pg_sessions, [items[2]]), process.ProcessResult()
    )
    process._learn_boilerplate(pg_sessions, work)
    process._store(pg_sessions, work[0], FingerprintOptions(), process.ProcessResult())
    texts, _ = _state(pg_sessions)
    assert _NOTE in texts["https://harbour.test/0"][1]
    with pg_sessions() as session:
        assert list(session.scalars(select(Outlet.restrip_pending).order_by(Outlet.id))) == [True]
        first = select(Article.story_id).where(Article.url_norm.endswith("harbour.test/0"))
        story = session.scalar(first)
    sender = TaskSender(redis_url)
    try:
        found = reconcile_once(pg_sessions, sender, grace=600, queue_grace=3600, batch=10)
    finally:
        sender.close()
    assert found.items == 0
    assert {"task": "provenance.trace", "args": [story]} in _messages(redis_url, "trace")
    texts, _ = _state(pg_sessions)
    assert all(_NOTE not in texts[f"https://harbour.test/{n}"][1] for n in range(3))
    for item in items[3:]:
        process_items(pg_sessions, [item])
    assert _state(pg_sessions) == _embedded(sqlite_url, path)


def test_a_restrip_waits_for_placements_in_flight(
    pg_sessions: sessionmaker[Session], sqlite_url: str, tmp_path: Path
) -> None:
    # An unrelated article's placement is held open before its commit (it holds
    # the placement lock shared); the outlet's third page teaches the note, and
    # its task's re-strip must wait for that placement to commit.
    other = {
        "url": "https://elsewhere.test/story",
        "text": " ".join(f"z{i}q" for i in range(80)) + ".",
        "published_at": "2024-05-20T08:00:00Z",
    }
    records = [*_outlet_records(), other]
    path = _write(records, tmp_path / "in.jsonl")
    _stage(pg_sessions, path)
    with pg_sessions() as session:
        rows = session.execute(select(IngestItem.url_norm, IngestItem.id))
        item_of = {str(url): int(item) for url, item in rows}
    harbour = [item_of[f"https://harbour.test/{n}"] for n in range(4)]
    for item in harbour[:2]:
        process_items(pg_sessions, [item])
    waited = second_waits(pg_sessions, [item_of["https://elsewhere.test/story"]], [harbour[2]])
    assert waited, "the re-strip ran while a placement held the lock"
    texts, _ = _state(pg_sessions)
    assert all(_NOTE not in texts[f"https://harbour.test/{n}"][1] for n in range(3))
    for item in (harbour[3], item_of["https://mirror.test/0"]):
        process_items(pg_sessions, [item])
    assert _state(pg_sessions) == _embedded(sqlite_url, path)
