"""Tests of date parsing and ranking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from provenance.dates import best_publication_date, parse_date, rank_dates, url_date
from provenance.models import DATE_TRUST, DateClaim, DateSource

NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)


def claim(day: int, source: DateSource, detail: str = "") -> DateClaim:
    return DateClaim(datetime(2024, 5, day, tzinfo=UTC), source, DATE_TRUST[source], detail)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-05-17T10:00:00Z", datetime(2024, 5, 17, 10, tzinfo=UTC)),
        ("2024-05-17T10:00:00+02:00", datetime(2024, 5, 17, 8, tzinfo=UTC)),
        ("2024-05-17T10:00:00.123-04:00", datetime(2024, 5, 17, 14, 0, 0, 123000, tzinfo=UTC)),
        ("Fri, 17 May 2024 10:00:00 GMT", datetime(2024, 5, 17, 10, tzinfo=UTC)),
        ("Fri, 17 May 2024 10:00:00 -0400", datetime(2024, 5, 17, 14, tzinfo=UTC)),
        ("Fri, 17 May 2024 10:00:00 EDT", datetime(2024, 5, 17, 14, tzinfo=UTC)),
        ("May 17, 2024 10:00 CEST", datetime(2024, 5, 17, 8, tzinfo=UTC)),
        ("17 May 2024 10:00 +0530", datetime(2024, 5, 17, 4, 30, tzinfo=UTC)),
        ("20240517", datetime(2024, 5, 17, tzinfo=UTC)),
    ],
)
def test_parse_date_formats(raw: str, expected: datetime) -> None:
    result = parse_date(raw, source=DateSource.META, now=NOW)
    assert result is not None
    assert result.value == expected
    assert result.value.tzinfo is UTC


def test_parse_date_naive_is_utc_and_says_so() -> None:
    result = parse_date("2024-05-17 09:30:00", source=DateSource.META, detail="pubdate", now=NOW)
    assert result is not None
    assert result.value == datetime(2024, 5, 17, 9, 30, tzinfo=UTC)
    assert result.detail == "pubdate=2024-05-17 09:30:00 (no time zone given, assumed UTC)"


def test_parse_date_unknown_zone_is_utc_and_says_so() -> None:
    result = parse_date("17 May 2024 10:00 XYZ", source=DateSource.META, now=NOW)
    assert result is not None
    assert result.value == datetime(2024, 5, 17, 10, tzinfo=UTC)
    assert "unknown time zone XYZ" in result.detail


def test_parse_date_takes_trust_from_the_source() -> None:
    for source in DateSource:
        result = parse_date("2024-05-17", source=source, now=NOW)
        assert result is not None
        assert result.source is source
        assert result.trust == DATE_TRUST[source]


def test_parse_date_missing_day_is_the_first() -> None:
    result = parse_date("May 2024", source=DateSource.META, now=NOW)
    assert result is not None
    assert result.value == datetime(2024, 5, 1, tzinfo=UTC)
    assert "no day given" in result.detail


@pytest.mark.parametrize(
    "raw",
    ["", "   ", "garbage", "May 17", "Friday", "1799-12-31", "2024-05-23", "0000-00-00", "x" * 200],
)
def test_parse_date_rejects(raw: str) -> None:
    assert parse_date(raw, source=DateSource.META, now=NOW) is None


def test_parse_date_future_limit_is_two_days() -> None:
    inside = (NOW + timedelta(days=2)).isoformat()
    outside = (NOW + timedelta(days=2, minutes=1)).isoformat()
    assert parse_date(inside, source=DateSource.META, now=NOW) is not None
    assert parse_date(outside, source=DateSource.META, now=NOW) is None


def test_parse_date_needs_aware_now() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_date("2024-05-17", source=DateSource.META, now=datetime(2024, 5, 20))


def test_parse_date_accepts_any_aware_now() -> None:
    tokyo = NOW.astimezone(timezone(timedelta(hours=9)))
    assert parse_date("2024-05-21T12:00:00Z", source=DateSource.META, now=tokyo) is not None


def test_rank_dates_trust_then_earliest_and_dedupe() -> None:
    ranked = rank_dates(
        [
            claim(18, DateSource.HEURISTIC),
            claim(17, DateSource.META, "first"),
            claim(16, DateSource.META),
            claim(17, DateSource.META, "duplicate"),
            claim(1, DateSource.COPYRIGHT),
            claim(19, DateSource.JSONLD),
        ]
    )
    assert [(c.source, c.value.day) for c in ranked] == [
        (DateSource.JSONLD, 19),
        (DateSource.META, 16),
        (DateSource.META, 17),
        (DateSource.HEURISTIC, 18),
        (DateSource.COPYRIGHT, 1),
    ]
    assert ranked[2].detail == "first"


def test_best_publication_date_prefers_trust() -> None:
    best = best_publication_date([claim(10, DateSource.HEURISTIC), claim(15, DateSource.JSONLD)])
    assert best is not None
    assert best.source is DateSource.JSONLD


def test_best_publication_date_ignores_copyright_and_fetched() -> None:
    assert (
        best_publication_date([claim(1, DateSource.COPYRIGHT), claim(2, DateSource.FETCHED)])
        is None
    )
    assert best_publication_date([]) is None


@pytest.mark.parametrize(
    "url",
    [
        "https://a.test/world/2024/05/17/talks-resume-123",
        "https://a.test/world/2024/5/17/talks-resume",
        "https://a.test/2024-05-17/talks-resume",
        "https://a.test/news/20240517/talks-resume",
        "https://a.test/archive/2024/05/17",
    ],
)
def test_url_date_reads_the_day_a_path_states(url: str) -> None:
    claim = url_date(url, now=NOW)
    assert claim is not None
    assert claim.value == datetime(2024, 5, 17, tzinfo=UTC)
    assert claim.source is DateSource.URL and claim.trust == DATE_TRUST[DateSource.URL]
    assert "2024-05-17" in claim.detail


@pytest.mark.parametrize(
    "url",
    [
        "https://a.test/news/talks-resume-2024-05-17",  # inside a slug
        "https://a.test/news/2024/13/40/talks",  # no such day
        "https://a.test/news/20241340/talks",
        "https://a.test/news/123456789/talks",  # an article id
        "https://a.test/news/2024/05/talks",  # no day
        "https://a.test/news/2031/01/02/talks",  # after now
        "https://a.test/?date=2024/05/17",  # the query is no path
    ],
)
def test_url_date_rejects_what_is_no_day_of_the_path(url: str) -> None:
    assert url_date(url, now=NOW) is None
