"""The Celery application: ``provenance worker`` (or ``celery -A worker.celery_app worker``).

Configured from the one settings object (:class:`provenance.settings.Settings`).
Delivery is *at least once*: a task is acknowledged only after it finished, so
any crash redelivers it, and every task is idempotent so that a redelivery is
harmless. PostgreSQL holds the truth; the reconciler re-enqueues whatever the
broker lost. Redis must run with AOF persistence and ``noeviction`` (see
``docker-compose.yml``): a broker that forgets or evicts queued messages only
delays work (the reconciler finds it), but it should not have to.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Celery, signals

from provenance.distributed.broker import (
    CRAWL_DUE_TASK,
    CRAWL_QUEUE,
    PROCESS_QUEUE,
    RECONCILE_TASK,
    TRACE_QUEUE,
)
from provenance.errors import ConfigError
from provenance.settings import Settings, get_settings

__all__ = ["DEFAULT_BROKER_URL", "app", "broker_url", "check_time_limits", "make_app"]

_log = logging.getLogger(__name__)
#: In-process transport: enough to import and inspect the app without a Redis.
DEFAULT_BROKER_URL = "memory://"


def broker_url(settings: Settings | None = None) -> str:
    """Return the broker URL from the settings, else :data:`DEFAULT_BROKER_URL`."""
    return (settings or Settings()).broker_url or DEFAULT_BROKER_URL


def _conf(settings: Settings) -> dict[str, Any]:
    return {
        # Ack after the task ran, not when it was received: a worker that dies
        # mid-task leaves the message unacked, and Redis hands it out again.
        "task_acks_late": True,
        # ...including when the pool child running it is killed (SIGKILL, OOM):
        # without this a lost child marks the task failed and acks it.
        "task_reject_on_worker_lost": True,
        # Each process reserves one message at a time: a dead worker strands at
        # most one task per process, and long tasks do not hold others hostage.
        "worker_prefetch_multiplier": 1,
        # Redis redelivers an unacked message after this many seconds; it must
        # exceed every task's hard time limit, or a task still running would be
        # handed to a second worker (checked by Settings and check_time_limits).
        "broker_transport_options": {"visibility_timeout": settings.broker_visibility_timeout},
        "task_time_limit": settings.task_time_limit,
        "task_soft_time_limit": settings.task_soft_time_limit,
        # When the broker connection drops, the broker will redeliver the unacked
        # tasks; cancelling the running copies keeps them from running twice.
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        # Soft shutdown: on a cold shutdown request, running tasks still get this
        # long to finish before they are cancelled and handed back to the queue.
        "worker_soft_shutdown_timeout": settings.worker_soft_shutdown_timeout,
        # ...also when idle, so reserved messages go back at once.
        "worker_enable_soft_shutdown_on_idle": True,
        # Retry the broker at start-up: in compose it may come up after the worker.
        "broker_connection_retry_on_startup": True,
        # One queue per stage, so `-Q` can give each its own workers; a worker
        # started without -Q consumes them all.
        "task_create_missing_queues": True,
        "task_default_queue": PROCESS_QUEUE,
        # Results live in PostgreSQL; a result backend would be a second truth.
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "worker_hijack_root_logger": False,
        "beat_schedule": _schedule(settings),
    }


def _schedule(settings: Settings) -> dict[str, Any]:
    return {
        "poll-due-feeds": {
            "task": CRAWL_DUE_TASK,
            "schedule": settings.crawl_interval,
            "options": {"queue": CRAWL_QUEUE, "expires": settings.crawl_interval},
        },
        "reconcile": {
            "task": RECONCILE_TASK,
            "schedule": settings.reconcile_interval,
            "options": {"queue": TRACE_QUEUE, "expires": settings.reconcile_interval},
        },
    }


def make_app(settings: Settings) -> Celery:
    """Build the Celery app for ``settings``, with the tasks of :mod:`worker.tasks`."""
    celery = Celery("provenance", broker=broker_url(settings), include=["worker.tasks"])
    celery.conf.update(_conf(settings))
    return celery


def check_time_limits(celery: Celery) -> None:
    """Refuse to start when a task's hard time limit reaches the visibility timeout.

    Raises:
        ConfigError: Some task could outlive its message's visibility timeout.
    """
    visibility = float(celery.conf.broker_transport_options["visibility_timeout"])
    for name, task in sorted(celery.tasks.items()):
        if name.startswith("celery."):
            continue
        limit = task.time_limit or celery.conf.task_time_limit
        if limit is None or float(limit) >= visibility:
            raise ConfigError(
                f"task {name}: hard time limit {limit} s must be below the broker"
                f" visibility timeout {visibility} s, or it would run twice at once"
            )


app = make_app(get_settings())


def _warm_up() -> None:
    """Load the date parser's locale tables in the main process, before the pool forks.

    A string no locale recognises makes dateparser load all ~200 of them, which
    takes seconds; done here once, every pool child (including each that
    replaces a killed one) inherits the tables instead of paying on its first task.
    """
    from htmldate.extractors import get_external_parser

    get_external_parser().get_date_data("zzq xqv 12 2024")


def _on_worker_init(**_: Any) -> None:
    try:
        check_time_limits(app)
    except ConfigError as exc:
        # Signal handlers' exceptions are logged and swallowed; this one must stop
        # the worker before it consumes anything.
        _log.critical("%s", exc)
        raise SystemExit(2) from exc
    _warm_up()


signals.worker_init.connect(_on_worker_init, weak=False)
