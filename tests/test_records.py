"""A record's page becomes an article's fields, with every date it can be placed by."""

from __future__ import annotations

from datetime import UTC, datetime

from provenance.models import DateSource
from provenance.raw_record import RawRecord
from provenance.records import extract_record

_PAGE = """<html><head><title>Talks resume</title>
<meta property="article:published_time" content="2024-05-15T09:00:00Z"></head>
<body><article><h1>Talks resume</h1><p>{}</p></article></body></html>
""".format(" ".join(["Negotiators met again in the capital on Friday."] * 8))


def _record(url: str) -> RawRecord:
    return RawRecord(
        line=1,
        url=url,
        html=_PAGE,
        text=None,
        title=None,
        published_at=None,
        fetched_at=None,
        outlet=None,
        capture=None,
    )


def test_the_day_in_a_url_path_joins_the_page_dates() -> None:
    page = extract_record(_record("https://alpha.test/world/2024/05/17/talks-resume"))
    by_source = {d.source: d.value for d in page.dates}
    assert by_source[DateSource.META] == datetime(2024, 5, 15, 9, tzinfo=UTC)
    assert by_source[DateSource.URL] == datetime(2024, 5, 17, tzinfo=UTC)
    assert page.dates[0].source is DateSource.META  # the metadata stays the most trusted


def test_a_url_without_a_day_adds_no_date() -> None:
    page = extract_record(_record("https://alpha.test/world/talks-resume-20240517x"))
    assert DateSource.URL not in {d.source for d in page.dates}
