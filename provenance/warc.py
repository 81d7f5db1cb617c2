"""The reader of WARC import files.

A WARC archive (``.warc``, ``.warc.gz``) contributes its HTTP 200 HTML responses:
each becomes a :class:`~provenance.raw_record.RawRecord` whose capture is the WARC
record itself. Requests, metadata and other responses are skipped; a response that
cannot be an article (another status or type, a truncated capture) becomes an
:class:`~provenance.errors.InputError` that names the record and the reason.
:func:`provenance.ingest.read_records` is the entry point that picks this reader.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from warcio.archiveiterator import WARCIterator

from provenance.charset import decode_text
from provenance.errors import InputError
from provenance.raw_record import CaptureRef, RawRecord, RecordError, check_url, parse_iso_date

__all__ = ["read_warc"]

_CHUNK = 1024 * 1024
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


def read_warc(path: Path, *, max_body_bytes: int) -> Iterator[RawRecord | InputError]:
    """Read the HTML responses of a WARC archive, lazily, one record at a time.

    Args:
        path: A ``.warc`` or ``.warc.gz`` file.
        max_body_bytes: The largest payload accepted, in bytes after the
            Content-Encoding is undone; positive
            (:func:`~provenance.ingest.read_records` checks it).

    Returns:
        An iterator of a :class:`RawRecord` for each HTTP 200 HTML response and an
        :class:`InputError` (with ``line``, the record number, and ``source``) for
        each response that is not an article. A truncated or corrupt archive ends
        with an error for the unreadable rest.

    Raises:
        OSError: The file cannot be opened (on the first ``next()``).
    """
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
            raise RecordError(f"HTTP status {status}: only 200 responses hold articles")
        if media_type not in _HTML_TYPES:
            raise RecordError(f"content type {media_type or '(none)'} is not HTML")
        truncated = record.rec_headers.get_header("WARC-Truncated")
        if truncated:
            # The crawler archives a body it cut at a cap or a deadline as
            # evidence, marked truncated: it is not a whole article.
            raise RecordError(f"the capture is truncated ({truncated}): not a whole page")
        url = check_url(_target_uri(record))
        fetched_at = parse_iso_date(record.rec_headers.get_header("WARC-Date") or "", "WARC-Date")
        payload = _read_at_most(record.content_stream(), max_body_bytes + 1)
        if len(payload) > max_body_bytes:
            raise RecordError(f"body is over the limit of {max_body_bytes} bytes")
    except RecordError as exc:
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
        raise RecordError("record has no WARC-Target-URI")
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
