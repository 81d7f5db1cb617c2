"""The crawler: polls feeds and sitemaps, fetches new articles, hands them to the pipeline.

This is an edge, between the fetcher (:mod:`provenance.fetch`, which does the
HTTP, the politeness, the safety checks and the WARC archive), the pure parsers
of :mod:`provenance.discover` and :mod:`provenance.schedule`, and the storage
and pipeline of :class:`~provenance.service.Service`. A poll sends the feed's
stored validators (conditional GET), reads the listing, and schedules the next
poll from what it found; the pages it names that were never fetched are then
fetched, archived, recorded as captures and ingested as
:class:`~provenance.ingest.RawRecord` objects carrying the feed's dates as
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
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from provenance.discover import (
    FeedKind,
    feed_kind,
    parse_feed,
    parse_sitemap,
)
from provenance.errors import ExtractionError, FetchError, FetchStatusError, ProvenanceError
from provenance.fetch import Fetcher, FetchResult
from provenance.ingest import RawRecord
from provenance.models import DateClaim
from provenance.schedule import PollOutcome, PollPolicy, next_interval, next_poll_at
from provenance.service import IngestReport, Service
from provenance.settings import Settings
from provenance.storage import crawl_repository as crawl_repo
from provenance.storage.tables import Feed
from provenance.urls import normalize_url

__all__ = ["CrawlEvent", "CrawlOptions", "CrawlReport", "Crawler", "Failure"]

_log = logging.getLogger(__name__)
_PURPOSE = {"rss": "feed", "atom": "feed", "sitemap": "sitemap", "sitemapindex": "sitemap"}
#: Errors that will not go away by asking again (as opposed to timeouts and 5xx).
_PERMANENT_STATUSES = frozenset({400, 401, 403, 405, 406, 410, 414, 451})
_PERMANENT_ERRORS = (
    "URLRefusedError",
    "AddressRefusedError",
    "RedirectError",
    "BodyTooLargeError",
    "ContentDecodingError",
    "ContentTypeError",
)


@dataclass(frozen=True, slots=True)
class CrawlOptions:
    """How the crawler schedules and bounds its work.

    Attributes:
        policy: Adaptive polling bounds.
        concurrency: Fetches in flight at once (the fetcher keeps one per host).
        max_new_per_feed: New pages fetched from one feed per poll.
        max_attempts: Fetches of a URL failing for a passing reason before giving up.
        sitemap_children: Child sitemaps of an index that are followed.
        batch: Pages fetched before they are ingested together.
    """

    policy: PollPolicy = field(default_factory=PollPolicy)
    concurrency: int = 16
    max_new_per_feed: int = 200
    max_attempts: int = 3
    sitemap_children: int = 20
    batch: int = 500

    @classmethod
    def from_settings(cls, settings: Settings) -> CrawlOptions:
        """The options from the service settings (``PROVENANCE_POLL_*``, ``..._CRAWL_*``)."""
        policy = PollPolicy(
            min_interval=settings.poll_min_interval,
            max_interval=settings.poll_max_interval,
            initial_interval=settings.poll_initial_interval,  # clamped into the bounds
        )
        return cls(
            policy=policy,
            concurrency=settings.crawl_concurrency,
            max_new_per_feed=settings.crawl_max_new_per_feed,
            max_attempts=settings.crawl_max_attempts,
            sitemap_children=settings.sitemap_index_children,
            batch=settings.ingest_chunk,
        )


@dataclass(frozen=True, slots=True)
class Failure:
    """One fetch or parse that failed: which URL, for what, and why."""

    url: str
    purpose: str
    reason: str
    error_type: str


@dataclass(frozen=True, slots=True)
class CrawlEvent:
    """Progress of a crawl, for a progress display.

    Attributes:
        kind: ``feed`` (a poll ended), ``queued`` (``count`` pages to fetch) or
            ``page`` (a page fetch ended).
        url: The feed or page.
        ok: Whether it succeeded.
        detail: A short status (``new 3``, ``not modified``, the error).
        count: For ``queued``: how many pages were queued.
    """

    kind: Literal["feed", "queued", "page"]
    url: str = ""
    ok: bool = True
    detail: str = ""
    count: int = 0


@dataclass
class CrawlReport:
    """What a crawl did.

    Attributes:
        feeds_polled: Feeds and sitemaps fetched (answered 2xx or 304).
        feeds_not_modified: Of those, the ones that answered 304.
        pages_fetched: Article pages fetched.
        new_versions: Page captures recorded as a new version of an already
            captured URL (its content changed).
        fetched_urls: The final URL (after redirects) of each page fetched.
        ingest: The pipeline's report over the fetched pages.
        failures: Every failed fetch or unreadable feed, with its reason.
    """

    feeds_polled: int = 0
    feeds_not_modified: int = 0
    pages_fetched: int = 0
    new_versions: int = 0
    fetched_urls: list[str] = field(default_factory=list)
    ingest: IngestReport = field(default_factory=IngestReport)
    failures: list[Failure] = field(default_factory=list)

    def add_ingest(self, other: IngestReport) -> None:
        """Fold one ingest's counts into this report's."""
        mine = self.ingest
        mine.stored += other.stored
        mine.unchanged += other.unchanged
        mine.changed += other.changed
        mine.empty += other.empty
        mine.rejected.extend(other.rejected)
        mine.stories_traced += other.stories_traced


@dataclass(frozen=True, slots=True)
class _FeedRow:
    """What a poll needs of a feed row, detached from its session."""

    id: int
    url: str
    kind: str
    outlet_id: int
    etag: str | None
    last_modified: str | None
    interval: float | None

    @classmethod
    def of(cls, f: Feed) -> _FeedRow:
        return cls(f.id, f.url, f.kind, f.outlet_id, f.etag, f.last_modified, f.poll_interval_s)


@dataclass
class _Listing:
    """What a feed or sitemap listed, read from its body."""

    kind: str
    title: str | None
    items: list[_Found]
    problem: str | None = None
    complete: bool = True


@dataclass
class _Found:
    """A page URL a listing names, with what the listings said about it."""

    url: str
    url_norm: str
    feed_id: int | None
    dates: list[DateClaim] = field(default_factory=list)
    lastmod: datetime | None = None
    refetch: bool = False


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
        found: dict[str, _Found] = {}
        polled: set[int] = set()
        for _ in range(4):  # an index, its children, and nested indexes: bounded
            with self.service.sessions() as session:
                rows = [_FeedRow.of(f) for f in crawl_repo.due_feeds(session, now=self._clock())]
            rows = [row for row in rows if row.id not in polled]
            if not rows:
                break
            polled.update(row.id for row in rows)
            for listed in await asyncio.gather(*(self._poll_safely(row, report) for row in rows)):
                for item in listed:
                    _merge(found, item)
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
        await self._fetch_pages([_Found(url, url_norm, feed_id=None, refetch=True)], report)
        return report

    # -- polling ---------------------------------------------------------------------

    async def _poll_safely(self, row: _FeedRow, report: CrawlReport) -> list[_Found]:
        # One feed must never end the crawl of the others, even through a bug of
        # ours: the failure is recorded on the feed and logged with its traceback.
        try:
            return await self._poll(row, report)
        except Exception as exc:
            _log.exception("polling %s failed", row.url)
            purpose = _PURPOSE.get(row.kind, "feed")
            self._failed_poll(row, report, Failure(row.url, purpose, str(exc), _name(exc)))
            return []

    async def _poll(self, row: _FeedRow, report: CrawlReport) -> list[_Found]:
        purpose = _PURPOSE.get(row.kind, "feed")
        try:
            result = await self.fetcher.fetch(
                row.url, purpose=purpose, etag=row.etag, last_modified=row.last_modified
            )
        except ProvenanceError as exc:  # a FetchError, or the archive could not be written
            self._failed_poll(row, report, Failure(row.url, purpose, _reason(exc), _name(exc)))
            return []
        report.feeds_polled += 1
        if result.not_modified:
            report.feeds_not_modified += 1
            self._record_poll(row, result, _Listing(str(row.kind), None, []))
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

    def _unseen(self, items: list[_Found]) -> list[_Found]:
        """The items never fetched, and those a sitemap says changed since their capture."""
        urls = [i.url_norm for i in items]
        with self.service.sessions() as session:
            seen = crawl_repo.seen_urls(session, urls, max_attempts=self.options.max_attempts)
            captured = crawl_repo.last_captured(session, [i.url_norm for i in items if i.lastmod])
        for item in items:
            when = captured.get(item.url_norm)
            item.refetch = when is not None and item.lastmod is not None and item.lastmod > when
        return [i for i in items if i.url_norm not in seen or i.refetch]

    def _read_listing(self, row: _FeedRow, result: FetchResult) -> _Listing:
        kind = feed_kind(result.body)
        if kind is None:
            raise ExtractionError(f"not a feed or sitemap (type {result.content_type or '?'})")
        if kind in (FeedKind.RSS, FeedKind.ATOM):
            ctype = result.headers.get("content-type")
            feed = parse_feed(result.body, base_url=result.url, content_type=ctype)
            items = [_found(e.url, row.id, e.published) for e in feed.entries]
            problem = f"read leniently: {feed.problem}" if feed.problem else None
            return _Listing(str(kind), feed.title, [i for i in items if i], problem=problem)
        sitemap = parse_sitemap(result.body, base_url=result.url)
        if kind is FeedKind.SITEMAP_INDEX:
            self._add_children(row, [(e.url, e.lastmod) for e in sitemap.entries])
            return _Listing(str(kind), None, [])
        items = [_found(e.url, row.id, e.published, lastmod=e.lastmod) for e in sitemap.entries]
        return _Listing(str(kind), None, [i for i in items if i])

    def _add_children(self, row: _FeedRow, children: list[tuple[str, datetime | None]]) -> None:
        # The most recently modified first: archives of past years rarely change.
        floor = datetime.min.replace(tzinfo=UTC)
        children.sort(key=lambda child: child[1] or floor, reverse=True)
        with self.service.sessions.begin() as session:
            for url, _ in children[: self.options.sitemap_children]:
                crawl_repo.add_feed(session, url=url, outlet_id=row.outlet_id, kind="sitemap")

    def _record_poll(self, row: _FeedRow, result: FetchResult, listing: _Listing) -> None:
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
        row: _FeedRow,
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
        self, row: _FeedRow, outcome: PollOutcome, status: str, error: str | None
    ) -> crawl_repo.PollRecord:
        now, policy = self._clock(), self.options.policy
        interval = next_interval(row.interval, outcome, policy=policy)
        when = next_poll_at(now, interval, key=row.url, policy=policy)
        return crawl_repo.PollRecord(now, status, interval, when, error=error)

    # -- pages -----------------------------------------------------------------------

    async def _fetch_pages(self, found: Sequence[_Found], report: CrawlReport) -> None:
        if not found:
            return
        self._progress(CrawlEvent("queued", count=len(found)))
        limit = asyncio.Semaphore(self.options.concurrency)

        async def one(item: _Found, line: int) -> RawRecord | None:
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

    async def _fetch_page(self, item: _Found, line: int, report: CrawlReport) -> RawRecord | None:
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

    def _page_failed(self, item: _Found, report: CrawlReport, exc: Exception) -> None:
        error_type, reason = _name(exc), _reason(exc)
        report.failures.append(Failure(item.url, "page", reason, error_type))
        with self.service.sessions.begin() as session:
            crawl_repo.record_failure(
                session,
                url=item.url,
                url_norm=item.url_norm,
                purpose="page",
                error_type=error_type,
                reason=reason,
                retryable=_retryable(exc),
                now=self._clock(),
                feed_id=item.feed_id,
            )
        self._progress(CrawlEvent("page", item.url, False, f"{error_type}: {reason}"))


def _found(
    url: str, feed_id: int, published: DateClaim | None, *, lastmod: datetime | None = None
) -> _Found | None:
    try:
        url_norm = normalize_url(url)
    except ValueError:
        return None
    return _Found(url, url_norm, feed_id, [published] if published else [], lastmod=lastmod)


def _merge(found: dict[str, _Found], item: _Found) -> None:
    """Join what several listings say about one page (a feed and a sitemap, say)."""
    known = found.get(item.url_norm)
    if known is None:
        found[item.url_norm] = item
        return
    known.dates.extend(d for d in item.dates if d not in known.dates)


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


def _name(exc: Exception) -> str:
    return type(exc).__name__


def _reason(exc: Exception) -> str:
    return exc.reason if isinstance(exc, FetchError) else str(exc)


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, FetchStatusError):
        return exc.status not in _PERMANENT_STATUSES
    return isinstance(exc, FetchError) and type(exc).__name__ not in _PERMANENT_ERRORS
