"""The fetcher: one polite, guarded, archived GET, following redirects by hand.

For each hop of a fetch: the URL is checked (http/https, no credentials), its host
is resolved and every address checked (``guard``), robots.txt is consulted
(``robots``), the host's turn and delay are awaited (``politeness``), and then one
exchange runs under a wall-clock deadline with its connection pinned to the checked
address (``client``) and its body read within caps (``body``). Every response,
whatever its status, is archived (``archive``) before it is judged. A 408, 429 or
5xx (and a failed connection) is retried a bounded number of times, after its
``Retry-After`` or a doubling backoff; a redirect starts the next hop, all checks
again, up to ``max_redirects``.
"""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from types import TracebackType

import httpcore
import httpx

from provenance.errors import (
    AddressRefusedError,
    FetchConnectionError,
    FetchError,
    FetchStatusError,
    FetchTimeoutError,
    RedirectError,
    RobotsDisallowedError,
    URLRefusedError,
)
from provenance.fetch.archive import WarcArchive
from provenance.fetch.client import PinnedDialer, build_client, build_transport, pinned
from provenance.fetch.exchange import Response, Target, parse_target, read_response
from provenance.fetch.guard import (
    AddressPolicy,
    IPAddress,
    Resolver,
    SystemResolver,
    resolve_and_check,
)
from provenance.fetch.options import PURPOSES, FetchOptions, FetchResult, FetchStats
from provenance.fetch.politeness import HostScheduler, backoff_delay, parse_retry_after
from provenance.fetch.result import build_result
from provenance.fetch.robots import RobotsAnswer, RobotsCache

__all__ = ["Fetcher"]

_RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ACCEPT = {
    "page": "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
    "feed": "application/rss+xml, application/atom+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.1",
    "sitemap": "application/xml, text/xml;q=0.9, */*;q=0.1",
    "robots": "text/plain, */*;q=0.1",
}


@dataclass(slots=True)
class _Hop:
    """The state of a fetch between hops."""

    url: str
    headers: dict[str, str]
    redirects: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)


class Fetcher:
    """Fetches pages, feeds, sitemaps and robots.txt files politely, safely, on the record.

    One fetcher serves a whole crawl: it holds the connection pool, the robots.txt
    cache and each host's politeness state. Use it as an async context manager, or
    call :meth:`aclose`.

    Args:
        options: Limits, delays, allowed networks, User-Agent.
        archive: Where every response is recorded; None records nothing (a dry run).
        resolver: Host name lookups; default the system resolver.
        transport: Replaces the pinned network transport (``httpx.MockTransport``
            in one-off tests); the SSRF checks still run, but the dialer is bypassed.
        ssl_context: Certificates to trust instead of the system's.
        network_backend: What the dialer connects with once it has checked the
            address (default httpcore's); tests wrap it to refuse non-loopback.

    Attributes:
        stats: Counters of the work done.
        dialer: The network backend; ``dialer.attempts`` counts connections per address.
    """

    def __init__(
        self,
        options: FetchOptions,
        *,
        archive: WarcArchive | None,
        resolver: Resolver | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        ssl_context: ssl.SSLContext | None = None,
        network_backend: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.options = options
        self.archive = archive
        self.stats = FetchStats()
        self._policy = AddressPolicy(options.allow_networks)
        self._resolver: Resolver = resolver or SystemResolver()
        self.dialer = PinnedDialer(self._policy, backend=network_backend)
        self._transport = transport or build_transport(
            options, self.dialer, ssl_context=ssl_context
        )
        self._client = build_client(options, self._transport)
        self._hosts = HostScheduler()
        self._robots = RobotsCache(
            self._load_robots, ttl=options.robots_ttl, error_ttl=options.robots_error_ttl
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool (the archive belongs to the caller)."""
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        purpose: str = "page",
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """Fetch ``url`` for ``purpose`` and archive every response on the way.

        Args:
            url: An http or https URL.
            purpose: ``page``, ``feed``, ``sitemap`` or ``robots``; decides the
                content types accepted, and ``robots`` skips the robots.txt check.
            etag: The ETag of the copy held, for a conditional GET.
            last_modified: The Last-Modified of the copy held, for a conditional GET.
            accept: An Accept header instead of the purpose's default.

        Returns:
            The final 2xx response, or a 304 (``not_modified``) to a conditional GET.

        Raises:
            ValueError: ``purpose`` is unknown.
            FetchError: A subclass naming the reason: URLRefusedError,
                AddressRefusedError, RobotsDisallowedError, FetchTimeoutError,
                FetchConnectionError, FetchStatusError, RedirectError,
                BodyTooLargeError, ContentDecodingError, ContentTypeError.
        """
        if purpose not in PURPOSES:
            raise ValueError(f"purpose must be one of {sorted(PURPOSES)}, got {purpose!r}")
        headers = {"Accept": accept or _ACCEPT[purpose]}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            return await self._follow(url, purpose, headers)
        except FetchError as exc:
            name = type(exc).__name__
            self.stats.errors[name] = self.stats.errors.get(name, 0) + 1
            raise

    async def allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch ``url`` (fetching robots.txt if needed).

        An unreachable robots.txt (5xx, no connection) allows nothing.

        Raises:
            URLRefusedError: The URL is not one we fetch.
        """
        target = parse_target(url)
        rules = await self._robots.rules(target.origin)
        return rules.allows(str(target.url), self.options.robots_token)

    # -- hops --------------------------------------------------------------------------

    async def _follow(self, url: str, purpose: str, headers: dict[str, str]) -> FetchResult:
        hop = _Hop(url, headers)
        conditional = "If-None-Match" in headers or "If-Modified-Since" in headers
        while True:
            target = self._parse(hop)
            hop.seen.add(str(target.url))
            address = await self._check_address(target)
            delay = await self._delay_after_robots(target, purpose)
            response = await self._with_retries(target, address, purpose, hop.headers, delay)
            if response.status not in _REDIRECTS:
                crawl_delay = None if purpose == "robots" else delay.crawl_delay
                result = build_result(
                    url,
                    response,
                    purpose,
                    tuple(hop.redirects),
                    conditional=conditional,
                    max_decoded=self.options.max_decoded_bytes,
                    crawl_delay=crawl_delay,
                )
                self.stats.not_modified += result.not_modified
                return result
            self._next_hop(hop, target, response)

    def _parse(self, hop: _Hop) -> Target:
        try:
            return parse_target(hop.url)
        except URLRefusedError as exc:
            self.stats.refused_urls += 1
            if hop.redirects:
                raise URLRefusedError(
                    f"{exc.reason} (redirected from {hop.redirects[-1]})", url=hop.url
                ) from None
            raise

    def _next_hop(self, hop: _Hop, target: Target, response: Response) -> None:
        location = response.headers.get("location")
        if not location:
            raise RedirectError(
                f"HTTP {response.status} without a Location",
                url=str(target.url),
                capture=response.capture,
            )
        try:
            following = str(target.url.join(location.strip()))
        except (httpx.InvalidURL, ValueError) as exc:
            raise RedirectError(
                f"unusable Location {location!r}: {exc}",
                url=str(target.url),
                capture=response.capture,
            ) from None
        if following in hop.seen:
            raise RedirectError(
                f"redirect loop back to {following}", url=str(target.url), capture=response.capture
            )
        if len(hop.redirects) >= self.options.max_redirects:
            raise RedirectError(
                f"more than {self.options.max_redirects} redirects",
                url=str(target.url),
                capture=response.capture,
            )
        self.stats.redirects += 1
        hop.redirects.append(str(target.url))
        hop.url = following
        # Validators belong to the URL first asked for, not to where it now leads.
        hop.headers = {k: v for k, v in hop.headers.items() if not k.startswith("If-")}

    async def _check_address(self, target: Target) -> IPAddress:
        try:
            async with asyncio.timeout(self.options.deadline):
                return await resolve_and_check(target.host, self._policy, self._resolver)
        except TimeoutError:
            raise FetchTimeoutError(
                f"resolving {target.host} took over {self.options.deadline} s", url=str(target.url)
            ) from None
        except URLRefusedError as exc:
            self.stats.refused_urls += 1
            raise URLRefusedError(exc.reason, url=str(target.url)) from None
        except AddressRefusedError as exc:
            self.stats.refused_addresses += 1
            raise AddressRefusedError(exc.reason, url=str(target.url)) from None

    async def _delay_after_robots(self, target: Target, purpose: str) -> _Delay:
        base = self.options.host_delay
        if purpose == "robots":
            cached = self._robots.cached(target.origin)
            asked = cached.crawl_delay(self.options.robots_token) if cached else None
            return _Delay.of(base, asked, self.options.crawl_delay_cap)
        rules = await self._robots.rules(target.origin)
        if not rules.allows(str(target.url), self.options.robots_token):
            self.stats.robots_blocked += 1
            reason = rules.blocked or f"robots.txt disallows it for {self.options.robots_token}"
            raise RobotsDisallowedError(reason, url=str(target.url))
        asked = rules.crawl_delay(self.options.robots_token)
        return _Delay.of(base, asked, self.options.crawl_delay_cap)

    async def _load_robots(self, origin: str) -> RobotsAnswer:
        self.stats.robots_fetched += 1
        try:
            # _follow, not fetch: an absent robots.txt is not an error of the crawl.
            headers = {"Accept": _ACCEPT["robots"]}
            result = await self._follow(f"{origin}/robots.txt", "robots", headers)
        except FetchStatusError as exc:
            return RobotsAnswer(exc.status, problem=exc.reason)
        except RedirectError as exc:
            return RobotsAnswer(404, problem=exc.reason)  # RFC 9309: as if unavailable
        except FetchError as exc:
            return RobotsAnswer(None, problem=exc.reason)
        return RobotsAnswer(result.status, result.text or "")

    # -- exchanges ---------------------------------------------------------------------

    async def _with_retries(
        self,
        target: Target,
        address: IPAddress,
        purpose: str,
        headers: dict[str, str],
        delay: _Delay,
    ) -> Response:
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self._exchange(target, address, purpose, headers, delay.seconds)
            except FetchConnectionError:
                if attempt > self.options.max_retries:
                    raise
                wait = backoff_delay(self.options.retry_backoff, attempt)
            else:
                if response.status not in _RETRY_STATUSES or attempt > self.options.max_retries:
                    return response
                asked = parse_retry_after(response.headers.get("retry-after"))
                if asked is not None and asked > self.options.crawl_delay_cap:
                    response.note = (
                        f"Retry-After {asked:.0f} s is over the cap of "
                        f"{self.options.crawl_delay_cap:.0f} s"
                    )
                    return response
                wait = (
                    asked
                    if asked is not None
                    else backoff_delay(self.options.retry_backoff, attempt)
                )
            self.stats.retries += 1
            self._hosts.defer(target.host, wait)

    async def _exchange(
        self,
        target: Target,
        address: IPAddress,
        purpose: str,
        headers: dict[str, str],
        delay: float,
    ) -> Response:
        async with self._hosts.slot(target.host, delay):
            self.stats.requests += 1
            request = self._client.build_request("GET", target.url, headers=headers)
            with pinned(target.host, address):
                response = await read_response(
                    self._transport,
                    request,
                    address,
                    purpose,
                    self.options,
                    self.archive,
                    self.stats,
                )
            return response


@dataclass(frozen=True, slots=True)
class _Delay:
    """The delay kept after a request to a host, and the Crawl-delay behind it."""

    seconds: float
    crawl_delay: float | None

    @classmethod
    def of(cls, base: float, asked: float | None, cap: float) -> _Delay:
        crawl_delay = min(asked, cap) if asked is not None else None
        return cls(max(base, crawl_delay or 0.0), crawl_delay)
