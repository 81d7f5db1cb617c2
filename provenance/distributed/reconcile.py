"""Finding work left behind: the queries of the reconciler.

PostgreSQL is the truth and the broker only a hint. Work is *stuck* when its
row says it is unfinished and nothing has touched it for the grace period: an
item still ``fetched`` after its message was lost (a broker restarted without
its data, a task dropped after too many retries), or a story still
``needs_trace`` after its trace task was lost. Re-enqueueing is safe because
every task is idempotent; the grace period only avoids doubling work that is
merely waiting in the queue.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from provenance.storage.tables import IngestItem, Story

__all__ = ["stuck_items", "untraced_stories"]


def stuck_items(
    session: Session, *, claimed_before: datetime, enqueued_before: datetime, limit: int = 10_000
) -> list[int]:
    """Items still ``fetched`` that look abandoned; marks them re-enqueued.

    Two kinds: claimed by a task before ``claimed_before`` (past every hard time
    limit, so that task is dead), or never claimed and enqueued before
    ``enqueued_before`` (a much longer wait: a deep queue is not a lost one).
    The caller commits, then enqueues the ids returned.
    """
    claimed = IngestItem.claimed_at.is_not(None) & (IngestItem.claimed_at < claimed_before)
    unclaimed = IngestItem.claimed_at.is_(None) & (IngestItem.enqueued_at < enqueued_before)
    query = (
        select(IngestItem.id)
        .where(IngestItem.state == "fetched", claimed | unclaimed)
        .order_by(IngestItem.id)
        .limit(limit)
    )
    ids = list(session.scalars(query))
    if ids:
        # Reset the claim: the next claim dates the new attempt.
        session.execute(
            update(IngestItem)
            .where(IngestItem.id.in_(ids))
            .values(enqueued_at=datetime.now(UTC), claimed_at=None)
        )
    return ids


def untraced_stories(session: Session, *, before: datetime, limit: int = 10_000) -> list[int]:
    """Live stories needing a trace that gained no member since ``before``."""
    recent = exists().where(IngestItem.story_id == Story.id, IngestItem.processed_at >= before)
    query = (
        select(Story.id)
        .where(Story.needs_trace.is_(True), Story.merged_into.is_(None), ~recent)
        .order_by(Story.id)
        .limit(limit)
    )
    return list(session.scalars(query))
