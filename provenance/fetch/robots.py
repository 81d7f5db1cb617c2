"""robots.txt per RFC 9309, parsed by Protego, cached per origin.

What a robots.txt answer means (RFC 9309 section 2.3.1):

- 2xx: its rules apply (Protego parses them; Crawl-delay is read, and capped).
- 4xx, or redirects that lead nowhere: "unavailable", so everything is allowed.
- 5xx, no connection, a timeout: "unreachable", so nothing on that origin is
  fetched; this is remembered only briefly (``robots_error_ttl``) so the host is
  tried again soon. A 429 is read as unreachable too: it asks us to slow down,
  not to crawl freely.

A result is kept for at most ``robots_ttl`` (RFC 9309: no more than 24 hours).
Concurrent first fetches of one origin share a single robots.txt request.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from protego import Protego

__all__ = ["RobotsAnswer", "RobotsCache", "RobotsRules"]


@dataclass(frozen=True, slots=True)
class RobotsAnswer:
    """What fetching an origin's robots.txt gave.

    Attributes:
        status: The final HTTP status, or None if there was no answer at all.
        text: The body, decoded (may be cut at the robots size limit).
        problem: Why there was no usable answer (no connection, timeout, ...), if so.
    """

    status: int | None
    text: str = ""
    problem: str | None = None


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """The rules of one origin, as of one fetch of its robots.txt.

    Attributes:
        parser: The parsed rules, for a 2xx answer.
        blocked: Why nothing may be fetched (robots.txt unreachable), if so.
        expires: ``time.monotonic()`` after which the rules are fetched again.
    """

    parser: Protego | None
    blocked: str | None
    expires: float

    def allows(self, url: str, token: str) -> bool:
        """Whether the rules let ``token`` fetch ``url``."""
        if self.blocked is not None:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, token))

    def crawl_delay(self, token: str) -> float | None:
        """The Crawl-delay (or Request-rate interval) asked of ``token``, if any."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(token)
        rate = self.parser.request_rate(token)
        if rate is not None and rate.requests:
            interval = rate.seconds / rate.requests
            delay = max(delay or 0.0, interval)
        return float(delay) if delay else None

    def sitemaps(self) -> list[str]:
        """The ``Sitemap:`` URLs the robots.txt lists."""
        return list(self.parser.sitemaps) if self.parser is not None else []


def rules_from_answer(answer: RobotsAnswer, *, ttl: float, error_ttl: float) -> RobotsRules:
    """Turn a robots.txt answer into rules, per RFC 9309's reading of each status."""
    now = time.monotonic()
    status = answer.status
    if status is not None and 200 <= status < 300:
        return RobotsRules(Protego.parse(answer.text), None, now + ttl)
    if status is not None and 300 <= status < 500 and status != 429:
        return RobotsRules(None, None, now + ttl)  # unavailable: all allowed
    why = answer.problem or f"robots.txt answered HTTP {status}"
    return RobotsRules(None, f"robots.txt is unreachable ({why})", now + min(ttl, error_ttl))


class RobotsCache:
    """robots.txt rules per origin, fetched on first use and again when they expire.

    Args:
        load: Fetches an origin's robots.txt (``"https://host:port"``) and says what
            came back; it must not raise.
        ttl: Seconds good (or unavailable) rules are kept.
        error_ttl: Seconds an unreachable robots.txt blocks its origin.
    """

    def __init__(
        self,
        load: Callable[[str], Awaitable[RobotsAnswer]],
        *,
        ttl: float,
        error_ttl: float,
    ) -> None:
        self._load = load
        self._ttl = ttl
        self._error_ttl = error_ttl
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def cached(self, origin: str) -> RobotsRules | None:
        """The unexpired rules of ``origin``, without fetching."""
        rules = self._rules.get(origin)
        if rules is None or rules.expires <= time.monotonic():
            return None
        return rules

    async def rules(self, origin: str) -> RobotsRules:
        """The rules of ``origin``, fetching its robots.txt if they are missing or stale."""
        rules = self.cached(origin)
        if rules is not None:
            return rules
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            rules = self.cached(origin)  # another task may have fetched it meanwhile
            if rules is None:
                answer = await self._load(origin)
                rules = rules_from_answer(answer, ttl=self._ttl, error_ttl=self._error_ttl)
                self._rules[origin] = rules
        return rules
