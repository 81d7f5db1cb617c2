"""Discovery: where an outlet's feeds and sitemaps are, from its home page and robots.txt.

Everything here parses text that was already fetched; nothing opens a URL, a
file or a socket. A home page declares its feeds with ``<link rel="alternate">``
(when it declares none, the usual feed paths are worth a try), and robots.txt
lists the sitemaps with ``Sitemap:`` lines. The listings found are read by
:mod:`provenance.feeds` and :mod:`provenance.sitemaps`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from lxml import etree  # type: ignore[import-untyped]
from lxml import html as lxml_html

from provenance.feeds import listed_url

__all__ = ["declared_feeds", "discover_feeds", "guessed_feeds", "robots_sitemaps"]

#: Where outlets usually put a feed when their home page links none.
FEED_CANDIDATES = ("/feed", "/rss.xml", "/atom.xml", "/feed.xml", "/rss", "/index.xml")
_FEED_TYPES = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json"}
)
_SITEMAP_LINE_RE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)


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
    found = (listed_url(href, base_url) for href in _alternate_links(html))
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
        url = listed_url(match.group(1), base_url)
        if url is not None and url not in found:
            found.append(url)
    return found
