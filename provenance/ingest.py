"""Readers of import files: JSON Lines and WARC archives.

This is the edge that touches import files, and nothing else: it turns each record
of a file into a :class:`~provenance.raw_record.RawRecord` (the page as given, not
yet extracted) or an :class:`~provenance.errors.InputError` that names the record
and the reason, so one bad record never stops an import. It does no network or
database work.

:func:`read_records` picks the reader by the file's name: :mod:`provenance.jsonl`
for JSON Lines (``.jsonl``, ``.ndjson``, gzip-compressed or not), which hold one
object a line, and :mod:`provenance.warc` for WARC archives (``.warc``,
``.warc.gz``), which contribute their HTTP 200 HTML responses.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from provenance.errors import InputError
from provenance.jsonl import read_jsonl
from provenance.raw_record import RawRecord
from provenance.warc import read_warc

__all__ = ["read_records"]

_MIB = 1024 * 1024
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz")
_WARC_SUFFIXES = (".warc", ".warc.gz")


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
        return read_warc(path, max_body_bytes=max_body_bytes)
    if name.endswith(_JSONL_SUFFIXES):
        return read_jsonl(path, max_body_bytes=max_body_bytes)
    raise InputError(
        "unknown file type: expected .jsonl, .ndjson or .warc, optionally gzip-compressed (.gz)",
        source=source,
    )
