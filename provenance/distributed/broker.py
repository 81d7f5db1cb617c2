"""Sending tasks by name: the producers' side of the broker.

The CLI, the API and the workers enqueue through a :class:`TaskSender`, which
holds a bare Celery client for the broker URL and sends by task *name* and
queue, so nothing that enqueues imports the worker's code (STYLE.md §5).
"""

from __future__ import annotations

from collections.abc import Sequence

from celery import Celery

__all__ = [
    "CRAWL_DUE_TASK",
    "CRAWL_QUEUE",
    "JOB_TASK",
    "PROCESS_QUEUE",
    "PROCESS_TASK",
    "QUEUES",
    "RECONCILE_TASK",
    "TRACE_QUEUE",
    "TRACE_TASK",
    "TaskSender",
]

CRAWL_QUEUE, PROCESS_QUEUE, TRACE_QUEUE = "crawl", "process", "trace"
#: Every queue a worker consumes by default.
QUEUES = (CRAWL_QUEUE, PROCESS_QUEUE, TRACE_QUEUE)

CRAWL_DUE_TASK = "provenance.crawl_due"
PROCESS_TASK = "provenance.process"
TRACE_TASK = "provenance.trace"
RECONCILE_TASK = "provenance.reconcile"
JOB_TASK = "provenance.job"


class TaskSender:
    """Enqueues the pipeline's tasks on a broker.

    Args:
        broker_url: The broker (``redis://...``).
        app: A Celery app to send with instead of a new client (the worker's own).
    """

    def __init__(self, broker_url: str, *, app: Celery | None = None) -> None:
        self._app = app or Celery("provenance-client", broker=broker_url)
        if app is None:
            self._app.conf.broker_connection_retry_on_startup = True

    def process(self, item_ids: Sequence[int], *, batch: int) -> int:
        """Enqueue ``process`` tasks of at most ``batch`` item ids; returns how many."""
        ids = list(item_ids)
        for start in range(0, len(ids), batch):
            self._send(PROCESS_TASK, [ids[start : start + batch]], PROCESS_QUEUE)
        return (len(ids) + batch - 1) // batch

    def trace(self, story_ids: Sequence[int]) -> None:
        """Enqueue one ``trace`` task per story."""
        for story_id in story_ids:
            self._send(TRACE_TASK, [story_id], TRACE_QUEUE)

    def job(self, job_id: int) -> None:
        """Enqueue a submission job (see :mod:`provenance.jobs`)."""
        self._send(JOB_TASK, [job_id], CRAWL_QUEUE)

    def _send(self, name: str, args: list[object], queue: str) -> None:
        self._app.send_task(name, args=args, queue=queue)

    def close(self) -> None:
        """Release the broker connections of a client this sender made."""
        self._app.close()
