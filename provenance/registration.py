"""Registering outlets and feeds for the crawler (``outlets add``, ``feeds add``).

An edge beside :mod:`provenance.crawl`: it fetches an outlet's home page and
robots.txt through the fetcher, finds feed candidates with the pure
:mod:`provenance.discover`, and keeps each candidate that answers with a feed or
a sitemap (:func:`provenance.feeds.feed_kind`). Validators are not stored here:
the first poll must read the whole listing, not be answered 304.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from provenance.discover import declared_feeds, guessed_feeds, robots_sitemaps
from provenance.errors import (
    AddressRefusedError,
    FetchConnectionError,
    FetchError,
    RobotsDisallowedError,
    URLRefusedError,
)
from provenance.feeds import feed_kind
from provenance.fetch import Fetcher
from provenance.outlet import outlet_domain, outlet_name
from provenance.service import Service
from provenance.storage import crawl_repository as crawl_repo
from provenance.urls import normalize_url

__all__ = ["OutletRegistration", "Registration", "register_feed", "register_outlet"]

_log = logging.getLogger(__name__)
_HOST_REFUSED = (AddressRefusedError, FetchConnectionError, RobotsDisallowedError, URLRefusedError)
#: Failures that say nothing about whether the URL is a feed: the host was not reached.
_UNREACHED = (
    "RobotsDisallowedError",
    "FetchTimeoutError",
    "FetchConnectionError",
    "FetchStatusError",
)


@dataclass(frozen=True, slots=True)
class Registration:
    """A feed URL tried, and what came of it.

    Attributes:
        url: The candidate (normalised).
        kind: ``rss``, ``atom``, ``sitemap`` or ``sitemapindex``; None when it is
            no feed.
        created: Registered now (False when it was registered before, or refused).
        reason: Why it was not registered, or ``already registered``.
    """

    url: str
    kind: str | None
    created: bool = False
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class OutletRegistration:
    """What ``outlets add`` did.

    Attributes:
        domain: The outlet's domain (its identity).
        name: Its display name.
        feeds: Every candidate tried.
        home_error: Why the home page could not be read, if it could not.
    """

    domain: str
    name: str
    feeds: list[Registration] = field(default_factory=list)
    home_error: str | None = None


async def register_outlet(
    service: Service, fetcher: Fetcher, url: str, *, name: str
) -> OutletRegistration:
    """Register an outlet (or rename it) and the feeds found for it.

    Tried, in order: the home page's ``<link rel="alternate">`` feeds (or, when
    it declares none, the usual feed paths), then the ``Sitemap:`` lines of its
    robots.txt.

    Args:
        service: The pipeline and its database.
        fetcher: The fetcher.
        url: The outlet's home page.
        name: Its display name, which declared sources ("Source: X") are matched to.

    Returns:
        The outlet and each candidate tried.

    Raises:
        ValueError: ``url`` is not an http(s) URL.
    """
    home = normalize_url(url)
    domain = outlet_domain(home)
    with service.sessions.begin() as session:
        outlet_id = crawl_repo.set_outlet(session, domain=domain, name=name).id
    html, base, home_error, guess = "", home, None, True
    try:
        page = await fetcher.fetch(home, purpose="page")
        html, base = page.text or "", page.url
    except FetchError as exc:
        home_error = f"{type(exc).__name__}: {exc.reason}"
        # What kept the home page out keeps every other path of the host out too.
        guess = not isinstance(exc, _HOST_REFUSED)
    # The usual paths are guessed only when the page declares no feed: each guess
    # costs the outlet a request.
    candidates = declared_feeds(html, base_url=base) or (guessed_feeds(base) if guess else [])
    feeds = [await _register(service, fetcher, c, outlet_id, purpose="feed") for c in candidates]
    for sitemap in await _robots_sitemaps(fetcher, home):
        feeds.append(await _register(service, fetcher, sitemap, outlet_id, purpose="sitemap"))
    return OutletRegistration(domain, name, feeds, home_error)


async def register_feed(service: Service, fetcher: Fetcher, url: str) -> Registration:
    """Register one feed or sitemap; it is fetched once to learn its kind.

    The feed joins the outlet of its domain, created (named after the domain)
    when there is none.

    When the host cannot be reached (robots.txt unreachable, a timeout, an
    error status), the feed is registered all the same, unverified, and its
    first poll will record why it fails.

    Raises:
        ValueError: ``url`` is not an http(s) URL.
    """
    feed_url = normalize_url(url)
    domain = outlet_domain(feed_url)
    with service.sessions.begin() as session:
        outlet = crawl_repo.outlet_by_domain(session, domain)
        if outlet is None:
            outlet = crawl_repo.set_outlet(session, domain=domain, name=outlet_name(feed_url, None))
        outlet_id = outlet.id
    is_sitemap = "sitemap" in urlsplit(feed_url).path.lower()
    purpose = "sitemap" if is_sitemap else "feed"
    found = await _register(service, fetcher, feed_url, outlet_id, purpose=purpose)
    if found.kind is not None or not found.reason or not found.reason.startswith(_UNREACHED):
        return found
    # The user named this feed: a host that cannot be reached now (robots.txt
    # down, a timeout) does not make it wrong. It is kept, its kind guessed until
    # the first poll reads it, and each poll's failure is recorded on it.
    kind = "sitemap" if is_sitemap else "rss"
    with service.sessions.begin() as session:
        _, created = crawl_repo.add_feed(session, url=feed_url, outlet_id=outlet_id, kind=kind)
    return Registration(feed_url, kind, created=created, reason=f"not verified: {found.reason}")


async def _robots_sitemaps(fetcher: Fetcher, home: str) -> list[str]:
    parts = urlsplit(home)
    robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
    try:
        robots = await fetcher.fetch(robots_url, purpose="robots")
    except FetchError as exc:
        _log.info("robots.txt %s: %s", robots_url, exc)
        return []
    return robots_sitemaps(robots.text or "", base_url=robots.url)


async def _register(
    service: Service, fetcher: Fetcher, url: str, outlet_id: int, *, purpose: str
) -> Registration:
    try:
        url = normalize_url(url)
    except ValueError as exc:
        return Registration(url, None, reason=str(exc))
    with service.sessions() as session:
        existing = crawl_repo.feed_by_url(session, url)
        if existing is not None:
            return Registration(url, existing.kind, reason="already registered")
    try:
        result = await fetcher.fetch(url, purpose=purpose)
    except FetchError as exc:
        return Registration(url, None, reason=f"{type(exc).__name__}: {exc.reason}")
    kind = feed_kind(result.body)
    if kind is None:
        return Registration(url, None, reason="not a feed or sitemap")
    with service.sessions.begin() as session:
        _, created = crawl_repo.add_feed(session, url=url, outlet_id=outlet_id, kind=str(kind))
    return Registration(url, str(kind), created=created)
