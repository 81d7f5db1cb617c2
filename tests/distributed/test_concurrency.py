"""Two copies of one new story placed at the same moment end in one story.

The first copy's transaction is held open after it has taken its band locks
and placed its article; a second worker (a thread with its own connection)
processing the other copy must wait on a shared band key, then see the first
copy and join its story, instead of starting a second one.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from provenance.distributed.process import process_items
from provenance.distributed.staging import stage_records
from provenance.errors import ConfigError
from provenance.raw_record import RawRecord
from provenance.storage.tables import Article
from tests.distributed.holding import second_waits

_TEXT = " ".join(
    f"The regional council voted {n} times on the harbour budget, and the mayor said"
    f" the {n}th reading would settle the dispute over the northern quay."
    for n in range(12)
)


def _record(url: str, line: int) -> RawRecord:
    return RawRecord(line, url, None, _TEXT, "Harbour budget", None, None, None, None)


def _stage(sessions: sessionmaker[Session], *urls: str) -> list[int]:
    with sessions.begin() as session:
        return stage_records(session, [_record(u, n) for n, u in enumerate(urls, 1)]).ready


def test_a_concurrent_copy_waits_for_the_first_and_joins_its_story(
    pg_sessions: sessionmaker[Session],
) -> None:
    first, second = _stage(pg_sessions, "https://one.test/a", "https://two.test/b")
    waited = second_waits(pg_sessions, [first], [second])
    assert waited, "the second copy did not wait for the first one's band locks"
    with pg_sessions() as session:
        stories = set(session.scalars(select(Article.story_id)))
    assert len(stories) == 1 and None not in stories


def test_many_copies_processed_at_once_make_one_story(pg_sessions: sessionmaker[Session]) -> None:
    ids = _stage(pg_sessions, *(f"https://outlet{n}.test/story" for n in range(8)))
    threads = [threading.Thread(target=process_items, args=(pg_sessions, [i])) for i in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with pg_sessions() as session:
        stories = list(session.scalars(select(Article.story_id)))
    assert len(stories) == 8 and len(set(stories)) == 1


def test_distributed_processing_refuses_sqlite(sqlite_url: str) -> None:
    from provenance.storage.db import connect, migrate

    engine, sessions = connect(sqlite_url)
    migrate(engine)
    ids = _stage(sessions, "https://one.test/a")
    with pytest.raises(ConfigError, match="PostgreSQL"):
        process_items(sessions, ids)
    engine.dispose()
