"""Enqueueing by name on a real Redis: the job runner and the reconciler."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from provenance.distributed.broker import TaskSender
from provenance.distributed.staging import stage_records
from provenance.jobs import CeleryJobRunner, job_runner
from provenance.raw_record import RawRecord
from provenance.settings import Settings
from provenance.storage.tables import IngestItem, Story
from worker.reconciler import reconcile_once


def _messages(redis_url: str, queue: str) -> list[dict[str, Any]]:
    with redis.Redis.from_url(redis_url) as client:
        raw = client.lrange(queue, 0, -1)
        client.delete(queue)
    found = []
    for item in raw:
        envelope = json.loads(item)
        body = json.loads(base64.b64decode(envelope["body"]))
        found.append({"task": envelope["headers"]["task"], "args": body[0]})
    return found


def test_a_broker_setting_selects_the_celery_runner_which_sends_by_name(redis_url: str) -> None:
    runner = job_runner(Settings(broker_url=redis_url))
    assert isinstance(runner, CeleryJobRunner)
    runner.submit(7)
    runner.close()
    assert _messages(redis_url, "crawl") == [{"task": "provenance.job", "args": [7]}]


def test_the_job_runner_does_not_import_the_worker() -> None:
    code = (
        "import sys; from provenance.jobs import job_runner;"
        "print(any(m == 'worker' or m.startswith('worker.') for m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def _stage(sessions: sessionmaker[Session], count: int) -> list[int]:
    records = [
        RawRecord(n, f"https://r.test/{n}", None, f"text {n}", None, None, None, None, None)
        for n in range(count)
    ]
    with sessions.begin() as session:
        return stage_records(session, records).ready


def test_the_reconciler_re_enqueues_abandoned_items_and_untraced_stories(
    pg_sessions: sessionmaker[Session], redis_url: str
) -> None:
    fresh, claimed, lost = _stage(pg_sessions, 3)
    long_ago = datetime.now(UTC) - timedelta(hours=3)
    with pg_sessions.begin() as session:
        session.execute(
            update(IngestItem).where(IngestItem.id == claimed).values(claimed_at=long_ago)
        )
        session.execute(
            update(IngestItem).where(IngestItem.id == lost).values(enqueued_at=long_ago)
        )
        session.add(Story(size=1, origin_evidence=[], needs_trace=True))
    sender = TaskSender(redis_url)
    found = reconcile_once(pg_sessions, sender, grace=600, queue_grace=3600, batch=10)
    sender.close()
    assert (found.items, found.stories) == (2, 1)
    assert _messages(redis_url, "process") == [
        {"task": "provenance.process", "args": [[claimed, lost]]}
    ]
    assert [m["task"] for m in _messages(redis_url, "trace")] == ["provenance.trace"]
    again = reconcile_once(
        pg_sessions, TaskSender(redis_url), grace=600, queue_grace=3600, batch=10
    )
    assert again.items == 0 and fresh not in (claimed, lost)  # re-enqueued items wait again
