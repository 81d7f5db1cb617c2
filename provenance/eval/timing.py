"""When generated articles appear, when they are crawled, and the dates they claim.

Origins appear across a 120-day window from :data:`START`; a copy follows its
parent after a delay drawn from a three-part profile (within two hours, within
a day, within four days). The date a copy prints is usually its own, sometimes
the origin's (copied with the text), sometimes earlier than the origin
(back-dated), sometimes missing. Every draw comes from the generator's one
random source, so the order of calls is part of the output.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from provenance.eval.drafts import Draft
from provenance.eval.outlets import Outlet

__all__ = ["START", "claim_date", "delay_density", "draw_delay", "fetch_time"]

#: The start of the window in which origins are published.
START = datetime(2024, 3, 1, tzinfo=UTC)
#: How long (minutes) after its parent a copy appears: (share, from, to), uniform within.
_DELAYS = ((0.5, 20, 120), (0.35, 120, 24 * 60), (0.15, 24 * 60, 4 * 24 * 60))


def delay_density(minutes: float) -> float:
    """Density (per minute) of a copy appearing ``minutes`` after its parent."""
    for share, low, high in _DELAYS:
        if low <= minutes < high:
            return share / (high - low)
    return 0.0


def draw_delay(rng: random.Random) -> timedelta:
    """Draw how long after its source an article appears, from the delay profile.

    Args:
        rng: The generator's random source.

    Returns:
        The delay, in whole minutes.
    """
    roll, below = rng.random(), 0.0
    for share, low, high in _DELAYS[:-1]:
        below += share
        if roll < below:
            return timedelta(minutes=rng.randrange(low, high))
    _, low, high = _DELAYS[-1]
    return timedelta(minutes=rng.randrange(low, high))


def fetch_time(rng: random.Random, published: datetime) -> datetime:
    """Draw when the crawler first sees an article: 1 to 20 minutes after it appears."""
    return published + timedelta(seconds=rng.randrange(60, 1200))


def claim_date(
    rng: random.Random, origin: Draft, published: datetime, outlet: Outlet
) -> datetime | None:
    """Draw the date a copy claims on its page.

    Args:
        rng: The generator's random source.
        origin: The story's origin, whose dates a copy may reuse or undercut.
        published: When the copy really appeared.
        outlet: The copying outlet; some templates print no date at all.

    Returns:
        The claimed date, or None for a page that shows none.
    """
    roll = rng.random()
    if not outlet.prints_dates or 0.11 <= roll < 0.15:
        return None
    if roll < 0.08:
        return origin.claimed or published  # metadata copied along with the text
    if roll < 0.11:
        return origin.published - timedelta(minutes=rng.randrange(60, 72 * 60))
    return published
