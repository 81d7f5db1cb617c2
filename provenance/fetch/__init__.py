"""Polite, guarded, archived fetching: the crawler's edge to the web (httpx).

``Fetcher.fetch`` gets one URL for a purpose (page, feed, sitemap, robots) and
returns a :class:`FetchResult` or raises a :class:`~provenance.errors.FetchError`
subclass naming the reason. On the way it applies robots.txt (RFC 9309), per-host
politeness, the SSRF guard with connections pinned to checked addresses, a
wall-clock deadline, caps on raw and decompressed bytes, bounded retries, and
records every response in a :class:`WarcArchive`.

Modules: ``options`` (options, result, counters), ``guard`` (addresses), ``client``
(the httpx client and its pinned dialer), ``body`` (caps, decompression, charsets),
``robots``, ``politeness``, ``exchange`` (one request), ``result`` (judging the
final response), ``archive`` (WARC), ``fetcher`` (the hops).
"""

from provenance.fetch.archive import Exchange, WarcArchive
from provenance.fetch.client import PinnedDialer
from provenance.fetch.fetcher import Fetcher
from provenance.fetch.guard import AddressPolicy, Resolver, SystemResolver
from provenance.fetch.options import FetchOptions, FetchResult, FetchStats, parse_networks

__all__ = [
    "AddressPolicy",
    "Exchange",
    "FetchOptions",
    "FetchResult",
    "FetchStats",
    "Fetcher",
    "PinnedDialer",
    "Resolver",
    "SystemResolver",
    "WarcArchive",
    "parse_networks",
]
