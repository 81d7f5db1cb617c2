"""Feeds: the article URLs an outlet announces in its RSS and Atom feeds.

Everything here parses bytes that the crawler already fetched; nothing opens a
URL, a file or a socket. Feeds (RSS 0.9x, 1.0, 2.0 and Atom) are read with
feedparser, which is always handed a byte stream: given a string or bytes it
would treat them as a URL or a path and fetch or open it itself. Feed dates
(``pubDate``, ``published``, ``updated``) are returned as date claims: they are
origin evidence. :func:`feed_kind` tells which kind of listing a fetched
document is; sitemaps are read by :mod:`provenance.sitemaps`.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import feedparser

from provenance.dates import parse_date
from provenance.errors import ExtractionError
from provenance.models import DateClaim, DateSource
from provenance.urls import absolute_url

__all__ = [
    "GZIP_MAGIC",
    "Feed",
    "FeedEntry",
    "FeedKind",
    "feed_kind",
    "listed_text",
    "listed_url",
    "parse_feed",
]

#: Trust of an Atom ``updated`` stamp as a publication date: it is at or after the
#: publication, so it stays below the level that places an article in time.
_UPDATED_TRUST = 0.45
#: The first bytes of a gzip stream (feeds and sitemaps may come compressed).
GZIP_MAGIC = b"\x1f\x8b"
_SNIFF_WINDOW = 4096
_ROOT_RE = re.compile(rb"<(?!\?|!)(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")


class FeedKind(StrEnum):
    """What kind of listing a document is (the ``feed.kind`` column)."""

    RSS = "rss"
    ATOM = "atom"
    SITEMAP = "sitemap"
    SITEMAP_INDEX = "sitemapindex"


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed.

    Attributes:
        url: The article's absolute http(s) URL.
        title: The item's title, if any.
        published: The item's publication date as a feed date claim, if any.
        guid: The item's ``guid`` / Atom ``id``, if any.
    """

    url: str
    title: str | None
    published: DateClaim | None
    guid: str | None


@dataclass(frozen=True, slots=True)
class Feed:
    """A parsed RSS or Atom feed.

    Attributes:
        kind: RSS (any version) or Atom.
        version: feedparser's version tag (``rss20``, ``rss10``, ``atom10`` ...).
        title: The feed's title, if any.
        link: The site the feed belongs to, if given.
        entries: Items with a usable article URL, in document order, no URL twice.
        problem: Why the feed is not well-formed, when it was read leniently
            anyway; None for a clean feed.
        skipped: Items dropped for lack of a usable http(s) link.
    """

    kind: FeedKind
    version: str
    title: str | None
    link: str | None
    entries: tuple[FeedEntry, ...]
    problem: str | None = None
    skipped: int = 0


# -- what is it ------------------------------------------------------------------------


def feed_kind(data: bytes) -> FeedKind | None:
    """Guess what a fetched listing is from its root element.

    Args:
        data: The document's bytes (a gzip-compressed sitemap is recognised too).

    Returns:
        The kind, or None when the bytes are no feed or sitemap (an HTML page,
        JSON, an image).
    """
    if data.startswith(GZIP_MAGIC):
        return FeedKind.SITEMAP  # only sitemaps are published as .xml.gz files
    head = data[:_SNIFF_WINDOW].lstrip(b"\xef\xbb\xbf \t\r\n")
    for match in _ROOT_RE.finditer(head):
        name = match.group(1).lower()
        if name in (b"rss", b"rdf"):
            return FeedKind.RSS
        if name == b"feed":
            return FeedKind.ATOM
        if name == b"urlset":
            return FeedKind.SITEMAP
        if name == b"sitemapindex":
            return FeedKind.SITEMAP_INDEX
        return None  # the first element decides
    return None


# -- feeds -----------------------------------------------------------------------------


def parse_feed(
    data: bytes,
    *,
    base_url: str,
    content_type: str | None = None,
    now: datetime | None = None,
) -> Feed:
    """Parse an RSS or Atom feed.

    A feed with errors (bad markup, a wrong declared encoding) is read leniently
    when feedparser can still find items in it; the result then says what was
    wrong in ``problem``.

    Args:
        data: The feed's bytes, as fetched.
        base_url: The feed's own URL, against which relative links resolve.
        content_type: The HTTP ``Content-Type`` header, whose charset feedparser
            weighs against the XML declaration.
        now: The present, for rejecting dates in the future (the clock if None).

    Returns:
        The feed.

    Raises:
        ExtractionError: The bytes are no RSS or Atom feed, or are too broken
            to yield anything.
    """
    # Without a type feedparser flags every feed; a generic XML type lets the
    # document's own declaration decide its encoding.
    headers = {"content-location": base_url, "content-type": content_type or "application/xml"}
    # A BytesIO, never the bytes themselves: feedparser opens bytes as a file
    # path when one of that name exists, and fetches strings that look like URLs.
    parsed = feedparser.parse(
        io.BytesIO(data), response_headers=headers, resolve_relative_uris=False
    )
    version = str(parsed.get("version") or "")
    problem = _bozo_reason(parsed)
    if not version.startswith(("rss", "atom")):
        reason = problem or "no <rss>, <rdf:RDF> or <feed> root element"
        raise ExtractionError(f"not an RSS or Atom feed: {reason}")
    entries, skipped = _feed_entries(parsed.entries, base_url, now)
    if problem is not None and not entries:
        raise ExtractionError(f"malformed feed with no readable items: {problem}")
    info = parsed.feed
    return Feed(
        kind=FeedKind.ATOM if version.startswith("atom") else FeedKind.RSS,
        version=version,
        title=listed_text(info.get("title")),
        link=listed_url(info.get("link"), base_url),
        entries=entries,
        problem=problem,
        skipped=skipped,
    )


def _bozo_reason(parsed: Any) -> str | None:
    exc = parsed.get("bozo_exception")
    # Servers label feeds text/html or text/plain all the time; the feed is fine.
    if not parsed.get("bozo") or isinstance(exc, feedparser.NonXMLContentType):
        return None
    name = type(exc).__name__ if exc is not None else "error"
    message = str(exc).strip() if exc is not None else ""
    return f"{name}: {message}" if message else name


def _feed_entries(
    raw_entries: Iterable[Any], base_url: str, now: datetime | None
) -> tuple[tuple[FeedEntry, ...], int]:
    entries: dict[str, FeedEntry] = {}
    skipped = 0
    for raw in raw_entries:
        url = _entry_url(raw, base_url)
        if url is None:
            skipped += 1
            continue
        entries.setdefault(
            url,
            FeedEntry(
                url=url,
                title=listed_text(raw.get("title")),
                published=_entry_date(raw, now),
                guid=listed_text(raw.get("id")),
            ),
        )
    return tuple(entries.values()), skipped


def _entry_url(raw: Any, base_url: str) -> str | None:
    candidates = [raw.get("link")]
    candidates += [
        link.get("href") for link in raw.get("links", ()) if link.get("rel") in (None, "alternate")
    ]
    if raw.get("guidislink"):
        candidates.append(raw.get("id"))
    for candidate in candidates:
        url = listed_url(candidate, base_url)
        if url is not None:
            return url
    return None


def _entry_date(raw: Any, now: datetime | None) -> DateClaim | None:
    for key, field in (("published", "pubDate/published"), ("created", "created")):
        claim = _feed_date(raw, key, field, now)
        if claim is not None:
            return claim
    updated = _feed_date(raw, "updated", "updated", now)
    if updated is None:
        return None
    return DateClaim(
        updated.value,
        updated.source,
        _UPDATED_TRUST,
        f"{updated.detail} (an update time: the item was published then or earlier)",
    )


def _feed_date(raw: Any, key: str, field: str, now: datetime | None) -> DateClaim | None:
    # dict.get, not FeedParserDict.get: the latter maps a missing "updated" to
    # "published" with a DeprecationWarning, and we want each field as it is.
    text = listed_text(dict.get(raw, key))
    if text is None:
        return None
    claim = parse_date(text, source=DateSource.FEED, detail=f"feed {field}", now=now)
    if claim is not None:
        return claim
    # feedparser reads a few more formats than we do (obsolete RFC 822 zones, W3C
    # dates with odd separators); its struct_time is already UTC.
    parsed = dict.get(raw, f"{key}_parsed")
    if not parsed:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    value = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    return parse_date(value.isoformat(), source=DateSource.FEED, detail=f"feed {field}", now=now)


# -- helpers, also used by provenance.sitemaps and provenance.discover -----------------


def listed_text(value: Any) -> str | None:
    """A listing's text field, runs of white space collapsed; None if empty or not text."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def listed_url(value: Any, base_url: str) -> str | None:
    """A listing's link as an absolute http(s) URL, or None (as :func:`absolute_url`)."""
    text = listed_text(value)
    if text is None:
        return None
    return absolute_url(text, base_url)
