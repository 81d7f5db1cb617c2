"""Date claims: parsing the dates a page states, and ranking them by trust.

A page can carry many dates (JSON-LD, meta tags, ``<time>``, a copyright line,
a guess from the text). Each becomes a :class:`~provenance.models.DateClaim`
tagged with its source, whose trust comes from
:data:`provenance.models.DATE_TRUST`; :func:`best_publication_date` picks the one
to believe. Pure functions: the clock is only read when no ``now`` is given.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from dateutil import parser as dateutil_parser

from provenance.models import DATE_TRUST, DateClaim, DateSource

__all__ = [
    "URL_DAY_SLACK",
    "WALL_CLOCK_SLACK",
    "best_publication_date",
    "claim_span",
    "parse_date",
    "rank_dates",
    "url_date",
    "zone_hours",
]

_EARLIEST_YEAR = 1800
#: Clocks and time zones of publishers are sloppy; beyond this a date is a typo.
_FUTURE_SLACK = timedelta(days=2)
#: Longer strings are prose, not a date; dateutil would also be slow on them.
_MAX_RAW_LENGTH = 100
#: A date in a URL path: ``/2024/05/17/``, ``/2024-05-17/`` or ``/20240517/``
#: as whole path segments (a number inside a slug is no date).
_URL_DATE_RE = re.compile(
    r"/(?P<y>(?:19|20)\d\d)(?:/(?P<m>[01]?\d)/(?P<d>[0-3]?\d)"
    r"|-(?P<m2>[01]\d)-(?P<d2>[0-3]\d)|(?P<m3>[01]\d)(?P<d3>[0-3]\d))(?=/|$)"
)
#: How far a day in a URL reaches in UTC: the publisher's midnight lies
#: between UTC-12 and UTC+14, so its day spans these offsets from UTC midnight.
URL_DAY_SLACK = (timedelta(hours=-14), timedelta(hours=36))
#: Where the instant of a wall-clock time read as UTC lies: zones run from
#: UTC-12 to UTC+14.
WALL_CLOCK_SLACK = (timedelta(hours=-14), timedelta(hours=12))
#: Two different defaults for dateutil: a field that differs between the two
#: parses was missing from the string, not read from it.
_DEFAULT_A = datetime(2000, 1, 1)
_DEFAULT_B = datetime(2001, 2, 2)
#: Zone abbreviations common in news pages, in hours east of UTC. Ambiguous ones
#: (IST, CST in China) are read as their most common news meaning or left out.
_ZONE_HOURS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1,
    "CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "JST": 9, "KST": 9, "HKT": 8, "SGT": 8,
    "AEST": 10, "AEDT": 11, "ACST": 9.5, "AWST": 8, "NZST": 12, "NZDT": 13,
}  # fmt: skip


def parse_date(
    raw: str, *, source: DateSource, detail: str = "", now: datetime | None = None
) -> DateClaim | None:
    """Parse a date string found on a page into a claim.

    Tries ISO 8601, then RFC 2822, then dateutil's reading of common formats
    (month first when ambiguous). A string without a year is rejected; a missing
    day or month is taken as the first and noted in the detail. A naive time is
    taken as UTC and the detail says so.

    Args:
        raw: The date as written.
        source: Where it was found; it decides the claim's trust.
        detail: The field it came from (``datePublished``, ``article:published_time``).
        now: The present, for rejecting future dates; the system clock if None.

    Returns:
        The claim with a UTC value, or None when ``raw`` is no plausible date
        (unparseable, before 1800, or more than two days after ``now``).

    Raises:
        ValueError: ``now`` is naive.
    """
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    text = raw.strip()
    if not text or len(text) > _MAX_RAW_LENGTH:
        return None
    parsed = _parse(text)
    if parsed is None:
        return None
    value, notes = parsed
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
        notes.append("no time zone given, assumed UTC")
    else:
        value = value.astimezone(UTC)
    if value.year < _EARLIEST_YEAR or value > now + _FUTURE_SLACK:
        return None
    described = f"{detail}={text}" if detail else text
    if notes:
        described += f" ({'; '.join(notes)})"
    return DateClaim(value=value, source=source, trust=DATE_TRUST[source], detail=described)


def url_date(url: str, *, now: datetime | None = None) -> DateClaim | None:
    """The publication day a URL's path states, as a claim at its UTC midnight.

    Content systems build such paths from the article's own publication time,
    so the day survives when a copy's metadata is copied or backdated; it says
    nothing finer than the day, in the publisher's unknown time zone
    (:data:`URL_DAY_SLACK`).

    Args:
        url: The page's address.
        now: The present, for rejecting future dates; the system clock if None.

    Returns:
        The claim, or None when the path holds no valid date (or one after ``now``
        by more than two days).
    """
    now = datetime.now(UTC) if now is None else now
    match = _URL_DATE_RE.search(urlsplit(url).path)
    if match is None:
        return None
    month = match["m"] or match["m2"] or match["m3"]
    day = match["d"] or match["d2"] or match["d3"]
    try:
        value = datetime(int(match["y"]), int(month), int(day), tzinfo=UTC)
    except ValueError:
        return None  # /2024/13/40/ is no day
    if value > now + _FUTURE_SLACK:
        return None
    detail = f"URL path {value:%Y-%m-%d} (a day, in the publisher's time zone)"
    return DateClaim(value, DateSource.URL, DATE_TRUST[DateSource.URL], detail)


def claim_span(claim: DateClaim) -> tuple[timedelta, timedelta]:
    """How far before and after its value a claim's real instant may lie.

    A URL's day spans :data:`URL_DAY_SLACK`, a printed time with no zone
    :data:`WALL_CLOCK_SLACK`; every other claim is an instant.
    """
    if claim.source is DateSource.URL:
        return URL_DAY_SLACK
    if claim.source is DateSource.PRINTED:
        return WALL_CLOCK_SLACK
    return timedelta(0), timedelta(0)


def zone_hours(name: str) -> float | None:
    """A zone's offset east of UTC in hours: ``CET``, ``UTC+3``, ``+05:30``; None if unknown."""
    text = name.strip().upper()
    if text in _ZONE_HOURS:
        return _ZONE_HOURS[text]
    found = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?", text)
    if found is None:
        return None
    hours = int(found[2]) + int(found[3] or 0) / 60
    if hours > 14:
        return None
    return hours if found[1] == "+" else -hours


def rank_dates(claims: Iterable[DateClaim]) -> tuple[DateClaim, ...]:
    """Order date claims for belief: most trusted first, then earliest.

    Claims with the same instant and source are duplicates; the first one seen
    is kept.

    Args:
        claims: Date claims in any order.

    Returns:
        The distinct claims, ranked.
    """
    unique: dict[tuple[datetime, DateSource], DateClaim] = {}
    for claim in claims:
        unique.setdefault((claim.value, claim.source), claim)
    return tuple(sorted(unique.values(), key=lambda claim: (-claim.trust, claim.value)))


def best_publication_date(claims: Iterable[DateClaim]) -> DateClaim | None:
    """Pick the claim to believe as the publication date.

    Args:
        claims: Date claims in any order.

    Returns:
        The most trusted claim (the earliest among equals), or None when no claim
        has any trust: copyright years and the crawl clock never count.
    """
    for claim in rank_dates(claims):
        if claim.trust > 0:
            return claim
    return None


def _parse(text: str) -> tuple[datetime, list[str]] | None:
    """Read ``text`` with the strictest parser that accepts it."""
    try:
        return datetime.fromisoformat(text), []
    except ValueError:
        pass
    # The RFC 2822 reader is lenient and drops zones it does not know, so only an
    # explicit offset is taken from it; anything else goes to dateutil.
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        pass
    else:
        if value.tzinfo is not None:
            return value, []
    return _parse_loose(text)


def _parse_loose(text: str) -> tuple[datetime, list[str]] | None:
    notes: list[str] = []

    def zone(name: str | None, offset: int | None) -> int | None:
        # A callable keeps dateutil from guessing with the machine's local zone
        # and from warning about names it does not know.
        if offset is not None:
            return offset
        if name is None:
            return None
        hours = _ZONE_HOURS.get(name.upper())
        if hours is None:
            notes.append(f"unknown time zone {name}, assumed UTC")
            return 0
        return int(hours * 3600)

    try:
        first = dateutil_parser.parse(text, default=_DEFAULT_A, tzinfos=zone)
        second = dateutil_parser.parse(text, default=_DEFAULT_B, tzinfos=zone)
    except (ValueError, OverflowError):
        return None
    if first.year != second.year:
        return None  # no year in the text: "May 17" is no date we can place
    notes = list(dict.fromkeys(notes))  # the zone is read once per parse
    if first.month != second.month:
        notes.append("no month given, assumed January")
    if first.day != second.day:
        notes.append("no day given, assumed the 1st")
    return first, notes
