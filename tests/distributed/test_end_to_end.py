"""Real ``provenance worker`` processes against real Redis and PostgreSQL.

No eager mode: the records go through the broker to two worker processes, and
the stories they build are compared with the embedded pipeline's.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.cluster import (
    WorkerProcess,
    embedded_partition,
    story_partition,
    wait_until_done,
    worker_env,
)
from provenance.distributed.broker import TaskSender
from provenance.distributed.submit import submit_records
from provenance.ingest import read_records
from provenance.storage.tables import Article, IngestItem


def test_two_workers_build_the_embedded_stories(
    pg_sessions: sessionmaker[Session],
    postgres_url: str,
    redis_url: str,
    corpus: Path,
    tmp_path: Path,
) -> None:
    env = worker_env(postgres_url, redis_url, process_batch=5)
    workers = [WorkerProcess(f"w{i}", env, log_path=tmp_path / f"w{i}.log") for i in range(2)]
    for w in workers:
        w.start()
    sender = TaskSender(redis_url)
    try:
        for w in workers:
            w.wait_for_pool()
        staged = submit_records(pg_sessions, read_records(corpus), sender, batch=5)
        wait_until_done(pg_sessions, timeout=180)
    finally:
        sender.close()
        for w in workers:
            w.stop()
    with pg_sessions() as session:
        articles = session.scalar(select(func.count(Article.id)))
        done = session.scalar(select(func.count()).where(IngestItem.state != "fetched"))
        partition = story_partition(session)
    assert articles == len(staged.ready) == done
    assert partition == embedded_partition(tmp_path / "embedded.sqlite", corpus)
    logs = "".join((tmp_path / f"w{i}.log").read_text() for i in range(2))
    assert "Traceback" not in logs
