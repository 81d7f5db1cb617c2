"""Printed datelines: reading them, learning outlet clocks, placing the times."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from provenance.extract import extract_html
from provenance.models import DATE_TRUST, DateClaim, DateSource
from provenance.printed_dates import (
    MIN_CLOCK_PAGES,
    SUMMER_TIME_RULES,
    ClockOffset,
    learn_clock_offset,
    place_printed,
    read_printed_date,
)

NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)


def _wall(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "wall"),
    [
        ("Published 07.03.2024 17:20", _wall(2024, 3, 7, 17, 20)),
        ("Veröffentlicht am 07.03.2024 um 17:20 Uhr", _wall(2024, 3, 7, 17, 20)),
        ("7.3.2024 17h20", _wall(2024, 3, 7, 17, 20)),
        ("13/04/2024 5:20 PM", _wall(2024, 4, 13, 17, 20)),
        ("04/13/2024 9:05 am", _wall(2024, 4, 13, 9, 5)),
        ("2024-03-07 17:20", _wall(2024, 3, 7, 17, 20)),
        ("发布时间：2024年3月7日 17：20", _wall(2024, 3, 7, 17, 20)),
    ],
)
def test_a_dateline_without_a_zone_is_a_wall_clock(text: str, wall: datetime) -> None:
    claim = read_printed_date(text, now=NOW)
    assert claim is not None
    assert claim.value == wall
    assert claim.source is DateSource.PRINTED
    assert claim.trust == DATE_TRUST[DateSource.PRINTED]
    assert "no time zone" in claim.detail


@pytest.mark.parametrize(
    ("text", "instant"),
    [
        ("2024-03-07 17:20 CET", _wall(2024, 3, 7, 16, 20)),
        ("Опубликовано 07.03.2024, 17:20 MSK", _wall(2024, 3, 7, 14, 20)),
        ("07.03.2024 17:20 UTC+05:30", _wall(2024, 3, 7, 11, 50)),
    ],
)
def test_a_dateline_with_a_known_zone_is_an_instant(text: str, instant: datetime) -> None:
    claim = read_printed_date(text, now=NOW)
    assert claim is not None
    assert (claim.value, claim.source) == (instant, DateSource.PRINTED_ZONED)


@pytest.mark.parametrize(
    "text",
    [
        "posted 07.03.2024",  # a day, no time: htmldate's business
        "03/07/2024 17:20",  # March or July
        "31.02.2024 10:00",
        "07.03.2024 25:10",
        "01.01.2031 10:00",  # years ahead of now
        "Published 07.03.2024 17:20 " + "and a long text that goes on " * 4,
    ],
)
def test_what_is_no_dateline_gives_no_claim(text: str) -> None:
    assert read_printed_date(text, now=NOW) is None


def _printed_on(datelines: str, *, aside: str = "") -> list[datetime]:
    """The printed dates read from a bridge story whose page carries ``datelines``."""
    html = (
        f"<html><body>{aside}<div class='headline'>Bridge closes</div>{datelines}"
        "<div class='content'><p>The bridge closed on 06.03.2024 at 08:00 for repairs that will "
        "last until the end of the month, the city said on Thursday.</p>"
        "<p>Drivers should take the ring road; buses will use the northern crossing.</p></div>"
        "</body></html>"
    )
    page = extract_html(html, url="https://bare.test/city/bridge-closes", now=NOW)
    return [c.value for c in page.dates if c.source is DateSource.PRINTED]


def test_the_page_s_first_dateline_is_read_not_the_update_the_sidebar_or_the_text() -> None:
    printed = _printed_on(
        "<div class='date'>Published 07.03.2024 17:20</div>"
        "<div class='date'>Updated 07.03.2024 19:45</div>",
        aside="<aside><div class='date'>Concert 01.03.2024 20:00</div></aside>",
    )
    assert printed == [_wall(2024, 3, 7, 17, 20)]


@pytest.mark.parametrize(
    "text",
    [
        "Updated 08.03.2024 10:00 | Published 07.03.2024 17:20",
        "Aktualisiert: 08.03.2024, 10:00 Uhr · Veröffentlicht: 07.03.2024, 17:20 Uhr",
        "Обновлено 08.03.2024 10:00, опубликовано 07.03.2024 17:20",
        "Published 07.03.2024 17:20, updated 08.03.2024 10:00",
    ],
)
def test_an_update_time_is_passed_over_wherever_it_stands(text: str) -> None:
    claim = read_printed_date(text, now=NOW)
    assert claim is not None and claim.value == _wall(2024, 3, 7, 17, 20)


def test_a_line_with_only_an_update_time_gives_no_claim() -> None:
    assert read_printed_date("Last updated 08.03.2024 10:00", now=NOW) is None
    assert read_printed_date("更新时间：2024年03月08日 10:00", now=NOW) is None


def test_an_update_line_above_the_publication_line_is_not_read() -> None:
    printed = _printed_on(
        "<div class='meta'><span class='date-modified'>08.03.2024 10:00</span>"
        "<div class='date'>Updated 08.03.2024 09:00</div>"
        "<div class='date'>Published 07.03.2024 17:20</div></div>"
    )
    assert printed == [_wall(2024, 3, 7, 17, 20)]


def test_a_time_classed_both_published_and_updated_is_the_publication() -> None:
    printed = _printed_on("<time class='entry-date published updated'>07.03.2024 17:20</time>")
    assert printed == [_wall(2024, 3, 7, 17, 20)]


def _pages(offset: timedelta, delays_min: list[int]) -> list[tuple[datetime, datetime]]:
    start = _wall(2024, 3, 1, 6, 0)
    pages = []
    for i, delay in enumerate(delays_min):
        published = start + timedelta(hours=7 * i)
        pages.append((published + offset, published + timedelta(minutes=delay)))
    return pages


@pytest.mark.parametrize("hours", [-7.0, 0.0, 5.5, 8.0])
def test_an_outlet_clock_is_learned_from_pages_seen_soon_after_they_appear(hours: float) -> None:
    offset = timedelta(hours=hours)
    # Most pages seen within minutes; one found a day late, one with a wrong dateline.
    pages = _pages(offset, [3, 12, 1, 18, 7, 1440, 9, 5, 14, 2])
    pages.append((pages[0][0] + timedelta(hours=5), pages[0][1]))
    clock = learn_clock_offset(pages)
    assert clock == ClockOffset(offset, len(pages))
    assert clock.describe().startswith(f"UTC{'+' if hours >= 0 else '-'}")


def test_no_clock_from_too_few_pages_or_a_crawler_too_slow_to_tell() -> None:
    assert learn_clock_offset(_pages(timedelta(hours=2), [5] * (MIN_CLOCK_PAGES - 1))) is None
    # Seen hours after they appeared, at no steady delay: zone and delay cannot be told apart.
    assert learn_clock_offset(_pages(timedelta(hours=2), [100, 400, 250, 700, 180, 520])) is None
    # An offset no time zone has.
    assert learn_clock_offset(_pages(timedelta(hours=20), [5] * 6)) is None


def _local_pages(
    standard: timedelta, summer: str | None, start: datetime, days: int
) -> list[tuple[datetime, datetime]]:
    """Pages every 9 hours for ``days`` days, printed on a clock that may keep summer time."""
    rng = random.Random(7)
    pages = []
    instant = start
    while instant < start + timedelta(days=days):
        clock = ClockOffset(standard, 0, summer)
        moved = summer is not None and SUMMER_TIME_RULES[summer](instant, standard)
        wall = instant + standard + (timedelta(hours=1) if moved else timedelta(0))
        assert clock.place(wall) == instant  # the clock reads its own printed times back
        pages.append((wall, instant + timedelta(minutes=rng.randrange(1, 20))))
        instant += timedelta(hours=9)
    return pages


@pytest.mark.parametrize(
    ("hours", "summer", "start", "days"),
    [
        (1.0, "EU", _wall(2024, 3, 1), 60),  # Paris across the end of March, mostly winter
        (1.0, "EU", _wall(2024, 3, 20), 90),  # mostly summer
        (2.0, "EU", _wall(2024, 10, 1), 50),  # Helsinki across the end of October
        (-5.0, "US", _wall(2024, 2, 20), 60),  # New York: three weeks before Europe moves
        (-8.0, "US", _wall(2024, 10, 15), 40),  # Los Angeles in November
        (8.0, None, _wall(2024, 3, 1), 90),  # Beijing never moves
    ],
)
def test_a_clock_that_keeps_summer_time_is_learned_with_its_rule(
    hours: float, summer: str | None, start: datetime, days: int
) -> None:
    standard = timedelta(hours=hours)
    pages = _local_pages(standard, summer, start, days)
    clock = learn_clock_offset(pages)
    assert clock == ClockOffset(standard, len(pages), summer)
    # Every printed time is placed back at its instant, summer and winter.
    assert all(clock.place(wall) <= seen < clock.place(wall) + timedelta(minutes=20)
               for wall, seen in pages)  # fmt: skip
    if summer:
        assert f"an hour ahead in {summer} summer time" in clock.describe()


def test_a_summer_clock_seen_only_in_one_season_is_a_fixed_offset() -> None:
    pages = _local_pages(timedelta(hours=1), "EU", _wall(2024, 5, 1), 40)
    assert learn_clock_offset(pages) == ClockOffset(timedelta(hours=2), len(pages))


def test_placing_printed_times_by_the_clock_leaves_other_claims_alone() -> None:
    printed = DateClaim(_wall(2024, 3, 7, 17, 20), DateSource.PRINTED, 0.45, "printed")
    day = DateClaim(_wall(2024, 3, 8), DateSource.URL, DATE_TRUST[DateSource.URL])
    clock = ClockOffset(timedelta(hours=-7), 12)
    placed, kept = place_printed((printed, day), clock)
    assert placed.value == _wall(2024, 3, 8, 0, 20)
    assert placed.source is DateSource.PRINTED_ZONED
    assert "UTC-07:00, learned from 12 of its pages" in placed.detail
    assert kept == day
    assert place_printed((printed, day), None) == (printed, day)
