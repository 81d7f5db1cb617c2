"""Submitting records to the workers: stage, commit, then enqueue.

The order matters: a task that arrived before its rows were committed would
find nothing to do and be acked, and the work would wait for the reconciler.
:class:`StagingService` is a :class:`~provenance.service.Service` whose ingest
stages and enqueues instead of processing in-process, so the crawler hands its
pages to the workers unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy.orm import Session, sessionmaker

from provenance.distributed.broker import TaskSender
from provenance.distributed.staging import StageReport, stage_records
from provenance.errors import InputError
from provenance.raw_record import RawRecord
from provenance.service import IngestReport, Service

__all__ = ["StagingService", "submit_records"]


def submit_records(
    sessions: sessionmaker[Session],
    records: Iterable[RawRecord | InputError],
    sender: TaskSender,
    *,
    batch: int,
    chunk: int = 2000,
) -> StageReport:
    """Stage records in chunks and enqueue each chunk's items after its commit.

    Args:
        sessions: Session factory of the database.
        records: Records, or errors a reader yielded among them (kept as rejected).
        sender: Where the ``process`` tasks go.
        batch: Items per ``process`` task.
        chunk: Records staged per transaction.

    Returns:
        Every id enqueued, and the rejected records.
    """
    total = StageReport()
    buffer: list[RawRecord] = []

    def flush() -> None:
        with sessions.begin() as session:
            report = stage_records(session, buffer)
        sender.process(report.ready, batch=batch)  # after the commit above
        total.ready.extend(report.ready)
        total.rejected.extend(report.rejected)
        buffer.clear()

    for item in records:
        if isinstance(item, InputError):
            total.rejected.append(item)
            continue
        buffer.append(item)
        if len(buffer) >= chunk:
            flush()
    if buffer:
        flush()
    return total


class StagingService(Service):
    """A pipeline whose ingest hands records to the workers.

    Args:
        db_url: The database (PostgreSQL).
        sender: Where the ``process`` tasks go.
        batch: Items per ``process`` task.
        on_staged: Called with the staged ids (tests, progress).
    """

    def __init__(
        self,
        db_url: str,
        *,
        sender: TaskSender,
        batch: int,
        on_staged: Callable[[list[int]], None] | None = None,
    ) -> None:
        super().__init__(db_url, migrate_schema=False)
        self._sender, self._batch = sender, batch
        self._on_staged = on_staged

    def ingest_records(
        self,
        records: Iterable[RawRecord | InputError],
        *,
        chunk: int = 500,
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Stage and enqueue the records; the report counts what was handed over."""
        staged = submit_records(
            self.sessions, records, self._sender, batch=self._batch, chunk=chunk
        )
        if self._on_staged is not None:
            self._on_staged(staged.ready)
        return IngestReport(stored=len(staged.ready), rejected=staged.rejected)
