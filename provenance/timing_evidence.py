"""Timing evidence of one story: what the dates and first-seen times say of each pair.

For every ordered pair (u, v) of members: whether the dates put u first
(``date_order``, weighed by the dates' trust) and how closely (``proximity``),
whether the crawler saw u first (``first_seen``) and how closely
(``seen_proximity``), and how long after u v appeared, one indicator per band
of the lag profile of copying (``lag_*`` by trusted dates to the minute, else
by first-seen times; ``seen_lag_*`` by first-seen times alone).

Trust is adjusted story by story: a date equal to another outlet's (copied
metadata) is halved; one later than when the page was first seen, or outside
the day its own URL states, keeps a fifth. A URL's day, or a time printed
without a zone that no outlet clock placed, is a span, not an instant
(:func:`~provenance.dates.claim_span`): it orders two pages only where the spans
do not meet, and times no lag.

Pure numpy over the members' claims; :mod:`provenance.evidence` puts the result
into a story's evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from provenance.dates import URL_DAY_SLACK, claim_span
from provenance.models import DateClaim, DateSource, Member

__all__ = ["LAG_BANDS", "TIE_S", "Timing", "story_timing"]

#: Dates or first-seen times closer than this (seconds) are a tie, not an order.
TIE_S = 60.0
#: Sources of dates that are no instant (:func:`~provenance.dates.claim_span`).
_VAGUE = frozenset({str(DateSource.URL), str(DateSource.PRINTED)})
#: After this gap (hours) a copy is no nearer in time to one candidate than another.
_FAR_HOURS = 96.0
#: Upper ends (hours) of the lag bands; the last band is open.
LAG_BANDS = (
    ("20m", 1 / 3),
    ("1h", 1.0),
    ("2h", 2.0),
    ("4h", 4.0),
    ("6h", 6.0),
    ("8h", 8.0),
    ("24h", 24.0),
    ("48h", 48.0),
    ("96h", 96.0),
)

_Floats = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Timing:
    """The timing of a story's members, and the pair features it gives.

    Attributes:
        published: Best publication time of each member (POSIX s, NaN if none).
        trust: Trust of that time after the story-level adjustments.
        sources: Where each publication time came from.
        seen: First-seen time of each member (POSIX s, NaN if unknown).
        seen_order: +1 where the crawler saw u before v, -1 after, 0 for a tie.
        lag_hours: How long after u v appeared (hours), by trusted dates to the
            minute where both have one, else by first-seen times.
        lag_dated: Where :attr:`lag_hours` comes from the dates.
        features: ``date_order``, ``proximity``, ``first_seen``,
            ``seen_proximity`` and the ``lag_*`` and ``seen_lag_*`` bands.
    """

    published: _Floats
    trust: _Floats
    sources: list[str]
    seen: _Floats
    seen_order: _Floats
    lag_hours: _Floats
    lag_dated: npt.NDArray[np.bool_]
    features: dict[str, _Floats]


def story_timing(members: Sequence[Member]) -> Timing:
    """Weigh the dates and first-seen times of a story's members, pair by pair."""
    best = [next((d for d in m.dates if d.trust > 0), None) for m in members]
    published = np.array([_seconds(d.value) if d else np.nan for d in best])
    trust = np.array([d.trust if d else 0.0 for d in best])
    seen = np.array([_seconds(m.first_seen) for m in members])
    domains = np.array([m.outlet_domain for m in members])
    # How far before and after its value each date's real instant may lie.
    spans = [claim_span(d) if d else (timedelta(0), timedelta(0)) for d in best]
    early = np.array([low.total_seconds() for low, _ in spans])
    late = np.array([high.total_seconds() for _, high in spans])
    vague = (early < 0) | (late > 0)
    close = np.abs(published[:, None] - published[None, :]) < TIE_S
    other_outlet = domains[:, None] != domains[None, :]
    # Two URLs of the same day meet at midnight by construction, not by copying.
    copied = np.any(close & other_outlet & ~vague[None, :], axis=1) & ~vague
    trust = np.where(copied, trust * 0.5, trust)  # one of them copied the other's date
    impossible = np.nan_to_num(published + early - seen, nan=-1.0) > 3600
    trust = np.where(impossible, trust * 0.2, trust)  # dated after we had seen the page
    # The day in its URL says otherwise: metadata copied along or backdated.
    contradicted = np.array([_off_url_day(m, d) for m, d in zip(members, best, strict=True)])
    trust = np.where(contradicted, trust * 0.2, trust)
    sources = [str(d.source) if d else "" for d in best]
    features: dict[str, _Floats] = {}
    gap = published[None, :] - published[:, None]  # v minus u
    latest = np.where(vague, np.fmin(published + late, seen), published)
    order = _date_order(published + early, latest)
    pair_trust = np.minimum(trust[:, None], trust[None, :])
    features["date_order"] = pair_trust * order
    # A day, or a time in an unknown zone, says nothing of how close two pages are.
    to_the_minute = ~vague[:, None] & ~vague[None, :]
    features["proximity"] = pair_trust * _closeness(gap) * (order > 0) * to_the_minute
    seen_gap = seen[None, :] - seen[:, None]
    seen_order = np.where(np.abs(seen_gap) < TIE_S, 0.0, np.sign(np.nan_to_num(seen_gap)))
    features["first_seen"] = seen_order
    features["seen_proximity"] = _closeness(seen_gap) * (seen_order > 0)
    # A URL's day, or a time in an unknown zone, puts a lag off by hours,
    # worse than first-seen times, so such pairs are timed by those instead.
    timed = (trust > 0) & ~np.isnan(published) & np.array([s not in _VAGUE for s in sources])
    dated = timed[:, None] & timed[None, :]
    lag_hours = np.where(dated, gap, seen_gap) / 3600.0
    features.update(_bands("lag_", lag_hours))
    features.update(_bands("seen_lag_", seen_gap / 3600.0))
    return Timing(published, trust, sources, seen, seen_order, lag_hours, dated, features)


def _seconds(value: object) -> float:
    return value.timestamp() if isinstance(value, datetime) else float("nan")


def _date_order(low: _Floats, high: _Floats) -> _Floats:
    """+1 where the dates put u before v, -1 after, 0 for a tie or no knowing.

    Each date is a span, ``low`` to ``high`` (seconds): an instant, or a URL's
    day or a printed time in an unknown zone (:func:`~provenance.dates.claim_span`)
    cut off at the page's first-seen time, as nothing is published after the
    crawler saw it. Two dates are in order only when their spans are over a
    minute apart.
    """
    after = low[None, :] - high[:, None] >= TIE_S  # v's earliest after u's latest
    before = high[None, :] - low[:, None] <= -TIE_S
    return np.where(after, 1.0, np.where(before, -1.0, 0.0))


def _off_url_day(member: Member, claim: DateClaim | None) -> bool:
    """Whether ``claim`` falls outside the day the member's URL path states."""
    if claim is None or claim.source is DateSource.URL:
        return False
    day = next((d.value for d in member.dates if d.source is DateSource.URL), None)
    if day is None:
        return False
    early, late = URL_DAY_SLACK
    return not day + early <= claim.value < day + late


def _closeness(gap: _Floats) -> _Floats:
    """1 for no gap (seconds), falling with its log to 0 at ``_FAR_HOURS``."""
    hours = np.clip(np.nan_to_num(gap, nan=0.0) / 3600.0, 0.0, None)
    closeness: _Floats = np.clip(1.0 - np.log1p(hours) / np.log1p(_FAR_HOURS), 0.0, 1.0)
    return closeness


def _bands(prefix: str, hours: _Floats) -> dict[str, _Floats]:
    """One indicator per lag band (ties and unknown lags fall in none)."""
    known = ~np.isnan(hours) & (hours > TIE_S / 3600.0)
    hours = np.nan_to_num(hours, nan=-1.0)
    bands, low = {}, 0.0
    for name, high in LAG_BANDS:
        bands[prefix + name] = (known & (hours > low) & (hours <= high)).astype(np.float64)
        low = high
    bands[prefix + "more"] = (known & (hours > low)).astype(np.float64)
    return bands
