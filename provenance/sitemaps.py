"""Sitemaps: the article URLs an outlet lists in its sitemaps and sitemap indexes.

Everything here parses bytes that the crawler already fetched; nothing opens a
URL, a file or a socket. Sitemaps (``urlset``, news sitemaps and
``sitemapindex``) are read with lxml, with entity resolution, DTD loading and
network access off, so a billion-laughs document or an external entity cannot
expand or reach out. Sitemap dates (``news:publication_date``) are returned as
date claims: they are origin evidence.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from provenance.dates import parse_date
from provenance.errors import ExtractionError
from provenance.feeds import GZIP_MAGIC, FeedKind, listed_text, listed_url
from provenance.models import DateClaim, DateSource

__all__ = ["Sitemap", "SitemapEntry", "parse_sitemap"]

#: The sitemaps protocol caps a sitemap at 50,000 URLs and 50 MB uncompressed.
MAX_SITEMAP_URLS = 50_000
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
_NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"


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
    if data.startswith(GZIP_MAGIC):
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
    url = listed_url(_child_text(element, "loc"), base_url)
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
            return listed_text(child.text)
    return None
