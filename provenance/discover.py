"""Discovery: the article URLs an outlet announces, read from its feeds and sitemaps.

Everything here parses bytes that the crawler already fetched; nothing opens a
URL, a file or a socket. Feeds (RSS 0.9x, 1.0, 2.0 and Atom) are read with
feedparser, which is always handed a byte stream: given a string or bytes it
would treat them as a URL or a path and fetch or open it itself. Sitemaps
(``urlset``, news sitemaps and ``sitemapindex``) are read with lxml, with entity
resolution, DTD loading and network access off, so a billion-laughs document or
an external entity cannot expand or reach out. Feed and sitemap dates
(``pubDate``, ``news:publication_date``) are returned as date claims: they are
origin evidence.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import feedparser
from lxml import etree  # type: ignore[import-untyped]
from lxml import html as lxml_html

from provenance.dates import parse_date
from provenance.errors import ExtractionError
from provenance.models import DateClaim, DateSource
from provenance.urls import absolute_url

__all__ = [
    "Feed",
    "FeedEntry",
    "FeedKind",
    "Sitemap",
    "SitemapEntry",
    "declared_feeds",
    "discover_feeds",
    "feed_kind",
    "guessed_feeds",
    "parse_feed",
    "parse_sitemap",
    "robots_sitemaps",
]

#: Where outlets usually put a feed when their home page links none.
FEED_CANDIDATES = ("/feed", "/rss.xml", "/atom.xml", "/feed.xml", "/rss", "/index.xml")
#: The sitemaps protocol caps a sitemap at 50,000 URLs and 50 MB uncompressed.
MAX_SITEMAP_URLS = 50_000
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
#: Trust of an Atom ``updated`` stamp as a publication date: it is at or after the
#: publication, so it stays below the level that places an article in time.
_UPDATED_TRUST = 0.45
_FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
)
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
_GZIP_MAGIC = b"\x1f\x8b"
_SNIFF_WINDOW = 4096
_ROOT_RE = re.compile(rb"<(?!\?|!)(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")
_SITEMAP_LINE_RE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


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


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    """One ``<url>`` of a urlset or ``<sitemap>`` of a sitemap index.

    Attributes:
        url: The absolute http(s) URL from ``<loc>``.
        lastmod: ``<lastmod>``, when given and readable (a change time, not a
            publication date).
        published: ``news:publication_date`` as a feed date claim, if any.
        title: ``news:title``, if any.
    """

    url: str
    lastmod: datetime | None = None
    published: DateClaim | None = None
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    """A parsed sitemap.

    Attributes:
        kind: ``sitemap`` for a urlset, ``sitemapindex`` for an index.
        entries: Pages (urlset) or child sitemaps (index), no URL twice.
        skipped: Entries dropped: no usable ``<loc>``, or past the protocol's cap.
    """

    kind: FeedKind
    entries: tuple[SitemapEntry, ...]
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
    if data.startswith(_GZIP_MAGIC):
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
        title=_text(info.get("title")),
        link=_web_url(info.get("link"), base_url),
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
                title=_text(raw.get("title")),
                published=_entry_date(raw, now),
                guid=_text(raw.get("id")),
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
        url = _web_url(candidate, base_url)
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
    text = _text(dict.get(raw, key))
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


# -- sitemaps --------------------------------------------------------------------------


def _xml_parser() -> etree.XMLParser:
    # No entity expansion, no DTD, no network, no huge-tree override: a hostile
    # sitemap can neither blow up memory nor make the parser fetch anything.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_sitemap(
    data: bytes,
    *,
    base_url: str,
    max_bytes: int = MAX_SITEMAP_BYTES,
    now: datetime | None = None,
) -> Sitemap:
    """Parse a sitemap (``urlset``, with news extensions) or a sitemap index.

    Args:
        data: The sitemap's bytes; gzip-compressed sitemaps (``.xml.gz``) are
            decompressed here, in bounded steps.
        base_url: The sitemap's URL, against which relative ``<loc>`` values resolve.
        max_bytes: The most uncompressed bytes read (the protocol allows 50 MB).
        now: The present, for rejecting dates in the future (the clock if None).

    Returns:
        The sitemap.

    Raises:
        ExtractionError: Not XML, not a sitemap, or larger than ``max_bytes``.
    """
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(data, max_bytes)
    elif len(data) > max_bytes:
        raise ExtractionError(f"sitemap is over {max_bytes} bytes")
    try:
        root = etree.fromstring(data, parser=_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"sitemap is not well-formed XML: {exc}") from exc
    if root is None:
        raise ExtractionError("sitemap is empty")
    name = etree.QName(root).localname
    if name not in ("urlset", "sitemapindex"):
        raise ExtractionError(f"not a sitemap: root element is <{name}>")
    kind = FeedKind.SITEMAP if name == "urlset" else FeedKind.SITEMAP_INDEX
    child = "url" if kind is FeedKind.SITEMAP else "sitemap"
    entries: dict[str, SitemapEntry] = {}
    skipped = 0
    for element in _children(root, child):
        entry = _sitemap_entry(element, base_url, now) if len(entries) < MAX_SITEMAP_URLS else None
        if entry is None:
            skipped += 1
        else:
            entries.setdefault(entry.url, entry)
    return Sitemap(kind=kind, entries=tuple(entries.values()), skipped=skipped)


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        # max_length bounds the output of this one call: a bomb stops here.
        out = inflater.decompress(data, max_bytes + 1)
    except zlib.error as exc:
        raise ExtractionError(f"sitemap is not valid gzip: {exc}") from exc
    if len(out) > max_bytes:
        raise ExtractionError(f"sitemap is over {max_bytes} bytes once decompressed")
    if not inflater.eof:
        raise ExtractionError("sitemap is truncated gzip: the compressed stream ends early")
    return out


def _children(root: Any, name: str) -> Iterator[Any]:
    # Namespaced as the protocol says, but sitemaps without the namespace are common.
    for element in root:
        if isinstance(element.tag, str) and etree.QName(element).localname == name:
            yield element


def _sitemap_entry(element: Any, base_url: str, now: datetime | None) -> SitemapEntry | None:
    url = _web_url(_child_text(element, "loc"), base_url)
    if url is None:
        return None
    lastmod_text = _child_text(element, "lastmod")
    lastmod = parse_date(lastmod_text, source=DateSource.FEED, now=now) if lastmod_text else None
    published, title = None, None
    news = element.find(f"{{{_NEWS_NS}}}news")
    if news is not None:
        raw = _child_text(news, "publication_date")
        if raw:
            published = parse_date(
                raw, source=DateSource.FEED, detail="sitemap news:publication_date", now=now
            )
        title = _child_text(news, "title")
    return SitemapEntry(
        url=url, lastmod=lastmod.value if lastmod else None, published=published, title=title
    )


def _child_text(element: Any, name: str) -> str | None:
    for child in element:
        if isinstance(child.tag, str) and etree.QName(child).localname == name:
            return _text(child.text)
    return None


# -- home pages and robots.txt ---------------------------------------------------------


def discover_feeds(html: str, *, base_url: str) -> list[str]:
    """Feed URLs an outlet's home page declares, then the usual places to try.

    Args:
        html: The home page's HTML.
        base_url: The home page's URL.

    Returns:
        Absolute URLs, without duplicates: first :func:`declared_feeds`, then
        :func:`guessed_feeds`, which may not exist.
    """
    return list(dict.fromkeys([*declared_feeds(html, base_url=base_url), *guessed_feeds(base_url)]))


def declared_feeds(html: str, *, base_url: str) -> list[str]:
    """The feeds a page declares: each ``<link rel="alternate">`` of a feed type.

    Args:
        html: The page's HTML.
        base_url: The page's URL, against which relative links resolve.

    Returns:
        Absolute http(s) URLs in page order, without duplicates.
    """
    found = (_web_url(href, base_url) for href in _alternate_links(html))
    return list(dict.fromkeys(url for url in found if url is not None))


def guessed_feeds(base_url: str) -> list[str]:
    """The usual feed paths of a site (``/feed``, ``/rss.xml``, ...), on ``base_url``'s host."""
    parts = urlsplit(base_url)
    return [f"{parts.scheme}://{parts.netloc}{path}" for path in FEED_CANDIDATES]


def _alternate_links(html: str) -> Iterator[str]:
    if not html.strip():
        return
    parser = lxml_html.HTMLParser(encoding="utf-8", no_network=True)
    try:
        # As UTF-8 bytes: lxml refuses a str whose markup declares an encoding.
        tree = lxml_html.fromstring(html.encode("utf-8", errors="replace"), parser=parser)
    except (etree.ParserError, ValueError):
        return
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = link.get("href")
        if "alternate" in rel and kind in _FEED_TYPES and href:
            yield href


def robots_sitemaps(robots_txt: str, *, base_url: str) -> list[str]:
    """The ``Sitemap:`` URLs a robots.txt lists.

    Args:
        robots_txt: The robots.txt text.
        base_url: The robots.txt URL (relative sitemap URLs resolve against it).

    Returns:
        Absolute http(s) URLs in file order, without duplicates.
    """
    found: list[str] = []
    for match in _SITEMAP_LINE_RE.finditer(robots_txt):
        url = _web_url(match.group(1), base_url)
        if url is not None and url not in found:
            found.append(url)
    return found


# -- helpers ---------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _web_url(value: Any, base_url: str) -> str | None:
    text = _text(value)
    if text is None:
        return None
    return absolute_url(text, base_url)
