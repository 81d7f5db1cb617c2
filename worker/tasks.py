"""The tasks: thin, by id, idempotent (STYLE.md §5).

Each task loads by id, calls the pipeline step in :mod:`provenance.distributed`,
which commits, and only then enqueues what follows, so no message ever points
at rows that are not yet visible. Only :class:`~provenance.errors.StorageError`
(deadlocks, lost connections) is retried, with backoff; any other failure is a
bug or bad data, and the reconciler, not a retry loop, gets another go at it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any, TypeVar

import redis
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from provenance.distributed.broker import (
    CRAWL_DUE_TASK,
    JOB_TASK,
    PROCESS_TASK,
    RECONCILE_TASK,
    TRACE_TASK,
    TaskSender,
)
from provenance.distributed.process import process_items, trace_story
from provenance.errors import StorageError
from provenance.settings import get_settings
from provenance.storage.db import connect
from worker.celery_app import app
from worker.reconciler import reconcile_once

__all__ = ["crawl_due", "job", "process", "reconcile", "trace"]

_log = logging.getLogger(__name__)
_RETRY: dict[str, Any] = {
    "autoretry_for": (StorageError,),
    "retry_backoff": 1,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 20,
}
_F = TypeVar("_F", bound=Callable[..., Any])


def _task(name: str, *, bind: bool = False) -> Callable[[_F], _F]:
    """``app.task`` with our retry policy, typed (Celery ships no type information)."""
    decorator: Callable[[_F], _F] = app.task(name=name, bind=bind, **_RETRY)
    return decorator


#: Seconds a trace-pending marker lives if its trace never runs.
_MARK_TTL = 600
#: Key of the advisory lock that keeps two crawls from polling the same feeds.
_CRAWL_LOCK = 0x70726F76


@lru_cache(maxsize=1)
def sessions() -> sessionmaker[Session]:
    """This process's session factory, made on first use (after the pool's fork)."""
    _engine, factory = connect(get_settings().database_url)
    return factory


@lru_cache(maxsize=1)
def sender() -> TaskSender:
    """Enqueues follow-up tasks through this worker's own app and connection pool."""
    return TaskSender(get_settings().broker_url or "", app=app)


@lru_cache(maxsize=1)
def _redis() -> redis.Redis | None:
    url = get_settings().broker_url or ""
    return redis.Redis.from_url(url) if url.startswith(("redis://", "rediss://")) else None


def _trace_key(story_id: int) -> str:
    return f"provenance:trace-pending:{story_id}"


def _enqueue_traces(story_ids: list[int], task_id: str) -> None:
    """Enqueue a trace per story unless one is already waiting in the queue.

    A story gaining members in many batches would otherwise be traced once per
    batch. The marker is taken (SET NX, holding this task's id) after the
    member's commit and dropped by the trace task *before* it locks the story,
    so a member committed after a trace has read the story always gets a trace
    of its own. A delivery killed between taking the marker and sending is
    redelivered with the same task id, finds its own marker and sends. Lost
    messages (a broker that lost its data) are the reconciler's: it traces any
    story left ``needs_trace``, markers or not.
    """
    client = _redis()
    wanted = []
    for story in story_ids:
        key = _trace_key(story)
        if (
            client is None
            or client.set(key, task_id, nx=True, ex=_MARK_TTL)
            or client.get(key) == task_id.encode()
        ):
            wanted.append(story)
    sender().trace(wanted)


@_task(PROCESS_TASK, bind=True)
def process(self: Any, item_ids: list[int]) -> dict[str, int]:
    """Process staged items; then enqueue the traces of the stories they joined."""
    result = process_items(sessions(), item_ids)
    _enqueue_traces(sorted(result.stories), str(self.request.id))  # after the commits
    return {"stored": result.stored, "skipped": result.skipped, "rejected": result.rejected}


@_task(TRACE_TASK)
def trace(story_id: int) -> bool:
    """Trace a story if its membership changed since its last trace."""
    client = _redis()
    if client is not None:
        client.delete(_trace_key(story_id))
    return trace_story(sessions(), story_id)


@_task(RECONCILE_TASK)
def reconcile() -> dict[str, int]:
    """Re-enqueue work stuck in PostgreSQL (see :mod:`worker.reconciler`)."""
    settings = get_settings()
    found = reconcile_once(
        sessions(),
        sender(),
        grace=settings.reconcile_grace,
        queue_grace=settings.reconcile_queue_grace,
        batch=settings.process_batch,
    )
    return {"items": found.items, "stories": found.stories}


@contextmanager
def _crawl_lock() -> Iterator[bool]:
    # A session-level advisory lock on its own connection: released by the
    # server if this worker dies, so a crash never blocks crawling for good.
    engine = sessions().kw["bind"]
    with engine.connect() as connection:
        got = bool(
            connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _CRAWL_LOCK}).scalar()
        )
        try:
            yield got
        finally:
            if got:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _CRAWL_LOCK})


@_task(CRAWL_DUE_TASK)
def crawl_due() -> dict[str, int]:
    """Poll the due feeds and sitemaps; their new pages are staged and enqueued."""
    from worker.crawling import crawl_once

    with _crawl_lock() as got:
        if not got:  # the previous crawl is still running: this beat is skipped
            return {"skipped": 1}
        return asyncio.run(crawl_once(get_settings(), sender()))


@_task(JOB_TASK)
def job(job_id: int) -> None:
    """Run a submission job of the API (see :mod:`provenance.jobs`)."""
    from worker.crawling import run_job

    asyncio.run(run_job(get_settings(), job_id))
