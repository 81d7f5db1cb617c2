"""Distributed-mode commands: ``worker``, ``beat``, ``submit``, ``reconcile``, ``migrate``.

The embedded mode needs none of them. With ``PROVENANCE_BROKER_URL`` set (and
PostgreSQL as the database), ``provenance worker`` runs Celery workers,
``provenance beat`` their schedule, and ``provenance submit`` hands a file to
them. ``provenance migrate --wait`` is the one-shot pre-start step of the
compose stack: it waits for the database, then upgrades its schema.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy import text

from provenance.distributed.broker import QUEUES, TaskSender
from provenance.distributed.submit import submit_records
from provenance.errors import ConfigError
from provenance.ingest import read_records
from provenance.settings import Settings
from provenance.storage.db import connect, migrate, normalize_database_url

__all__ = ["register"]

console = Console()

LogLevel = Annotated[str, typer.Option("--loglevel", help="Celery log level.")]


def register(app: typer.Typer) -> None:
    """Add the distributed-mode commands to the ``provenance`` app."""
    for name, command in (
        ("worker", worker),
        ("beat", beat),
        ("submit", submit),
        ("reconcile", reconcile),
        ("migrate", migrate_command),
    ):
        app.command(name)(command)


def _broker(settings: Settings) -> str:
    if not settings.broker_url:
        raise ConfigError("no broker: set PROVENANCE_BROKER_URL (e.g. redis://localhost:6379/0)")
    return settings.broker_url


def worker(
    queues: Annotated[str, typer.Option("-Q", "--queues", help="Queues to consume.")] = ",".join(
        QUEUES
    ),
    concurrency: Annotated[
        int | None, typer.Option("-c", "--concurrency", help="Pool processes (default: CPUs).")
    ] = None,
    hostname: Annotated[str | None, typer.Option("-n", "--hostname", help="Node name.")] = None,
    loglevel: LogLevel = "INFO",
) -> None:
    """Run a Celery worker on the crawl, process and trace queues."""
    settings = Settings()
    _broker(settings)
    if not normalize_database_url(settings.database_url).startswith("postgresql"):
        # Workers share the index and its locks in the database: SQLite cannot.
        raise ConfigError("provenance worker needs PostgreSQL: set PROVENANCE_DATABASE_URL")
    from worker.celery_app import app as celery
    from worker.celery_app import check_time_limits

    celery.loader.import_default_modules()  # register the tasks before checking them
    check_time_limits(celery)
    argv = ["worker", "-Q", queues, "--loglevel", loglevel]
    if concurrency is not None:
        argv += ["--concurrency", str(concurrency)]
    if hostname is not None:
        argv += ["--hostname", hostname]
    celery.worker_main(argv)


def beat(loglevel: LogLevel = "INFO") -> None:
    """Run the schedule: poll due feeds and sitemaps, and reconcile stuck work."""
    settings = Settings()
    _broker(settings)
    from worker.celery_app import app as celery

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    schedule = settings.data_dir / "celerybeat-schedule"
    celery.start(["beat", "--loglevel", loglevel, "--schedule", str(schedule)])


def submit(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL or WARC file.")],
    db: Annotated[str | None, typer.Option("--db", help="Database URL.")] = None,
) -> None:
    """Stage a file's records in the database and enqueue them for the workers."""
    settings = Settings()
    sender = TaskSender(_broker(settings))
    engine, sessions = connect(db or settings.database_url)
    try:
        records = read_records(path, max_body_bytes=settings.max_body_bytes)
        report = submit_records(sessions, records, sender, batch=settings.process_batch)
    finally:
        sender.close()
        engine.dispose()
    console.print(f"enqueued {len(report.ready)} records; {len(report.rejected)} rejected")
    if not report.ready and report.rejected:
        raise typer.Exit(1)


def reconcile(
    db: Annotated[str | None, typer.Option("--db", help="Database URL.")] = None,
    grace: Annotated[
        float | None, typer.Option(help="Seconds before work counts as stuck.")
    ] = None,
) -> None:
    """Re-enqueue work that PostgreSQL says is unfinished (one reconciler pass, now)."""
    from worker.reconciler import reconcile_once

    settings = Settings()
    sender = TaskSender(_broker(settings))
    engine, sessions = connect(db or settings.database_url)
    try:
        found = reconcile_once(
            sessions,
            sender,
            grace=settings.reconcile_grace if grace is None else grace,
            queue_grace=settings.reconcile_queue_grace if grace is None else grace,
            batch=settings.process_batch,
        )
    finally:
        sender.close()
        engine.dispose()
    console.print(f"re-enqueued {found.items} items and {found.stories} stories")


def migrate_command(
    db: Annotated[str | None, typer.Option("--db", help="Database URL.")] = None,
    wait: Annotated[float, typer.Option(help="Seconds to wait for the database.")] = 0.0,
) -> None:
    """Wait for the database (up to ``--wait`` seconds), then upgrade its schema."""
    engine, _sessions = connect(db or Settings().database_url)
    deadline = time.monotonic() + wait
    try:
        while True:
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                break
            except Exception as exc:  # any driver error means "not up yet"
                if time.monotonic() >= deadline:
                    raise ConfigError(f"database not reachable: {exc}") from exc
                time.sleep(1.0)
        migrate(engine)
    finally:
        engine.dispose()
    console.print("schema up to date")
