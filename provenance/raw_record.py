"""The raw record: one page as an import file (or the crawler) gives it, before extraction.

The readers of import files (:mod:`provenance.jsonl`, :mod:`provenance.warc`) and the
crawler yield :class:`RawRecord` objects, each with a :class:`CaptureRef` to the raw
bytes it was read from. The field checks both readers share live here too: a bad
field raises :class:`RecordError`, which the reader turns into an
:class:`~provenance.errors.InputError` that names the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from dateutil.parser import isoparse

from provenance.models import DateClaim
from provenance.urls import normalize_url

__all__ = ["CaptureRef", "RawRecord", "RecordError", "check_url", "parse_iso_date"]


@dataclass(frozen=True, slots=True)
class CaptureRef:
    """Where the raw bytes of a record are kept, as evidence of what was read.

    Attributes:
        path: The import file.
        offset: Where the record starts: the WARC record's byte offset in the file, or
            the JSON line's byte offset in the (decompressed) JSON Lines stream.
        length: The record's length in the same bytes (a JSON line without its
            line terminator; a WARC record as stored, compressed if the file is).
        sha256: Hex SHA-256 of the JSON line, or of the HTTP payload of a WARC
            response after its Content-Encoding is undone (the bytes ``html`` was
            decoded from, so a re-read of the record can be checked against it).
    """

    path: str
    offset: int
    length: int
    sha256: str


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One page read from an import file, before extraction.

    Attributes:
        line: The 1-based line (JSON Lines) or record (WARC) number in the file.
        url: The page URL as given, stripped of surrounding whitespace.
        html: The page HTML, if the record holds HTML.
        text: The article text, if the record holds plain text instead.
        title: The headline given by the record, if any.
        published_at: The publication date given by the record, in UTC.
        fetched_at: When the page was fetched (WARC-Date for archives), in UTC.
        outlet: The outlet name given by the record, if any.
        capture: Where the record's raw bytes are, for the evidence trail.
        content_type: The HTTP media type (WARC only), lower-case, no parameters.
        http_charset: The charset parameter of the HTTP Content-Type, if any.
        dates: Further date claims that came with the record from outside the
            page, such as a feed's ``pubDate`` or a sitemap's publication date.
    """

    line: int
    url: str
    html: str | None
    text: str | None
    title: str | None
    published_at: datetime | None
    fetched_at: datetime | None
    outlet: str | None
    capture: CaptureRef | None
    content_type: str | None = None
    http_charset: str | None = None
    dates: tuple[DateClaim, ...] = ()


class RecordError(Exception):
    """A record is malformed; the message is the reason shown to the user."""


def check_url(value: str) -> str:
    """Check the URL of a record.

    Args:
        value: The URL as the record gives it.

    Returns:
        The URL stripped of surrounding whitespace, otherwise as given.

    Raises:
        RecordError: The URL is empty or not usable (see :func:`~provenance.urls.normalize_url`).
    """
    url = value.strip()
    if not url:
        raise RecordError("url is empty")
    try:
        normalize_url(url)
    except ValueError as exc:
        raise RecordError(f"url is not usable: {exc}") from exc
    # The record keeps the URL as given; normalising is the pipeline's job, and the
    # evidence trail should show what the file said.
    return url


def parse_iso_date(value: str, what: str) -> datetime:
    """Parse an ISO 8601 date of a record, in UTC.

    Args:
        value: The date as the record gives it.
        what: The field it came from, named in the error.

    Returns:
        The date in UTC; a date without a zone is taken as UTC.

    Raises:
        RecordError: The value is not an ISO 8601 date.
    """
    try:
        parsed = isoparse(value.strip())
    except (ValueError, OverflowError) as exc:
        raise RecordError(f"{what} {_clip(value)!r} is not an ISO 8601 date") from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)  # a date without a zone is taken as UTC
    return parsed.astimezone(UTC)


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
