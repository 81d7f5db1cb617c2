"""The Celery application: ``celery -A worker.celery_app worker``.

Tasks arrive with the distributed-mode work; until then the application is real but
has none of its own, so a worker starts and consumes its queues. The broker URL
comes from ``PROVENANCE_BROKER_URL`` for now; it moves to ``provenance.settings``
when that lands, as only edges read settings.
"""

from __future__ import annotations

import os

from celery import Celery

__all__ = ["DEFAULT_BROKER_URL", "app", "broker_url"]

#: In-process transport: enough to import and inspect the app without a Redis.
DEFAULT_BROKER_URL = "memory://"


def broker_url() -> str:
    """Return the broker URL: ``PROVENANCE_BROKER_URL``, else :data:`DEFAULT_BROKER_URL`."""
    return os.environ.get("PROVENANCE_BROKER_URL") or DEFAULT_BROKER_URL


app = Celery("provenance", broker=broker_url())
app.conf.update(
    # Without it Celery 5.3+ warns at worker start; retrying suits compose, where
    # the broker may come up after the worker.
    broker_connection_retry_on_startup=True,
)
