"""The crawl's inputs and outputs: the options it runs under and what it reports.

:class:`CrawlOptions` schedules and bounds a :class:`~provenance.crawl.Crawler`.
A crawl announces its progress as :class:`CrawlEvent` objects and returns a
:class:`CrawlReport`, in which every failed fetch or unreadable feed is a
:class:`Failure`; :func:`failure_type`, :func:`failure_reason` and
:func:`is_retryable` say how an error is recorded, and whether asking again
may help.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from provenance.errors import FetchError, FetchStatusError
from provenance.schedule import PollPolicy
from provenance.service import IngestReport
from provenance.settings import Settings

__all__ = [
    "CrawlEvent",
    "CrawlOptions",
    "CrawlReport",
    "Failure",
    "failure_reason",
    "failure_type",
    "is_retryable",
]

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


def failure_type(exc: Exception) -> str:
    """The name a failure is recorded under: the error's class name."""
    return type(exc).__name__


def failure_reason(exc: Exception) -> str:
    """Why a fetch or parse failed: a fetch error's reason, else the error's message."""
    return exc.reason if isinstance(exc, FetchError) else str(exc)


def is_retryable(exc: Exception) -> bool:
    """Whether fetching the URL again may succeed.

    A timeout, a broken connection, a 5xx or a 404 may pass; the statuses and
    fetch errors that will not (400, 403, 410, a refused URL or address, a
    redirect loop, a body too large ...) are not retried, nor is any error that
    is not a :class:`~provenance.errors.FetchError`.
    """
    if isinstance(exc, FetchStatusError):
        return exc.status not in _PERMANENT_STATUSES
    return isinstance(exc, FetchError) and type(exc).__name__ not in _PERMANENT_ERRORS
