"""Readers of import files: JSON Lines and WARC archives.

This is the edge that touches import files, and nothing else: it turns each record
of a file into a :class:`RawRecord` (the page as given, not yet extracted) or an
:class:`~provenance.errors.InputError` that names the record and the reason, so one
bad record never stops an import. It does no network or database work.

JSON Lines (``.jsonl``, ``.ndjson``, gzip-compressed or not) hold one object a line::

    {"url": "https://example.com/a", "html": "<html>...", "title": null,
     "published_at": "2024-05-17T09:30:00+02:00", "fetched_at": null, "outlet": "Example"}

with ``url`` required, exactly one of ``html`` or ``text``, and the rest optional.
WARC archives (``.warc``, ``.warc.gz``) contribute their HTTP 200 HTML responses.
"""

from __future__ import annotations

import codecs
import contextlib
import gzip
import hashlib
import io
import json
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dateutil.parser import isoparse
from warcio.archiveiterator import WARCIterator

from provenance.charset import decode_text
from provenance.errors import InputError
from provenance.models import DateClaim
from provenance.urls import normalize_url

__all__ = ["CaptureRef", "RawRecord", "read_records"]

_MIB = 1024 * 1024
_CHUNK = _MIB
# JSON escaping can triple a body's size ("é" is 2 bytes of UTF-8 but 6 as "\u00e9"),
# so a line may exceed the body limit this much and still hold a body within it.
# Longer lines are skipped unread rather than parsed only to be rejected.
_ESCAPE_FACTOR = 3
_LINE_SLACK = 64 * 1024  # room for the url, title and other small fields
_GZIP_MAGIC = b"\x1f\x8b"
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_WARC_SUFFIXES = (".warc", ".warc.gz")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


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


class _RecordError(Exception):
    """A record is malformed; the message is the reason shown to the user."""


def read_records(
    path: Path, *, max_body_bytes: int = 10 * _MIB
) -> Iterator[RawRecord | InputError]:
    """Read the records of a JSON Lines file or a WARC archive.

    Reading is lazy and its memory is bounded by ``max_body_bytes``: a record is
    read, checked and yielded before the next one is read.

    Args:
        path: A ``.jsonl``/``.ndjson`` file (optionally ``.gz``) or a ``.warc``/``.warc.gz``.
        max_body_bytes: The largest HTML or text body accepted, in UTF-8 bytes
            (JSON Lines) or payload bytes (WARC).

    Returns:
        An iterator of a :class:`RawRecord` for each good record and an
        :class:`InputError` (with ``line`` and ``source``) for each bad one.
        A truncated or corrupt file ends with an error for the unreadable rest.

    Raises:
        InputError: The file is missing, unreadable or of an unknown type.
        ValueError: ``max_body_bytes`` is not positive.
    """
    if max_body_bytes <= 0:
        raise ValueError(f"max_body_bytes must be positive, got {max_body_bytes}")
    source = str(path)
    try:
        # Open once here so a missing file fails the call, not the first next().
        with path.open("rb"):
            pass
    except OSError as exc:
        raise InputError(f"cannot read the file: {exc.strerror or exc}", source=source) from exc
    name = path.name.lower()
    if name.endswith(_WARC_SUFFIXES):
        return _read_warc(path, max_body_bytes)
    if name.endswith(_JSONL_SUFFIXES):
        return _read_jsonl(path, max_body_bytes)
    raise InputError(
        "unknown file type: expected .jsonl, .ndjson or .warc, optionally gzip-compressed (.gz)",
        source=source,
    )


# -- JSON Lines ------------------------------------------------------------------------


def _read_jsonl(path: Path, max_body_bytes: int) -> Iterator[RawRecord | InputError]:
    source = str(path)
    max_line = _ESCAPE_FACTOR * max_body_bytes + _LINE_SLACK
    number = 0
    with contextlib.ExitStack() as stack:
        file = stack.enter_context(path.open("rb"))
        stream: io.BufferedIOBase = file
        if file.peek(2)[:2] == _GZIP_MAGIC:  # by content: a misnamed .jsonl still reads
            stream = stack.enter_context(gzip.GzipFile(fileobj=file, mode="rb"))
        lines = _physical_lines(stream, max_line)
        while True:
            try:
                number, offset, raw = next(lines, (0, 0, b""))
            except (OSError, EOFError, zlib.error) as exc:  # gzip.BadGzipFile is an OSError
                reason = f"the file is truncated or corrupt from here on: {exc}"
                yield InputError(reason, line=number + 1, source=source)
                return
            if number == 0:
                return
            if raw is None:
                reason = (
                    f"line is over {max_line} bytes, too long to hold a body"
                    f" within the {max_body_bytes}-byte limit"
                )
                yield InputError(reason, line=number, source=source)
            elif not raw.isspace():
                yield _parse_line(raw, number, offset, source, max_body_bytes)


def _physical_lines(
    stream: io.BufferedIOBase, max_line: int
) -> Iterator[tuple[int, int, bytes | None]]:
    """Yield (line number, byte offset, bytes), with None for a line over max_line."""
    number = offset = 0
    while True:
        raw, size = _read_line(stream, max_line)
        if size == 0:
            return
        number += 1
        yield number, offset, raw
        offset += size


def _read_line(stream: io.BufferedIOBase, max_line: int) -> tuple[bytes | None, int]:
    """Read one line in chunks: (its bytes or None if over max_line, its size)."""
    parts: list[bytes] = []
    size = 0
    while chunk := stream.readline(_CHUNK):
        size += len(chunk)
        if size <= max_line:
            parts.append(chunk)
        else:
            parts.clear()  # too long: count the rest of the line, but hold none of it
        if chunk.endswith(b"\n"):
            break
    if size > max_line:
        return None, size
    return b"".join(parts), size


def _parse_line(
    raw: bytes, number: int, offset: int, source: str, max_body_bytes: int
) -> RawRecord | InputError:
    line = raw.rstrip(b"\r\n")
    capture = CaptureRef(source, offset, len(line), hashlib.sha256(line).hexdigest())
    if number == 1 and line.startswith(codecs.BOM_UTF8):
        line = line[len(codecs.BOM_UTF8) :]  # editors on Windows add one; JSON forbids it
    try:
        obj = json.loads(line.decode("utf-8"))
        if not isinstance(obj, dict):
            raise _RecordError(f"line is a JSON {_json_type(obj)}, not an object")
        return _record_from_object(obj, number, capture, max_body_bytes)
    except UnicodeDecodeError as exc:
        reason = f"line is not valid UTF-8 (bad byte at position {exc.start + 1})"
    except json.JSONDecodeError as exc:
        reason = f"line is not valid JSON: {exc.msg} at column {exc.colno}"
    except _RecordError as exc:
        reason = str(exc)
    return InputError(reason, line=number, source=source)


def _record_from_object(
    obj: dict[str, Any], number: int, capture: CaptureRef, max_body_bytes: int
) -> RawRecord:
    url = obj.get("url")
    if not isinstance(url, str):
        kind = "missing" if url is None else f"a JSON {_json_type(url)}, not a string"
        raise _RecordError(f"url is {kind}")
    html, text = _body(obj, max_body_bytes)
    return RawRecord(
        line=number,
        url=_check_url(url),
        html=html,
        text=text,
        title=_optional_str(obj, "title"),
        published_at=_optional_date(obj, "published_at"),
        fetched_at=_optional_date(obj, "fetched_at"),
        outlet=_optional_str(obj, "outlet"),
        capture=capture,
    )


def _body(obj: dict[str, Any], max_body_bytes: int) -> tuple[str | None, str | None]:
    html, text = obj.get("html"), obj.get("text")
    if html is not None and text is not None:
        raise _RecordError("record has both html and text; give exactly one")
    if html is None and text is None:
        raise _RecordError("record has neither html nor text; give exactly one")
    key, body = ("html", html) if html is not None else ("text", text)
    if not isinstance(body, str):
        raise _RecordError(f"{key} must be a string, not a JSON {_json_type(body)}")
    if not body.strip():
        raise _RecordError(f"{key} is empty")
    size = len(body.encode("utf-8", errors="surrogatepass"))
    if size > max_body_bytes:
        raise _RecordError(f"{key} is {size} bytes, over the limit of {max_body_bytes} bytes")
    return html, text


def _optional_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _RecordError(f"{key} must be a string or null, not a JSON {_json_type(value)}")
    return value.strip() or None


def _optional_date(obj: dict[str, Any], key: str) -> datetime | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise _RecordError(
            f"{key} must be an ISO 8601 string or null, not a JSON {_json_type(value)}"
        )
    return _parse_date(value, key)


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    names = {str: "string", list: "array", dict: "object", type(None): "null"}
    return names.get(type(value), type(value).__name__)


# -- fields shared by both formats -------------------------------------------------------


def _check_url(value: str) -> str:
    url = value.strip()
    if not url:
        raise _RecordError("url is empty")
    try:
        normalize_url(url)
    except ValueError as exc:
        raise _RecordError(f"url is not usable: {exc}") from exc
    # The record keeps the URL as given; normalising is the pipeline's job, and the
    # evidence trail should show what the file said.
    return url


def _parse_date(value: str, what: str) -> datetime:
    try:
        parsed = isoparse(value.strip())
    except (ValueError, OverflowError) as exc:
        raise _RecordError(f"{what} {_clip(value)!r} is not an ISO 8601 date") from exc
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)  # a date without a zone is taken as UTC
    return parsed.astimezone(UTC)


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- WARC --------------------------------------------------------------------------------


def _read_warc(path: Path, max_body_bytes: int) -> Iterator[RawRecord | InputError]:
    source = str(path)
    number = end = 0
    with path.open("rb") as file:
        # WARCIterator is ArchiveIterator fixed to WARC: plain ArchiveIterator would
        # read a garbage file as a legacy ARC and skip it without a word.
        archive = WARCIterator(file)
        records = iter(archive)
        while True:
            number += 1  # the record about to be read, so an error names it
            try:
                record = next(records, None)
                if record is None:
                    break
                item = _warc_response(record, number, source, max_body_bytes)
                archive.read_to_end(record)
                offset, length = archive.get_record_offset(), archive.get_record_length()
                missing = getattr(record.raw_stream, "limit", 0)
            # warcio reports corrupt input with assorted exceptions (ArchiveLoadFailed,
            # EOFError, zlib.error, even AttributeError), so take any as corruption.
            except Exception as exc:
                reason = f"the archive is truncated or corrupt from here on: {_first_line(exc)}"
                yield InputError(reason, line=number, source=source)
                return
            if missing:
                reason = f"the record is truncated: {missing} bytes of it are missing"
                yield InputError(reason, line=number, source=source)
                return
            end = offset + length
            if isinstance(item, tuple):
                raw, digest = item
                yield replace(raw, capture=CaptureRef(source, offset, length, digest))
            elif item is not None:
                yield item
        if _has_data_after(file, end):
            # A cut gzip member ends warcio's iteration without an error.
            reason = f"the archive is truncated or corrupt after byte {end}"
            yield InputError(reason, line=number, source=source)


def _warc_response(
    record: Any, number: int, source: str, max_body_bytes: int
) -> tuple[RawRecord, str] | InputError | None:
    """Read one WARC record: (record, payload digest), an error, or None to skip."""
    # Requests, warcinfo, metadata and non-HTTP responses (dns:) are normal in a crawl.
    if record.rec_type != "response" or record.http_headers is None:
        return None
    status = record.http_headers.get_statuscode()
    media_type, charset = _content_type(record.http_headers.get_header("Content-Type"))
    try:
        if status != "200":
            raise _RecordError(f"HTTP status {status}: only 200 responses hold articles")
        if media_type not in _HTML_TYPES:
            raise _RecordError(f"content type {media_type or '(none)'} is not HTML")
        truncated = record.rec_headers.get_header("WARC-Truncated")
        if truncated:
            # The crawler archives a body it cut at a cap or a deadline as
            # evidence, marked truncated: it is not a whole article.
            raise _RecordError(f"the capture is truncated ({truncated}): not a whole page")
        url = _check_url(_target_uri(record))
        fetched_at = _parse_date(record.rec_headers.get_header("WARC-Date") or "", "WARC-Date")
        payload = _read_at_most(record.content_stream(), max_body_bytes + 1)
        if len(payload) > max_body_bytes:
            raise _RecordError(f"body is over the limit of {max_body_bytes} bytes")
    except _RecordError as exc:
        return InputError(str(exc), line=number, source=source)
    raw = RawRecord(
        line=number,
        url=url,
        html=decode_text(payload, "text/html", charset)[0],
        text=None,
        title=None,
        published_at=None,
        fetched_at=fetched_at,
        outlet=None,
        capture=None,
        content_type=media_type,
        http_charset=charset,
    )
    return raw, hashlib.sha256(payload).hexdigest()


def _target_uri(record: Any) -> str:
    uri = record.rec_headers.get_header("WARC-Target-URI")
    if not uri:
        raise _RecordError("record has no WARC-Target-URI")
    # WARC 1.1's own examples wrap the URI in <>, and some writers copied that.
    return str(uri).strip().removeprefix("<").removesuffix(">")


def _content_type(value: str | None) -> tuple[str | None, str | None]:
    """Split a Content-Type header into (media type, charset parameter)."""
    if not value:
        return None, None
    media_type, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'") or None
    return media_type.strip().lower() or None, charset


def _read_at_most(stream: Any, limit: int) -> bytes:
    parts: list[bytes] = []
    while limit > 0 and (part := stream.read(min(limit, _CHUNK))):
        parts.append(part)
        limit -= len(part)
    return b"".join(parts)


def _has_data_after(file: io.BufferedReader, end: int) -> bool:
    file.seek(end)
    return bool(file.read(4096).strip())  # uncompressed WARCs end with blank lines


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


# -- HTML decoding -----------------------------------------------------------------------
