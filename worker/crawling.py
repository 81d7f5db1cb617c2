"""Crawls and submission jobs inside a worker, over the shared index.

The crawler and the job executor are the embedded ones; they are handed a
pipeline whose ingest goes through the workers' path (staged items, the shared
index and its locks) instead of one process's in-memory index.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from provenance.crawl import Crawler
from provenance.crawl_report import CrawlOptions
from provenance.distributed.broker import TaskSender
from provenance.distributed.placement import match_shingles
from provenance.distributed.process import process_items
from provenance.distributed.staging import stage_records
from provenance.distributed.submit import StagingService
from provenance.errors import InputError
from provenance.extract import extract_text
from provenance.fetch import Fetcher, FetchOptions, WarcArchive
from provenance.fingerprint import FingerprintOptions
from provenance.jobs import JobExecutor
from provenance.models import Match
from provenance.raw_record import RawRecord
from provenance.records import MIN_SHINGLES, body_blocks
from provenance.service import IngestReport, Service
from provenance.settings import Settings
from provenance.shingle import shingle_hashes

__all__ = ["InlineService", "crawl_once", "run_job"]


class InlineService(Service):
    """A pipeline that places records at once, through the shared index.

    A submission job needs its article placed before it can answer, so it does
    not queue its one record; it still goes through the same locks as the
    ``process`` tasks, and the traces it causes are enqueued.

    Args:
        db_url: The database (PostgreSQL).
        sender: Where the ``trace`` tasks go.
    """

    def __init__(self, db_url: str, *, sender: TaskSender) -> None:
        super().__init__(db_url, migrate_schema=False)
        self._sender = sender

    def ingest_records(
        self,
        records: Iterable[RawRecord | InputError],
        *,
        chunk: int = 500,
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Stage the records and process them in this process."""
        good = [r for r in records if isinstance(r, RawRecord)]
        with self.sessions.begin() as session:
            staged = stage_records(session, good)
        result = process_items(self.sessions, staged.ready)
        self._sender.trace(sorted(result.stories))
        return IngestReport(
            stored=result.stored, unchanged=result.skipped, rejected=staged.rejected
        )

    def match_text(self, text: str, *, title: str | None = None) -> list[Match]:
        """Verified matches of a text against the shared index; nothing is stored."""
        page = extract_text(text, title=title)
        shingles = shingle_hashes("\n\n".join(body_blocks(list(page.blocks), title)))
        if len(shingles) < MIN_SHINGLES:
            return []
        with self.sessions() as session:
            return match_shingles(session, shingles, options=FingerprintOptions())


async def crawl_once(settings: Settings, sender: TaskSender) -> dict[str, int]:
    """Poll every due feed; the pages found are staged and enqueued for processing."""
    service = StagingService(settings.database_url, sender=sender, batch=settings.process_batch)
    archive = WarcArchive.from_settings(settings)
    fetcher = Fetcher(FetchOptions.from_settings(settings), archive=archive)
    try:
        crawler = Crawler(service, fetcher, options=CrawlOptions.from_settings(settings))
        report = await crawler.crawl_once()
    finally:
        await fetcher.aclose()
        archive.close()
        service.close()
    return {
        "feeds_polled": report.feeds_polled,
        "pages_fetched": report.pages_fetched,
        "failures": len(report.failures),
    }


async def run_job(settings: Settings, job_id: int) -> None:
    """Run one submission job (a finished one is left alone, so redelivery is harmless)."""
    sender = TaskSender(settings.broker_url or "")
    service = InlineService(settings.database_url, sender=sender)
    archive = WarcArchive.from_settings(settings)
    fetcher = Fetcher(FetchOptions.from_settings(settings), archive=archive)
    try:
        crawler = Crawler(service, fetcher, options=CrawlOptions.from_settings(settings))
        await JobExecutor(service, crawler).run(job_id)
    finally:
        await fetcher.aclose()
        archive.close()
        service.close()
        sender.close()
