"""Submission jobs: a URL to fetch and trace, or a pasted text to place in its story.

The API records each submission as a ``job`` row (queued → running → done or
failed, with a JSON result or the error) and hands its id to a
:class:`JobRunner`. Only ids cross that line, so the runner can be this process
(:class:`EmbeddedJobRunner`, the default) or a queue of workers: a runner for a
broker plugs in at :func:`job_runner`. Whatever runs a job calls
:meth:`JobExecutor.run`, which loads the job by id, does the work, and saves the
outcome; running a finished job again changes nothing, so a redelivered job is
harmless.

URLs are fetched by :meth:`provenance.crawl.Crawler.fetch_one`, i.e. through the
guarded :class:`~provenance.fetch.Fetcher`: an address the SSRF guard refuses is
never connected to, and the job fails with the guard's reason.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import Any, Protocol

import httpcore
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.crawl import Crawler
from provenance.crawl_report import CrawlOptions
from provenance.errors import ProvenanceError
from provenance.fetch import Fetcher, FetchOptions, Resolver, WarcArchive
from provenance.raw_record import RawRecord
from provenance.service import Service
from provenance.settings import Settings
from provenance.storage import repository as repo
from provenance.storage.tables import Article, Job
from provenance.urls import normalize_url

__all__ = [
    "JOB_KINDS",
    "CeleryJobRunner",
    "EmbeddedJobRunner",
    "JobExecutor",
    "JobRunner",
    "create_job",
    "get_job",
    "job_document",
    "job_runner",
]

_log = logging.getLogger(__name__)
#: The kinds of job: ``url`` (input ``{"url"}``) and ``text`` (input ``{"text",
#: "title", "url", "store"}``).
JOB_KINDS = ("url", "text")
_FINISHED = ("done", "failed")


class JobRunner(Protocol):
    """Runs stored jobs somewhere; the API only ever passes it a job id."""

    def submit(self, job_id: int) -> None:
        """Start (or queue) the job ``job_id``; return at once."""

    def close(self) -> None:
        """Stop taking jobs and release what the runner holds."""


def _now() -> datetime:
    return datetime.now(UTC)


def create_job(
    session: Session, *, kind: str, input: dict[str, Any], token_id: int | None = None
) -> Job:
    """Record a queued job (the caller commits, then submits its id).

    Raises:
        ValueError: For an unknown ``kind``.
    """
    if kind not in JOB_KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(kind=kind, input=input, status="queued", token_id=token_id, created_at=_now())
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: int) -> Job | None:
    """The job ``job_id``, or ``None`` if there is none."""
    return session.get(Job, job_id)


def job_document(job: Job) -> dict[str, Any]:
    """A job as the API shows it."""
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "input": {k: v for k, v in job.input.items() if k != "text"},
        "result": job.result,
        "error": job.error,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


class JobExecutor:
    """Does the work of jobs with one pipeline and one crawler.

    Args:
        service: The pipeline and its database.
        crawler: Fetches submitted URLs (its fetcher holds the SSRF guard).
    """

    def __init__(self, service: Service, crawler: Crawler) -> None:
        self.service = service
        self.crawler = crawler
        # One job at a time: the pipeline's in-memory index is not shared safely
        # between two ingests interleaved at an await.
        self._lock = asyncio.Lock()

    async def run(self, job_id: int) -> None:
        """Run the job ``job_id`` and save its outcome; a finished job is left alone."""
        async with self._lock:
            with self.service.sessions.begin() as session:
                job = session.get(Job, job_id)
                if job is None or job.status in _FINISHED:
                    return
                job.status, job.started_at = "running", _now()
                kind, data = job.kind, dict(job.input)
            try:
                result = await self._url(data) if kind == "url" else self._text(data)
                status, error = "done", None
            except (ProvenanceError, ValueError) as exc:
                result, status, error = None, "failed", str(exc)
            except Exception as exc:  # a bug of ours: the job fails, the runner goes on
                _log.exception("job %s failed", job_id)
                result, status, error = None, "failed", f"internal error: {type(exc).__name__}"
            with self.service.sessions.begin() as session:
                job = session.get_one(Job, job_id)
                job.status, job.result, job.error = status, result, error
                job.finished_at = _now()

    async def _url(self, data: dict[str, Any]) -> dict[str, Any]:
        report = await self.crawler.fetch_one(str(data["url"]))
        if report.failures:
            failure = report.failures[0]
            raise ProvenanceError(f"{failure.error_type}: {failure.reason}")
        final = report.fetched_urls[0]
        return {"fetched_url": final, "new_version": bool(report.new_versions)} | self._placed(
            normalize_url(final)
        )

    def _placed(self, url_norm: str) -> dict[str, Any]:
        with self.service.sessions() as session:
            article = repo.article_by_url(session, url_norm)
            if article is None:
                raise ProvenanceError(f"{url_norm} was fetched but not stored")
            return {
                "article_id": article.id,
                "story_id": article.story_id,
                "status": article.status,
            }

    def _text(self, data: dict[str, Any]) -> dict[str, Any]:
        text, title = str(data["text"]), data.get("title")
        if data.get("store"):
            record = RawRecord(1, str(data["url"]), None, text, title, None, _now(), None, None)
            report = self.service.ingest_records([record])
            if report.rejected:
                raise ValueError(report.rejected[0].reason)
            return {"stored": True} | self._placed(normalize_url(str(data["url"])))
        matches = self.service.match_text(text, title=title)
        with self.service.sessions() as session:
            rows = _match_rows(session, [m.other_id for m in matches])
        found = [
            {"article_id": m.other_id, "similarity": round(m.similarity, 4), **rows[m.other_id]}
            for m in sorted(matches, key=lambda m: -m.similarity)
            if m.other_id in rows
        ]
        return {
            "stored": False,
            "story_id": found[0]["story_id"] if found else None,
            "matches": found,
        }


def _match_rows(session: Session, ids: list[int]) -> dict[int, dict[str, Any]]:
    query = select(Article.id, Article.url_norm, Article.story_id).where(Article.id.in_(ids))
    return {i: {"url": u, "story_id": s} for i, u, s in session.execute(query).all()}


class EmbeddedJobRunner:
    """Runs jobs in this process, on an asyncio loop in a background thread.

    The loop owns one :class:`JobExecutor` (pipeline, fetcher, crawler) for the
    runner's life, so per-host politeness and the fetcher's counters span jobs.

    Args:
        settings: Database, fetch options and archive directory.
        resolver: Host name lookups for the fetcher (default the system's).
        network_backend: What the fetcher's guarded dialer connects with (tests
            pass one that refuses everything but loopback).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        resolver: Resolver | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="provenance-jobs", daemon=True
        )
        self.service = Service(settings.database_url)
        self.archive = WarcArchive.from_settings(settings)
        self.fetcher = Fetcher(
            FetchOptions.from_settings(settings),
            archive=self.archive,
            resolver=resolver,
            network_backend=network_backend,
        )
        crawler = Crawler(self.service, self.fetcher, options=CrawlOptions.from_settings(settings))
        self.executor = JobExecutor(self.service, crawler)
        self._pending: set[Future[None]] = set()
        self._thread.start()

    def submit(self, job_id: int) -> None:
        """Run the job on the runner's loop; returns at once."""
        future = asyncio.run_coroutine_threadsafe(self.executor.run(job_id), self._loop)
        self._pending.add(future)
        future.add_done_callback(self._pending.discard)

    def wait(self, timeout: float = 30.0) -> None:
        """Block until every submitted job has finished (for tests and shutdown)."""
        for future in list(self._pending):
            future.result(timeout=timeout)

    def close(self) -> None:
        """Finish the running jobs, close the fetcher, stop the loop and the pipeline."""
        try:
            self.wait()
        finally:
            asyncio.run_coroutine_threadsafe(self.fetcher.aclose(), self._loop).result(10)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop.close()
            self.archive.close()
            self.service.close()


class CeleryJobRunner:
    """Queues jobs for the Celery workers (distributed mode).

    Only the job's id crosses, sent by task *name* (``provenance.job``) through a
    bare Celery client: the API never imports the worker's code. The worker runs
    the same :class:`JobExecutor`, over the shared index.

    Args:
        settings: ``broker_url`` must be set.
    """

    def __init__(self, settings: Settings) -> None:
        from provenance.distributed.broker import TaskSender

        if not settings.broker_url:
            raise ValueError("CeleryJobRunner needs settings.broker_url")
        self._sender = TaskSender(settings.broker_url)

    def submit(self, job_id: int) -> None:
        """Enqueue the job; a worker picks it up (the row was committed before)."""
        self._sender.job(job_id)

    def close(self) -> None:
        """Release the broker connections."""
        self._sender.close()


def job_runner(settings: Settings) -> JobRunner:
    """The runner the settings ask for: in-process unless a broker is configured."""
    if settings.broker_url:
        return CeleryJobRunner(settings)
    return EmbeddedJobRunner(settings)
