"""Adaptive feed polling: how long to wait before a feed is polled again.

A feed that keeps publishing is polled more often, one that stays quiet less
often, always between a minimum and a maximum interval: each poll that brings
new items shortens the interval (by ``speedup``, toward the minimum), each poll
that brings nothing lengthens it (by ``backoff``, toward the maximum). A failed
poll backs off faster, so a broken or refusing host is not hammered. A small
spread derived from the feed's URL keeps feeds added together from falling
due at the same instant.

Pure functions: no clock, no I/O; the caller passes ``now``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["PollOutcome", "PollPolicy", "next_interval", "next_poll_at"]


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """The bounds and factors of adaptive polling.

    Args:
        min_interval: The shortest wait between polls, in seconds.
        max_interval: The longest wait between polls, in seconds.
        initial_interval: The wait after a new feed's first poll, in seconds
            (clamped into the bounds).
        speedup: Multiplier after a poll with new items (0 < speedup < 1).
        backoff: Multiplier after a poll with nothing new (> 1).
        error_backoff: Multiplier after a failed poll (> 1).
        spread: The largest share of an interval added to spread feeds apart
            (0 <= spread < 1).

    Raises:
        ValueError: A bound or factor is out of range.
    """

    min_interval: float = 300.0
    max_interval: float = 86_400.0
    initial_interval: float = 3_600.0
    speedup: float = 0.5
    backoff: float = 1.5
    error_backoff: float = 2.0
    spread: float = 0.1

    def __post_init__(self) -> None:
        if self.min_interval <= 0:
            raise ValueError(f"min_interval must be positive, got {self.min_interval}")
        if self.max_interval < self.min_interval:
            raise ValueError(
                f"max_interval ({self.max_interval}) is below min_interval ({self.min_interval})"
            )
        if not 0 < self.speedup < 1:
            raise ValueError(f"speedup must be between 0 and 1, got {self.speedup}")
        if self.backoff <= 1 or self.error_backoff <= 1:
            raise ValueError("backoff and error_backoff must be above 1")
        if not 0 <= self.spread < 1:
            raise ValueError(f"spread must be in [0, 1), got {self.spread}")

    def clamp(self, seconds: float) -> float:
        """``seconds`` brought within ``[min_interval, max_interval]``."""
        return min(self.max_interval, max(self.min_interval, seconds))


@dataclass(frozen=True, slots=True)
class PollOutcome:
    """What one poll of a feed found.

    Attributes:
        new_items: Items never seen before.
        failed: The poll failed (fetch error, unreadable feed).
    """

    new_items: int = 0
    failed: bool = False


def next_interval(previous: float | None, outcome: PollOutcome, *, policy: PollPolicy) -> float:
    """The wait before the next poll, from the last wait and what the poll found.

    Args:
        previous: The interval that led to this poll, in seconds; None for a
            feed's first poll.
        outcome: What the poll found.
        policy: Bounds and factors.

    Returns:
        The next interval in seconds, within the policy's bounds.
    """
    if previous is None:
        base = policy.initial_interval
        # A first poll that fails says nothing about the feed's rate, only that
        # the host is unwell: wait at least the initial interval.
        if outcome.failed:
            return policy.clamp(base * policy.error_backoff)
        return policy.clamp(base * policy.speedup if outcome.new_items else base)
    if outcome.failed:
        factor = policy.error_backoff
    elif outcome.new_items:
        factor = policy.speedup
    else:
        factor = policy.backoff
    return policy.clamp(previous * factor)


def next_poll_at(now: datetime, interval: float, *, key: str, policy: PollPolicy) -> datetime:
    """When a feed falls due again: ``now`` plus ``interval`` and a stable spread.

    Args:
        now: The time of the poll just made (timezone-aware).
        interval: The interval from :func:`next_interval`, in seconds.
        key: The feed's identity (its URL); the same key always gets the same
            spread, so a feed's schedule does not wander from poll to poll.
        policy: Its ``spread`` bounds the extra share.

    Returns:
        The next poll time.

    Raises:
        ValueError: ``now`` is naive or ``interval`` is negative.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if interval < 0:
        raise ValueError(f"interval must not be negative, got {interval}")
    share = (zlib.crc32(key.encode("utf-8")) % 1000) / 1000 * policy.spread
    # Clamped again so that the spread never takes a wait past the maximum.
    return now + timedelta(seconds=policy.clamp(interval * (1 + share)))
