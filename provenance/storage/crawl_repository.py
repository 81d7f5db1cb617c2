"""Queries and writes of the crawler's data: feeds, captures and fetch failures.

Like :mod:`provenance.storage.repository`, every function takes its ``Session``
and the caller owns the transaction. Captures are append-only: a new version of
a URL is a new row, and no function here rewrites what a capture says.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from provenance.storage.tables import Article, Capture, Feed, FetchFailure, Outlet

__all__ = [
    "CaptureFields",
    "PollRecord",
    "add_capture_version",
    "add_feed",
    "captures_of",
    "clear_failure",
    "due_feeds",
    "failures",
    "feed_by_url",
    "feeds_with_outlets",
    "last_captured",
    "link_captures",
    "next_due_at",
    "outlet_by_domain",
    "record_failure",
    "record_poll",
    "seen_urls",
    "set_outlet",
]

_CHUNK = 500  # stay under the bound-parameter limits of both backends


def set_outlet(session: Session, *, domain: str, name: str) -> Outlet:
    """The outlet of ``domain``, created or renamed to ``name`` (a user's choice wins)."""
    outlet = session.scalar(select(Outlet).where(Outlet.domain == domain))
    if outlet is None:
        outlet = Outlet(domain=domain, name=name, boilerplate={})
        session.add(outlet)
    else:
        outlet.name = name
    session.flush()
    return outlet


def outlet_by_domain(session: Session, domain: str) -> Outlet | None:
    """The outlet of ``domain``, if it is stored."""
    return session.scalar(select(Outlet).where(Outlet.domain == domain))


# -- feeds -----------------------------------------------------------------------------


def add_feed(
    session: Session, *, url: str, outlet_id: int, kind: str, title: str | None = None
) -> tuple[Feed, bool]:
    """Register a feed, or find it when its URL is registered already.

    Args:
        session: The session.
        url: The feed's URL (its identity).
        outlet_id: The outlet it belongs to.
        kind: ``rss``, ``atom``, ``sitemap`` or ``sitemapindex``.
        title: Its title, if known.

    Returns:
        The feed and whether it was created now. A new feed is due at once.
    """
    feed = feed_by_url(session, url)
    if feed is not None:
        return feed, False
    feed = Feed(url=url, outlet_id=outlet_id, kind=kind, title=title, items_seen=0)
    session.add(feed)
    session.flush()
    return feed, True


def feed_by_url(session: Session, url: str) -> Feed | None:
    """The feed registered under ``url``, if any."""
    return session.scalar(select(Feed).where(Feed.url == url))


def feeds_with_outlets(session: Session) -> list[tuple[Feed, Outlet]]:
    """Every feed with its outlet, by outlet name then URL."""
    query = select(Feed, Outlet).join(Outlet, Outlet.id == Feed.outlet_id)
    rows = session.execute(query.order_by(Outlet.name, Feed.url)).all()
    return [(feed, outlet) for feed, outlet in rows]


def due_feeds(session: Session, *, now: datetime) -> list[Feed]:
    """Feeds to poll now: never polled, or whose next poll time has come; oldest first."""
    query = select(Feed).where(or_(Feed.next_poll_at.is_(None), Feed.next_poll_at <= now))
    # Never-polled feeds first (NULL sorts differently per backend, hence the flag).
    order = (Feed.next_poll_at.is_not(None), Feed.next_poll_at, Feed.id)
    return list(session.scalars(query.order_by(*order)))


def next_due_at(session: Session) -> datetime | None:
    """The earliest next poll time of any feed (None when no feed is scheduled)."""
    # min() keeps the column's type, so SQLite's naive text comes back UTC-aware.
    return session.scalar(select(func.min(Feed.next_poll_at)))


@dataclass(frozen=True, slots=True)
class PollRecord:
    """What a poll of a feed leaves on its row.

    Attributes:
        polled_at: When the poll was made.
        status: ``ok``, ``not_modified`` or ``error``.
        error: The reason, for a failed or partly failed poll.
        etag: The validator to send next time (None keeps the stored one).
        last_modified: Likewise for ``Last-Modified``.
        new_items: Items never seen before.
        interval: The next poll interval, in seconds.
        next_poll_at: When the feed falls due again.
        kind: The kind found by parsing, when it differs from the stored one.
        title: The title found by parsing, if any.
    """

    polled_at: datetime
    status: str
    interval: float
    next_poll_at: datetime
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    new_items: int = 0
    kind: str | None = None
    title: str | None = None


def record_poll(session: Session, feed: Feed, poll: PollRecord) -> None:
    """Write a poll's outcome and the feed's next schedule onto its row."""
    feed.last_polled_at = poll.polled_at
    feed.last_status = poll.status
    feed.last_error = poll.error
    if poll.etag is not None:
        feed.etag = poll.etag
    if poll.last_modified is not None:
        feed.last_modified = poll.last_modified
    feed.items_seen = (feed.items_seen or 0) + poll.new_items
    feed.poll_interval_s = poll.interval
    feed.next_poll_at = poll.next_poll_at
    if poll.kind is not None:
        feed.kind = poll.kind
    if poll.title is not None:
        feed.title = poll.title


# -- captures --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CaptureFields:
    """One archived response, as the crawler hands it to :func:`add_capture_version`."""

    url: str
    url_norm: str
    requested_url_norm: str
    fetched_at: datetime
    status: int
    content_type: str | None
    warc_path: str
    warc_offset: int
    warc_length: int
    payload_sha256: str
    content_sha256: str | None
    purpose: str


def add_capture_version(session: Session, fields: CaptureFields) -> Capture | None:
    """Record a capture when it is a new version of its URL.

    Args:
        session: The session.
        fields: The capture.

    Returns:
        The new row; or None when the latest capture of the same URL and purpose
        has the same payload digest (the response is still in the WARC files, but
        it is no new version).
    """
    latest = session.scalar(
        select(Capture)
        .where(Capture.url_norm == fields.url_norm, Capture.purpose == fields.purpose)
        .order_by(Capture.fetched_at.desc(), Capture.id.desc())
        .limit(1)
    )
    if latest is not None and latest.payload_sha256 == fields.payload_sha256:
        return None
    article_id = session.scalar(select(Article.id).where(Article.url_norm == fields.url_norm))
    capture = Capture(
        article_id=article_id if fields.purpose == "page" else None,
        url=fields.url,
        url_norm=fields.url_norm,
        requested_url_norm=fields.requested_url_norm,
        fetched_at=fields.fetched_at,
        status=fields.status,
        content_type=fields.content_type,
        warc_path=fields.warc_path,
        warc_offset=fields.warc_offset,
        warc_length=fields.warc_length,
        payload_sha256=fields.payload_sha256,
        content_sha256=fields.content_sha256,
        purpose=fields.purpose,
    )
    session.add(capture)
    session.flush()
    return capture


def link_captures(session: Session, url_norms: Sequence[str]) -> None:
    """Point page captures of ``url_norms`` at their article, now that it is stored."""
    for start in range(0, len(url_norms), _CHUNK):
        chunk = url_norms[start : start + _CHUNK]
        articles = select(Article.id).where(Article.url_norm == Capture.url_norm)
        session.execute(
            update(Capture)
            .where(
                Capture.url_norm.in_(chunk),
                Capture.purpose == "page",
                Capture.article_id.is_(None),
            )
            .values(article_id=articles.scalar_subquery())
        )


def captures_of(session: Session, url_norm: str) -> list[Capture]:
    """Every capture of a URL, oldest first: under its own address, as a redirect
    target or source, and of the article stored under it or canonical to it."""
    conditions = [Capture.url_norm == url_norm, Capture.requested_url_norm == url_norm]
    article_ids = select(Article.id).where(
        or_(Article.url_norm == url_norm, Article.canonical_url == url_norm)
    )
    conditions.append(Capture.article_id.in_(article_ids))
    query = select(Capture).where(or_(*conditions)).order_by(Capture.fetched_at, Capture.id)
    return list(session.scalars(query))


def last_captured(session: Session, url_norms: Collection[str]) -> dict[str, datetime]:
    """When each of ``url_norms`` was last captured as a page (those never captured are absent)."""
    found: dict[str, datetime] = {}
    urls = list(url_norms)
    for start in range(0, len(urls), _CHUNK):
        query = (
            select(Capture.url_norm, func.max(Capture.fetched_at))
            .where(Capture.purpose == "page", Capture.url_norm.in_(urls[start : start + _CHUNK]))
            .group_by(Capture.url_norm)
        )
        found.update({url: when for url, when in session.execute(query)})
    return found


def seen_urls(session: Session, url_norms: Collection[str], *, max_attempts: int) -> set[str]:
    """Those of ``url_norms`` the crawler need not fetch again.

    A URL is seen when an article is stored under it, a page capture has it as
    its address or as the address first asked for, or its fetch failed for a
    reason that will not change or failed ``max_attempts`` times.
    """
    found: set[str] = set()
    urls = list(url_norms)
    for start in range(0, len(urls), _CHUNK):
        chunk = urls[start : start + _CHUNK]
        found.update(session.scalars(select(Article.url_norm).where(Article.url_norm.in_(chunk))))
        pages = select(Capture.url_norm, Capture.requested_url_norm).where(
            Capture.purpose == "page",
            or_(Capture.url_norm.in_(chunk), Capture.requested_url_norm.in_(chunk)),
        )
        for final, requested in session.execute(pages):
            found.update((final, requested))
        given_up = select(FetchFailure.url_norm).where(
            FetchFailure.url_norm.in_(chunk),
            or_(FetchFailure.retryable.is_(False), FetchFailure.attempts >= max_attempts),
        )
        found.update(session.scalars(given_up))
    return found & set(urls)


# -- failures --------------------------------------------------------------------------


def record_failure(
    session: Session,
    *,
    url: str,
    url_norm: str,
    purpose: str,
    error_type: str,
    reason: str,
    retryable: bool,
    now: datetime,
    feed_id: int | None = None,
) -> FetchFailure:
    """Record that fetching ``url`` failed, counting the attempts."""
    failure = session.scalar(select(FetchFailure).where(FetchFailure.url_norm == url_norm))
    if failure is None:
        failure = FetchFailure(url=url, url_norm=url_norm, attempts=0, first_failed_at=now)
        session.add(failure)
    failure.purpose = purpose
    failure.feed_id = feed_id
    failure.error_type = error_type
    failure.reason = reason
    failure.retryable = retryable
    failure.attempts = (failure.attempts or 0) + 1
    failure.last_failed_at = now
    session.flush()
    return failure


def clear_failure(session: Session, url_norm: str) -> None:
    """Forget the failure of a URL that has now been fetched."""
    failure = session.scalar(select(FetchFailure).where(FetchFailure.url_norm == url_norm))
    if failure is not None:
        session.delete(failure)


def failures(session: Session, *, limit: int | None = None) -> list[FetchFailure]:
    """Recorded fetch failures, latest first."""
    query = select(FetchFailure).order_by(FetchFailure.last_failed_at.desc(), FetchFailure.id)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))
