"""Datelines printed on a page, and the outlet clocks that place them in time.

Many pages without date metadata still print when they were published, as
the publisher's wall clock: "Published 07.03.2024 17:20", no time zone. The
day alone is what htmldate returns; the minute is what tells a copy made two
hours later from its source. :func:`printed_dates` reads such a dateline as a
:data:`~provenance.models.DateSource.PRINTED` claim: the wall-clock time,
tagged UTC, which can lie anywhere from 14 hours before to 12 hours after
the real instant (:data:`WALL_CLOCK_SLACK`).

An outlet's clock offset is learned from its own pages
(:func:`learn_clock_offset`): a page is published before the crawler first
sees it, usually minutes before, so the wall clock minus the first-seen time
sits just below the offset on most of them. A clock that moves an hour ahead
for the summer, by the European or the North American rule, is learned as
such when its pages span a change. Once learned, the clock turns each
printed time into an instant (:func:`place_printed`).

Pure functions on parsed trees, claims and times; no I/O.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from provenance.dates import WALL_CLOCK_SLACK, best_publication_date, zone_hours
from provenance.models import DATE_TRUST, DateClaim, DateSource

__all__ = [
    "MIN_CLOCK_PAGES",
    "SUMMER_TIME_RULES",
    "ClockOffset",
    "dated_by_print",
    "learn_clock_offset",
    "place_printed",
    "printed_dates",
    "read_printed_date",
]

#: Pages an outlet needs, with printed times and first-seen times, before its
#: clock offset is trusted.
MIN_CLOCK_PAGES = 5
#: Zones are whole quarter hours east or west of UTC.
_ZONE_STEP = timedelta(minutes=15)
#: The usual crawl delay must be shorter than this for the offset to show: a
#: crawler that sees pages hours late cannot tell a zone from its own delay.
_PROMPT = timedelta(hours=1)
#: Summer time moves a clock this much ahead.
_SUMMER_SHIFT = timedelta(hours=1)
#: A summer-time rule must bring the pages' crawl delays this much nearer
#: their median, in all, than a clock that never moves: at least two pages an
#: hour nearer, each 45 minutes.
_SUMMER_GAIN = timedelta(minutes=90)
#: Beyond this, a crawl delay off the median (a page found a day late) counts no more.
_SPREAD_CAP = timedelta(hours=2)
#: A dateline is short; longer text is prose that happens to hold a date.
_MAX_DATELINE = 100
#: Class or id words of the elements that hold a page's dateline.
_DATELINE_HOLDER = re.compile(r"date|time|posted|published|byline|meta", re.I)
#: Words that mark the time after them as an update, not the publication.
_UPDATE_WORDS = re.compile(
    r"updated|modified|last edit|aktualisiert|geändert|mis à jour|modifié|actualizad[oa]"
    r"|actualización|aggiornat|atualizad[oa]|zaktualizowan|aktualizacj|обновлен|изменен"
    r"|güncellen|更新|修改|bijgewerkt|uppdaterad|opdateret|oppdatert|päivitetty|업데이트",
    re.I,
)
#: Class or id words of an element that holds an update time, unless it also
#: says published (WordPress classes a never-updated time "published updated").
_UPDATE_HOLDER = re.compile(r"updated|modified", re.I)
_PUBLISHED_HOLDER = re.compile(r"publish", re.I)
#: A time after the date: 17:20, 17h20, 17.20 or 17：20, maybe "pm", maybe a zone.
_TIME = (
    r"(?P<H>\d{1,2})[:h.\uff1a](?P<M>\d{2})(?!\d)(?:\s*(?P<ampm>[ap])\.?\s?m\.?(?!\w))?"
    r"(?:\s*(?P<zone>(?:UTC|GMT)?[+-]\d{1,2}(?::?\d{2})?|[A-Z]{2,5}\b))?"
)
#: Day first with dots or dashes (07.03.2024, 07-03-2024); with slashes the
#: order is read from the numbers when one of them is over 12.
_DAY_FIRST = re.compile(
    r"(?<!\d)(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d\d)"
    r"\D{1,12}?" + _TIME,
    re.I,
)
_YEAR_FIRST = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d\d)(?:-(?P<m>\d{2})-(?P<d>\d{2})[ T,]+"
    r"|年(?P<m2>\d{1,2})月(?P<d2>\d{1,2})日\s*)" + _TIME,
    re.I,
)


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month + 1, 1, tzinfo=UTC) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _nth_sunday(year: int, month: int, n: int) -> datetime:
    first = datetime(year, month, 1, tzinfo=UTC)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7 * (n - 1))


def _european_summer(instant: datetime, offset: timedelta) -> bool:
    """EU rule: from the last Sunday of March to the last Sunday of October, 01:00 UTC."""
    year = instant.year
    start = _last_sunday(year, 3) + timedelta(hours=1)
    end = _last_sunday(year, 10) + timedelta(hours=1)
    return start <= instant < end


def _american_summer(instant: datetime, offset: timedelta) -> bool:
    """US and Canadian rule: second Sunday of March to first Sunday of November, 02:00 local."""
    year = instant.year
    start = _nth_sunday(year, 3, 2) + timedelta(hours=2) - offset
    end = _nth_sunday(year, 11, 1) + timedelta(hours=2) - offset - _SUMMER_SHIFT
    return start <= instant < end


#: Summer-time rules by name: whether an instant falls in summer time for a
#: clock of this standard offset. The southern hemisphere's rules are left
#: out: few outlets that print no zone follow them, and a clock that matches
#: no rule is still learned as a fixed offset.
SUMMER_TIME_RULES: dict[str, Callable[[datetime, timedelta], bool]] = {
    "EU": _european_summer,
    "US": _american_summer,
}


@dataclass(frozen=True, slots=True)
class ClockOffset:
    """An outlet's wall clock against UTC, learned from its pages.

    Attributes:
        offset: Wall clock minus UTC in standard time (UTC+2 is two hours).
        pages: How many of the outlet's pages it was learned from.
        summer: The summer-time rule it follows (a key of
            :data:`SUMMER_TIME_RULES`), or None for a clock that never moves.
    """

    offset: timedelta
    pages: int
    summer: str | None = None

    def describe(self) -> str:
        """The clock in words: ``UTC-07:00, learned from 12 of its pages``."""
        moves = f" (an hour ahead in {self.summer} summer time)" if self.summer else ""
        return f"{_utc(self.offset)}{moves}, learned from {self.pages} of its pages"

    def place(self, wall: datetime) -> datetime:
        """The instant of a wall-clock time of this outlet (read as UTC)."""
        instant = wall - self.offset
        if self.summer is not None and SUMMER_TIME_RULES[self.summer](
            instant - _SUMMER_SHIFT, self.offset
        ):
            return instant - _SUMMER_SHIFT
        return instant

    def same_clock(self, other: ClockOffset) -> bool:
        """Whether the two place every printed time alike (the page counts aside)."""
        return (self.offset, self.summer) == (other.offset, other.summer)


def _utc(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def read_printed_date(text: str, *, now: datetime) -> DateClaim | None:
    """Read a dateline's date and time.

    Args:
        text: The dateline as printed ("Published 07.03.2024 17:20").
        now: The present: a time more than two days after it is a typo.

    Returns:
        A :data:`~provenance.models.DateSource.PRINTED` claim holding the wall
        clock tagged UTC, or a :data:`~provenance.models.DateSource.PRINTED_ZONED`
        one when the line names a zone we know; None when the text holds no
        date with a time but an update's ("Updated 08.03.2024 10:00"), or an
        impossible one.
    """
    text = " ".join(text.split())
    if not text or len(text) > _MAX_DATELINE:
        return None
    found = [*_YEAR_FIRST.finditer(text), *_DAY_FIRST.finditer(text)]
    end = 0
    for match in sorted(found, key=lambda m: m.start()):
        if match.start() < end:
            continue
        # "Updated 08.03.2024 10:00 | Published 07.03.2024 17:20": the words
        # since the last time say which this one is.
        update = _UPDATE_WORDS.search(text, end, match.start()) is not None
        end = match.end()
        if not update:
            return _claim(match, now)
    return None


def _claim(found: re.Match[str], now: datetime) -> DateClaim | None:
    """The claim of one dateline match, or None for an impossible date or time."""
    if found.re is _YEAR_FIRST:
        year, month, day = found["y"], found["m"] or found["m2"], found["d"] or found["d2"]
    else:
        year, day, month = found["y"], found["a"], found["b"]
        if found["sep"] == "/" and not int(day) > 12:
            if int(month) <= 12:
                return None  # 03/07/2024: March or July, no telling
            day, month = month, day
    hour, minute = int(found["H"]), int(found["M"])
    if found["ampm"]:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if found["ampm"].lower() == "p" else 0)
    try:
        wall = datetime(int(year), int(month), int(day), hour, minute, tzinfo=UTC)
    except ValueError:
        return None  # 31.02.2024, 25:70
    zone = zone_hours(found["zone"]) if found["zone"] else None
    if zone is None:
        value, source = wall, DateSource.PRINTED
        detail = f"printed {found.group(0).strip()!r} (no time zone: the publisher's wall clock)"
    else:
        value, source = wall - timedelta(hours=zone), DateSource.PRINTED_ZONED
        detail = f"printed {found.group(0).strip()!r}"
    if value > now + timedelta(days=2):
        return None
    return DateClaim(value, source, DATE_TRUST[source], detail)


def printed_dates(tree: Any, *, now: datetime) -> list[DateClaim]:
    """The first dateline of a parsed page, as a claim (or none).

    Looks in ``<time>`` elements and in short elements whose class or id
    speaks of a date, time, byline or post metadata, in document order and
    outside menus, sidebars and footers: the first is the publication line.
    An update's time ("Updated ...", or an element classed ``updated``) is
    passed over wherever it stands: a publication is never later than it.

    Args:
        tree: The page, parsed by lxml.
        now: The present.

    Returns:
        A list of at most one claim.
    """
    # Not in menus, sidebars or footers: an events box or a "latest" list there
    # prints other pages' times.
    for element in tree.xpath(
        "//body//*[self::time or @class or @id][not(ancestor-or-self::nav or "
        "ancestor-or-self::aside or ancestor-or-self::footer)]"
    ):
        names = _names(element)
        if element.tag != "time" and not _DATELINE_HOLDER.search(names):
            continue
        if _holds_update(names):
            continue
        text = element.text_content()
        if len(text) > _MAX_DATELINE:
            continue
        text = _dateline_text(element)
        claim = read_printed_date(text, now=now)
        if claim is not None:
            return [claim]
    return []


def _names(element: Any) -> str:
    """An element's class and id words."""
    return f"{element.get('class', '')} {element.get('id', '')}"


def _holds_update(names: str) -> bool:
    """Whether an element's class or id words say it holds an update time."""
    return bool(_UPDATE_HOLDER.search(names)) and not _PUBLISHED_HOLDER.search(names)


def _dateline_text(element: Any) -> str:
    """A short element's text, in order, without that of the update times inside it."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and not _holds_update(_names(child)):
            parts.append(_dateline_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def learn_clock_offset(pages: Sequence[tuple[datetime, datetime]]) -> ClockOffset | None:
    """Learn an outlet's clock from its pages.

    Each page gives its printed wall-clock time (tagged UTC) minus its
    first-seen time: the offset less the crawl delay, which is never negative.
    The offset is the 90th percentile of these, rounded up to a quarter hour
    (a few wrong datelines, such as an update time, are outvoted). A clock
    that moves an hour ahead in summer shows its summer pages an hour further
    ahead: a rule of :data:`SUMMER_TIME_RULES` is taken when, with its summer
    pages set an hour back, the crawl delays it implies lie nearer their
    median, by over :data:`_SUMMER_GAIN` in all, than with a fixed offset.

    Args:
        pages: (wall clock, first seen) for each page of one outlet.

    Returns:
        The clock, or None with fewer than :data:`MIN_CLOCK_PAGES` pages, an
        offset no zone has, or a crawler too slow for most pages to tell its
        delay from the zone.
    """
    if len(pages) < MIN_CLOCK_PAGES:
        return None
    best = _fit_clock(pages, None)
    for rule in SUMMER_TIME_RULES:
        fitted = _fit_clock(pages, rule)
        if fitted is not None and (best is None or fitted[1] + _SUMMER_GAIN < best[1]):
            best = fitted
    if best is None:
        return None
    clock, _ = best
    early, late = WALL_CLOCK_SLACK
    if not -late <= clock.offset <= -early:
        return None
    return clock


def _fit_clock(
    pages: Sequence[tuple[datetime, datetime]], rule: str | None
) -> tuple[ClockOffset, timedelta] | None:
    """The clock that fits the pages under a summer-time rule, and the delays' spread.

    The spread is how far the crawl delays the clock implies lie from their
    median, in all (each capped at :data:`_SPREAD_CAP`). None when the rule
    leaves every page on one side of its changes (it says nothing then), or
    when too few pages are found within an hour of their time for the delay
    to be told from the zone.
    """
    ahead = [wall - seen for wall, seen in pages]
    if rule is not None:
        # The seen time stands for the instant and the median for the standard
        # offset: either is off by at most hours, which matter only at a change.
        rough = sorted(ahead)[len(ahead) // 2]
        summer = [SUMMER_TIME_RULES[rule](seen, rough) for _, seen in pages]
        if all(summer) or not any(summer):
            return None
        ahead = [gap - _SUMMER_SHIFT * moved for gap, moved in zip(ahead, summer, strict=True)]
    ahead.sort()
    high = ahead[math.floor(0.9 * (len(ahead) - 1))]
    offset = _ZONE_STEP * math.ceil(high / _ZONE_STEP)
    delays = [offset - gap for gap in ahead]
    if sum(timedelta(0) <= delay <= _PROMPT for delay in delays) * 2 < len(delays):
        return None
    typical = delays[len(delays) // 2]
    spread = sum((min(abs(d - typical), _SPREAD_CAP) for d in delays), timedelta(0))
    return ClockOffset(offset, len(pages), rule), spread


def dated_by_print(claims: Sequence[DateClaim]) -> bool:
    """Whether a page's best date is a printed time without a zone."""
    best = best_publication_date(claims)
    return best is not None and best.source is DateSource.PRINTED


def place_printed(claims: Sequence[DateClaim], clock: ClockOffset | None) -> tuple[DateClaim, ...]:
    """Turn printed wall-clock claims into instants by the outlet's clock.

    Args:
        claims: A page's date claims.
        clock: Its outlet's learned offset; None leaves the claims as they are.

    Returns:
        The claims, each printed one placed in time as
        :data:`~provenance.models.DateSource.PRINTED_ZONED`.
    """
    if clock is None:
        return tuple(claims)
    source = DateSource.PRINTED_ZONED
    return tuple(
        DateClaim(
            clock.place(claim.value),
            source,
            DATE_TRUST[source],
            f"{claim.detail}; the outlet's clock is {clock.describe()}",
        )
        if claim.source is DateSource.PRINTED
        else claim
        for claim in claims
    )
