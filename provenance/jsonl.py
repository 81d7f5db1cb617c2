"""The reader of JSON Lines import files.

A JSON Lines file (``.jsonl``, ``.ndjson``, gzip-compressed or not) holds one object
a line::

    {"url": "https://example.com/a", "html": "<html>...", "title": null,
     "published_at": "2024-05-17T09:30:00+02:00", "fetched_at": null, "outlet": "Example"}

with ``url`` required, exactly one of ``html`` or ``text``, and the rest optional.
Each good line becomes a :class:`~provenance.raw_record.RawRecord`, each bad one an
:class:`~provenance.errors.InputError` that names the line and the reason.
:func:`provenance.ingest.read_records` is the entry point that picks this reader.
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
from datetime import datetime
from pathlib import Path
from typing import Any

from provenance.errors import InputError
from provenance.raw_record import CaptureRef, RawRecord, RecordError, check_url, parse_iso_date

__all__ = ["read_jsonl"]

_CHUNK = 1024 * 1024
# JSON escaping can triple a body's size ("é" is 2 bytes of UTF-8 but 6 as "\u00e9"),
# so a line may exceed the body limit this much and still hold a body within it.
# Longer lines are skipped unread rather than parsed only to be rejected.
_ESCAPE_FACTOR = 3
_LINE_SLACK = 64 * 1024  # room for the url, title and other small fields
_GZIP_MAGIC = b"\x1f\x8b"


def read_jsonl(path: Path, *, max_body_bytes: int) -> Iterator[RawRecord | InputError]:
    """Read the records of a JSON Lines file, lazily, one line at a time.

    Args:
        path: A ``.jsonl`` or ``.ndjson`` file, gzip-compressed or not (told by its
            content, so a misnamed file still reads).
        max_body_bytes: The largest ``html`` or ``text`` accepted, in UTF-8 bytes;
            positive (:func:`~provenance.ingest.read_records` checks it).

    Returns:
        An iterator of a :class:`RawRecord` for each good line and an
        :class:`InputError` (with ``line`` and ``source``) for each bad one.
        A truncated or corrupt file ends with an error for the unreadable rest.

    Raises:
        OSError: The file cannot be opened (on the first ``next()``).
    """
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
            raise RecordError(f"line is a JSON {_json_type(obj)}, not an object")
        return _record_from_object(obj, number, capture, max_body_bytes)
    except UnicodeDecodeError as exc:
        reason = f"line is not valid UTF-8 (bad byte at position {exc.start + 1})"
    except json.JSONDecodeError as exc:
        reason = f"line is not valid JSON: {exc.msg} at column {exc.colno}"
    except RecordError as exc:
        reason = str(exc)
    return InputError(reason, line=number, source=source)


def _record_from_object(
    obj: dict[str, Any], number: int, capture: CaptureRef, max_body_bytes: int
) -> RawRecord:
    url = obj.get("url")
    if not isinstance(url, str):
        kind = "missing" if url is None else f"a JSON {_json_type(url)}, not a string"
        raise RecordError(f"url is {kind}")
    html, text = _body(obj, max_body_bytes)
    return RawRecord(
        line=number,
        url=check_url(url),
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
        raise RecordError("record has both html and text; give exactly one")
    if html is None and text is None:
        raise RecordError("record has neither html nor text; give exactly one")
    key, body = ("html", html) if html is not None else ("text", text)
    if not isinstance(body, str):
        raise RecordError(f"{key} must be a string, not a JSON {_json_type(body)}")
    if not body.strip():
        raise RecordError(f"{key} is empty")
    size = len(body.encode("utf-8", errors="surrogatepass"))
    if size > max_body_bytes:
        raise RecordError(f"{key} is {size} bytes, over the limit of {max_body_bytes} bytes")
    return html, text


def _optional_str(obj: dict[str, Any], key: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{key} must be a string or null, not a JSON {_json_type(value)}")
    return value.strip() or None


def _optional_date(obj: dict[str, Any], key: str) -> datetime | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(
            f"{key} must be an ISO 8601 string or null, not a JSON {_json_type(value)}"
        )
    return parse_iso_date(value, key)


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    names = {str: "string", list: "array", dict: "object", type(None): "null"}
    return names.get(type(value), type(value).__name__)
