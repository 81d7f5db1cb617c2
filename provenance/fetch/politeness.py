"""Politeness: one request at a time per host, a minimum delay, and Retry-After.

Each host has a FIFO lock (``asyncio.Lock`` wakes waiters in order) held for a
whole exchange, so a host never sees two of our requests at once, and a time
before which the next request may not start: the end of the last exchange plus
the host's delay, pushed later by a ``Retry-After``. Different hosts never wait
for each other.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import math
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

__all__ = ["HostScheduler", "backoff_delay", "parse_retry_after"]

_SWEEP_AT = 4096  # idle hosts whose delay has passed are forgotten past this many


@dataclass(slots=True)
class _Host:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    ready_at: float = 0.0  # time.monotonic() before which no request may start
    users: int = 0  # holders and waiters; an unused entry is dropped


class HostScheduler:
    """Serialises requests per host and spaces them by the host's delay."""

    def __init__(self) -> None:
        self._hosts: dict[str, _Host] = {}

    @contextlib.asynccontextmanager
    async def slot(self, host: str, delay: float) -> AsyncIterator[None]:
        """Hold ``host`` for one exchange: wait for its turn and its delay, then run.

        Args:
            host: The host name (lower-case); ports of one host share a slot.
            delay: Seconds to keep between the end of this exchange and the next start.
        """
        if len(self._hosts) > _SWEEP_AT:
            self._sweep()
        entry = self._hosts.setdefault(host, _Host())
        entry.users += 1
        try:
            async with entry.lock:
                wait = entry.ready_at - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                try:
                    yield
                finally:
                    entry.ready_at = max(entry.ready_at, time.monotonic() + delay)
        finally:
            entry.users -= 1
            if entry.users == 0 and entry.ready_at <= time.monotonic():
                del self._hosts[host]  # keeps the table as small as the hosts in play

    def _sweep(self) -> None:
        now = time.monotonic()
        for host in [h for h, e in self._hosts.items() if not e.users and e.ready_at <= now]:
            del self._hosts[host]

    def defer(self, host: str, seconds: float) -> None:
        """Start no request to ``host`` for ``seconds`` (a Retry-After, say)."""
        entry = self._hosts.setdefault(host, _Host())
        entry.ready_at = max(entry.ready_at, time.monotonic() + seconds)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delay-seconds or an HTTP-date.

    Returns:
        The delay (0 for a date in the past), or None if absent or unreadable.
    """
    if value is None:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; a zone-less one is read so
        when = when.replace(tzinfo=UTC)
    delay = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, math.ceil(delay))


def backoff_delay(base: float, attempt: int) -> float:
    """Seconds before retry ``attempt`` (1-based): ``base``, doubled for each further one."""
    return float(base * 2 ** (attempt - 1))
