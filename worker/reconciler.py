"""The reconciler: re-enqueues work PostgreSQL says is unfinished.

It runs on beat's schedule (and from ``provenance reconcile``). A broker that
lost its queue (killed without AOF, flushed, replaced) loses no work: every
staged item still ``fetched`` and every story still ``needs_trace`` after the
grace period is enqueued again, and every outlet still waiting to have its
articles stripped of newly learnt boilerplate is done here. The ids are marked
re-enqueued in the same transaction that finds them and sent after it commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from provenance.distributed.broker import TaskSender
from provenance.distributed.process import transient_errors
from provenance.distributed.reconcile import stuck_items, untraced_stories
from provenance.distributed.restrip import restrip_pending_outlets

__all__ = ["Reconciled", "reconcile_once"]


@dataclass(frozen=True, slots=True)
class Reconciled:
    """What one pass re-enqueued: item and story counts."""

    items: int
    stories: int


def reconcile_once(
    sessions: sessionmaker[Session],
    sender: TaskSender,
    *,
    grace: float,
    queue_grace: float,
    batch: int,
) -> Reconciled:
    """Find stuck items and untraced stories; enqueue them again; finish pending re-strips.

    Args:
        sessions: Session factory of the database.
        sender: Where the tasks go.
        grace: Seconds after which a claimed, unfinished item (or an untraced
            story without new members) counts as stuck.
        queue_grace: Seconds after which a never-claimed item counts as lost.
        batch: Items per ``process`` task.

    Returns:
        What was re-enqueued.
    """
    now = datetime.now(UTC)
    before = now - timedelta(seconds=grace)
    with transient_errors():
        with sessions.begin() as session:
            items = stuck_items(
                session,
                claimed_before=before,
                enqueued_before=now - timedelta(seconds=queue_grace),
            )
        sender.process(items, batch=batch)
        restripped = restrip_pending_outlets(sessions)
        with sessions.begin() as session:
            stories = sorted(set(untraced_stories(session, before=before)) | restripped)
        sender.trace(stories)
    return Reconciled(len(items), len(stories))
