"""The crawler: polls feeds and sitemaps, fetches new articles, hands them to the pipeline.

This is an edge, between the fetcher (:mod:`provenance.fetch`, which does the
HTTP, the politeness, the safety checks and the WARC archive), the pure parsers
of :mod:`provenance.feeds`, :mod:`provenance.sitemaps` and
:mod:`provenance.schedule`, and the storage and pipeline of
:class:`~provenance.service.Service`. A poll sends the feed's stored validators
(conditional GET), reads the listing (:mod:`provenance.listing`), and schedules
the next poll from what it found; the pages it names that were never fetched are
then fetched, archived, recorded as captures and ingested as
:class:`~provenance.raw_record.RawRecord` objects carrying the feed's dates as
evidence and the first-seen time as ``fetched_at``.

Every failure is recorded against its feed or URL with its reason, and the crawl
goes on: one hostile server costs its own pages, never its neighbours'. Database
work runs between awaits in short transactions, so no session is held open while
the network is waited on, and cancelling a crawl (Ctrl-C in ``crawl --watch``)
never leaves a transaction half done.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from provenance.crawl_report import (
    CrawlEvent,
    CrawlOptions,
    CrawlReport,
    Failure,
    failure_reason,
    failure_type,
    is_retryable,
)
from provenance.errors import ExtractionError, ProvenanceError
from provenance.feeds import FeedKind, feed_kind, parse_feed
from provenance.fetch import Fetcher, FetchResult
from provenance.listing import FeedRow, ListedPage, Listing, listed_page, merge_page
from provenance.raw_record import RawRecord
from provenance.schedule import PollOutcome, next_interval, next_poll_at
from provenance.service import Service
from provenance.sitemaps import parse_sitemap
from provenance.storage import crawl_repository as crawl_repo
from provenance.storage.tables import Feed
from provenance.urls import normalize_url

__all__ = ["Crawler"]

_log = logging.getLogger(__name__)
_PURPOSE = {"rss": "feed", "atom": "feed", "sitemap": "sitemap", "sitemapindex": "sitemap"}


class Crawler:
    """Polls feeds and fetches their new pages into the pipeline.

    Args:
        service: The pipeline and its database.
        fetcher: The fetcher (its archive records every response).
        options: Scheduling and bounds.
        progress: Called with each :class:`CrawlEvent`.
        clock: The present (UTC); injectable so schedules can be tested.
    """

    def __init__(
        self,
        service: Service,
        fetcher: Fetcher,
        *,
        options: CrawlOptions | None = None,
        progress: Callable[[CrawlEvent], None] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.service = service
        self.fetcher = fetcher
        self.options = options or CrawlOptions()
        self._progress = progress or (lambda event: None)
        self._clock = clock

    # -- crawling --------------------------------------------------------------------

    async def crawl_once(self) -> CrawlReport:
        """Poll every due feed, then fetch and ingest the new pages they name.

        Feeds found on the way (the children of a sitemap index) are polled in
        the same crawl.

        Returns:
            What was done and what failed.
        """
        report = CrawlReport()
        found: dict[str, ListedPage] = {}
        polled: set[int] = set()
        for _ in range(4):  # an index, its children, and nested indexes: bounded
            with self.service.sessions() as session:
                rows = [FeedRow.of(f) for f in crawl_repo.due_feeds(session, now=self._clock())]
            rows = [row for row in rows if row.id not in polled]
            if not rows:
                break
            polled.update(row.id for row in rows)
            for listed in await asyncio.gather(*(self._poll_safely(row, report) for row in rows)):
                for item in listed:
                    merge_page(found, item)
        await self._fetch_pages(list(found.values()), report)
        return report

    async def watch(
        self,
        *,
        stop: asyncio.Event | None = None,
        idle: float = 60.0,
        on_round: Callable[[CrawlReport], None] | None = None,
    ) -> None:
        """Crawl as feeds fall due, until ``stop`` is set or the task is cancelled.

        Args:
            stop: Set it to end the watch after the current round.
            idle: The longest sleep between rounds, in seconds, so feeds added
                meanwhile (by another process) are picked up.
            on_round: Called with each round's report.
        """
        stop = stop or asyncio.Event()
        while not stop.is_set():
            report = await self.crawl_once()
            if on_round is not None:
                on_round(report)
            with self.service.sessions() as session:
                due = crawl_repo.next_due_at(session)
            wait = idle if due is None else (due - self._clock()).total_seconds()
            # asyncio.timeout, not wait_for: on Python 3.11 a cancellation that
            # lands as wait_for times out can come back as TimeoutError and be
            # lost here; the timeout context tells its own from the caller's.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(max(wait, 0.0), idle)):
                    await stop.wait()

    async def fetch_one(self, url: str) -> CrawlReport:
        """Fetch one page now, archive and ingest it, whether it was seen or not.

        A page already stored keeps its article; when its content changed, the
        capture is recorded as a new version.

        Raises:
            ValueError: ``url`` is not an http(s) URL.
        """
        url_norm = normalize_url(url)
        report = CrawlReport()
        await self._fetch_pages([ListedPage(url, url_norm, feed_id=None, refetch=True)], report)
        return report

    # -- polling ---------------------------------------------------------------------

    async def _poll_safely(self, row: FeedRow, report: CrawlReport) -> list[ListedPage]:
        # One feed must never end the crawl of the others, even through a bug of
        # ours: the failure is recorded on the feed and logged with its traceback.
        try:
            return await self._poll(row, report)
        except Exception as exc:
            _log.exception("polling %s failed", row.url)
            purpose = _PURPOSE.get(row.kind, "feed")
            self._failed_poll(row, report, Failure(row.url, purpose, str(exc), failure_type(exc)))
            return []

    async def _poll(self, row: FeedRow, report: CrawlReport) -> list[ListedPage]:
        purpose = _PURPOSE.get(row.kind, "feed")
        try:
            result = await self.fetcher.fetch(
                row.url, purpose=purpose, etag=row.etag, last_modified=row.last_modified
            )
        except ProvenanceError as exc:  # a FetchError, or the archive could not be written
            self._failed_poll(
                row, report, Failure(row.url, purpose, failure_reason(exc), failure_type(exc))
            )
            return []
        report.feeds_polled += 1
        if result.not_modified:
            report.feeds_not_modified += 1
            self._record_poll(row, result, Listing(str(row.kind), None, []))
            return []
        try:
            listing = self._read_listing(row, result)
        except ExtractionError as exc:
            failure = Failure(row.url, purpose, str(exc), "ExtractionError")
            self._failed_poll(row, report, failure, result=result)
            return []
        new = self._unseen(listing.items)
        listing.complete = len(new) <= self.options.max_new_per_feed
        listing.items = new[: self.options.max_new_per_feed]
        self._record_poll(row, result, listing)
        return listing.items

    def _unseen(self, items: list[ListedPage]) -> list[ListedPage]:
        """The items never fetched, and those a sitemap says changed since their capture."""
        urls = [i.url_norm for i in items]
        with self.service.sessions() as session:
            seen = crawl_repo.seen_urls(session, urls, max_attempts=self.options.max_attempts)
            captured = crawl_repo.last_captured(session, [i.url_norm for i in items if i.lastmod])
        for item in items:
            when = captured.get(item.url_norm)
            item.refetch = when is not None and item.lastmod is not None and item.lastmod > when
        return [i for i in items if i.url_norm not in seen or i.refetch]

    def _read_listing(self, row: FeedRow, result: FetchResult) -> Listing:
        kind = feed_kind(result.body)
        if kind is None:
            raise ExtractionError(f"not a feed or sitemap (type {result.content_type or '?'})")
        if kind in (FeedKind.RSS, FeedKind.ATOM):
            ctype = result.headers.get("content-type")
            feed = parse_feed(result.body, base_url=result.url, content_type=ctype)
            items = [listed_page(e.url, row.id, e.published) for e in feed.entries]
            problem = f"read leniently: {feed.problem}" if feed.problem else None
            return Listing(str(kind), feed.title, [i for i in items if i], problem=problem)
        sitemap = parse_sitemap(result.body, base_url=result.url)
        if kind is FeedKind.SITEMAP_INDEX:
            self._add_children(row, [(e.url, e.lastmod) for e in sitemap.entries])
            return Listing(str(kind), None, [])
        items = [
            listed_page(e.url, row.id, e.published, lastmod=e.lastmod) for e in sitemap.entries
        ]
        return Listing(str(kind), None, [i for i in items if i])

    def _add_children(self, row: FeedRow, children: list[tuple[str, datetime | None]]) -> None:
        # The most recently modified first: archives of past years rarely change.
        floor = datetime.min.replace(tzinfo=UTC)
        children.sort(key=lambda child: child[1] or floor, reverse=True)
        with self.service.sessions.begin() as session:
            for url, _ in children[: self.options.sitemap_children]:
                crawl_repo.add_feed(session, url=url, outlet_id=row.outlet_id, kind="sitemap")

    def _record_poll(self, row: FeedRow, result: FetchResult, listing: Listing) -> None:
        new = len(listing.items)
        status = "not_modified" if result.not_modified else "ok"
        poll = self._poll_record(row, PollOutcome(new_items=new), status, listing.problem)
        with self.service.sessions.begin() as session:
            feed = session.get_one(Feed, row.id)
            if result.capture is not None and not result.not_modified:
                crawl_repo.add_capture_version(session, _capture_fields(result, "feed", row.url))
            crawl_repo.record_poll(
                session,
                feed,
                replace(
                    poll,
                    etag=result.etag,
                    last_modified=result.last_modified,
                    new_items=new,
                    kind=listing.kind,
                    title=listing.title,
                ),
            )
            if not listing.complete:
                # Some items wait for the next poll, which must not be answered 304.
                feed.etag = feed.last_modified = None
        detail = "not modified" if result.not_modified else f"{new} new"
        self._progress(CrawlEvent("feed", row.url, True, detail))

    def _failed_poll(
        self,
        row: FeedRow,
        report: CrawlReport,
        failure: Failure,
        *,
        result: FetchResult | None = None,
    ) -> None:
        report.failures.append(failure)
        error = f"{failure.error_type}: {failure.reason}"
        poll = self._poll_record(row, PollOutcome(failed=True), "error", error)
        with self.service.sessions.begin() as session:
            if result is not None and result.capture is not None:
                crawl_repo.add_capture_version(session, _capture_fields(result, "feed", row.url))
            crawl_repo.record_poll(session, session.get_one(Feed, row.id), poll)
        self._progress(CrawlEvent("feed", row.url, False, error))

    def _poll_record(
        self, row: FeedRow, outcome: PollOutcome, status: str, error: str | None
    ) -> crawl_repo.PollRecord:
        now, policy = self._clock(), self.options.policy
        interval = next_interval(row.interval, outcome, policy=policy)
        when = next_poll_at(now, interval, key=row.url, policy=policy)
        return crawl_repo.PollRecord(now, status, interval, when, error=error)

    # -- pages -----------------------------------------------------------------------

    async def _fetch_pages(self, found: Sequence[ListedPage], report: CrawlReport) -> None:
        if not found:
            return
        self._progress(CrawlEvent("queued", count=len(found)))
        limit = asyncio.Semaphore(self.options.concurrency)

        async def one(item: ListedPage, line: int) -> RawRecord | None:
            async with limit:
                try:
                    return await self._fetch_page(item, line, report)
                except Exception as exc:  # as for feeds: recorded and logged, never fatal
                    _log.exception("fetching %s failed", item.url)
                    self._page_failed(item, report, exc)
                    return None

        for start in range(0, len(found), self.options.batch):
            batch = found[start : start + self.options.batch]
            fetched = await asyncio.gather(*(one(item, n) for n, item in enumerate(batch, 1)))
            records = [record for record in fetched if record is not None]
            if records:
                report.add_ingest(self.service.ingest_records(records))
                with self.service.sessions.begin() as session:
                    crawl_repo.link_captures(session, [normalize_url(r.url) for r in records])

    async def _fetch_page(
        self, item: ListedPage, line: int, report: CrawlReport
    ) -> RawRecord | None:
        try:
            result = await self.fetcher.fetch(item.url, purpose="page")
            if result.text is None or result.capture is None:
                raise ExtractionError(f"no text to read (content type {result.content_type})")
            final_norm = normalize_url(result.url)
        except (ProvenanceError, ValueError) as exc:
            self._page_failed(item, report, exc)
            return None
        report.pages_fetched += 1
        report.fetched_urls.append(result.url)
        with self.service.sessions.begin() as session:
            known = crawl_repo.captures_of(session, final_norm)
            fields = _capture_fields(result, "page", item.url)
            added = crawl_repo.add_capture_version(session, fields)
            crawl_repo.clear_failure(session, item.url_norm)
        pages = [c for c in known if c.purpose == "page"]
        if added is not None and pages:
            report.new_versions += 1
        first_seen = min([c.fetched_at for c in pages] + [result.fetched_at])
        self._progress(CrawlEvent("page", item.url, True, "new version" if added and pages else ""))
        return RawRecord(
            line=line,
            url=result.url,
            html=result.text,
            text=None,
            title=None,
            published_at=None,
            fetched_at=first_seen,
            outlet=None,
            capture=result.capture,
            content_type=result.content_type,
            http_charset=result.charset,
            dates=tuple(item.dates),
        )

    def _page_failed(self, item: ListedPage, report: CrawlReport, exc: Exception) -> None:
        error_type, reason = failure_type(exc), failure_reason(exc)
        report.failures.append(Failure(item.url, "page", reason, error_type))
        with self.service.sessions.begin() as session:
            crawl_repo.record_failure(
                session,
                url=item.url,
                url_norm=item.url_norm,
                purpose="page",
                error_type=error_type,
                reason=reason,
                retryable=is_retryable(exc),
                now=self._clock(),
                feed_id=item.feed_id,
            )
        self._progress(CrawlEvent("page", item.url, False, f"{error_type}: {reason}"))


def _capture_fields(result: FetchResult, purpose: str, requested: str) -> crawl_repo.CaptureFields:
    assert result.capture is not None
    return crawl_repo.CaptureFields(
        url=result.url,
        url_norm=normalize_url(result.url),
        requested_url_norm=normalize_url(requested),
        fetched_at=result.fetched_at,
        status=result.status,
        content_type=result.content_type,
        warc_path=result.capture.path,
        warc_offset=result.capture.offset,
        warc_length=result.capture.length,
        payload_sha256=result.capture.sha256,
        content_sha256=hashlib.sha256((result.text or "").encode("utf-8")).hexdigest()
        if result.text is not None
        else None,
        purpose=purpose,
    )
