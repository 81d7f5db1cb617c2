"""The evidence archive: every HTTP exchange as WARC request and response records.

Files are gzip-compressed WARC 1.1 (one gzip member per record, so each record can
be read or copied alone by its offset and length), written with warcio's
``WARCWriter``. A file is never reopened for writing: each is created exclusively
and a new one is started when it reaches ``max_file_bytes``, so a re-fetch is
always a new record and nothing written is ever overwritten.

Digests are SHA-256 (warcio's default is SHA-1, which the evidence trail should not
rest on): they are computed here and given to warcio, which then keeps them.
``WARC-Payload-Digest`` covers the body as sent (Content-Encoding intact, per the
WARC standard); the :class:`~provenance.raw_record.CaptureRef` digest is of the
decoded body, as the WARC reader in :mod:`provenance.warc` computes it.
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from provenance import __version__
from provenance.errors import StorageError
from provenance.raw_record import CaptureRef

if TYPE_CHECKING:
    from provenance.settings import Settings

__all__ = ["Exchange", "WarcArchive"]

# Hop-by-hop framing that no longer describes the stored body, which is de-chunked.
_FRAMING = frozenset({"transfer-encoding"})
_PROTOCOLS = {"HTTP/1.0": "http/1.0", "HTTP/1.1": "http/1.1", "HTTP/2": "h2"}


@dataclass(frozen=True, slots=True)
class Exchange:
    """One request and its response, as sent and received.

    Attributes:
        url: The request URL.
        ip: The address the response came from.
        method: The request method.
        target: The request target (path and query).
        request_headers: The request headers as sent, in order.
        http_version: ``HTTP/1.1``, ``HTTP/2``...
        status: The response status code.
        reason: The reason phrase (may be empty; HTTP/2 has none).
        response_headers: The response headers as received, in order.
        body: The body bytes as sent (Content-Encoding intact), maybe cut short.
        payload_sha256: Hex SHA-256 of the decoded body.
        fetched_at: When the response arrived (UTC).
        truncated: Why ``body`` is not the whole body (``length``, ``time``), if so.
    """

    url: str
    ip: str
    method: str
    target: str
    request_headers: Sequence[tuple[str, str]]
    http_version: str
    status: int
    reason: str
    response_headers: Sequence[tuple[str, str]]
    body: bytes
    payload_sha256: str
    fetched_at: datetime
    truncated: str | None = None


class WarcArchive:
    """Appends exchanges to size-rotated ``.warc.gz`` files in one directory.

    Safe to share between threads (writes are serialised); several processes may
    write to one directory, as each names its files with its process id.

    Args:
        directory: Where the files go; created if missing.
        max_file_bytes: Size at which the next exchange starts a new file.
        fsync: Make each exchange durable on disk before returning its reference.
    """

    def __init__(self, directory: Path, *, max_file_bytes: int = 1 << 30, fsync: bool = False):
        if max_file_bytes <= 0:
            raise ValueError(f"max_file_bytes must be positive, got {max_file_bytes}")
        self.directory = Path(directory)
        self.max_file_bytes = max_file_bytes
        self._fsync = fsync
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None
        self._sequence = 0

    @classmethod
    def from_settings(cls, settings: Settings) -> WarcArchive:
        """The archive in ``settings.warc_dir`` (default ``data_dir/warc``)."""
        directory = settings.warc_dir or settings.data_dir / "warc"
        return cls(directory, max_file_bytes=settings.warc_max_file_bytes)

    @property
    def paths(self) -> list[Path]:
        """Every ``.warc.gz`` file in the directory, oldest name first."""
        return sorted(self.directory.glob("*.warc.gz"))

    def write_exchange(self, exchange: Exchange) -> CaptureRef:
        """Append the response and request records of ``exchange``.

        Returns:
            Where the response record is: file, offset, length (as stored, gzip
            member included) and the hex SHA-256 of the decoded body.

        Raises:
            StorageError: The file could not be written.
        """
        response = _response_record(exchange)
        request = _request_record(exchange, response)
        with self._lock:
            try:
                writer, file, path = self._current()
                offset = file.tell()
                writer.write_record(response)
                length = file.tell() - offset
                writer.write_record(request)
                file.flush()
                if self._fsync:
                    os.fsync(file.fileno())
            except OSError as exc:
                self._close_file()
                raise StorageError(f"cannot write the WARC archive: {exc}") from exc
        return CaptureRef(str(path), offset, length, exchange.payload_sha256)

    def read_capture(self, ref: CaptureRef) -> bytes:
        """The stored bytes of one record (a complete gzip member), for evidence export.

        Raises:
            StorageError: The file is missing or shorter than the reference says.
        """
        try:
            with open(ref.path, "rb") as file:
                file.seek(ref.offset)
                data = file.read(ref.length)
        except OSError as exc:
            raise StorageError(f"cannot read capture {ref.path}@{ref.offset}: {exc}") from exc
        if len(data) != ref.length:
            raise StorageError(f"capture {ref.path}@{ref.offset} is truncated")
        return data

    def export_captures(self, refs: Iterable[CaptureRef], out_path: Path) -> int:
        """Copy the records of ``refs`` into a new ``.warc.gz`` file, after a warcinfo record.

        Returns:
            How many records were copied.

        Raises:
            StorageError: A capture cannot be read, or ``out_path`` exists already.
        """
        count = 0
        try:
            with open(out_path, "xb") as out:
                WARCWriter(out, gzip=True, warc_version="1.1").write_record(
                    _warcinfo(out_path.name, "export of archived captures")
                )
                for ref in refs:
                    out.write(self.read_capture(ref))
                    count += 1
        except OSError as exc:
            raise StorageError(f"cannot write {out_path}: {exc}") from exc
        return count

    def close(self) -> None:
        """Close the current file; the next write starts a new one."""
        with self._lock:
            self._close_file()

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _current(self) -> tuple[WARCWriter, IO[bytes], Path]:
        if self._file is not None and self._file.tell() >= self.max_file_bytes:
            self._close_file()
        if self._file is None or self._writer is None or self._path is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._sequence += 1
            stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S%f")
            name = f"provenance-{stamp}-{os.getpid()}-{self._sequence:05d}.warc.gz"
            self._path = self.directory / name
            self._file = open(self._path, "xb")  # noqa: SIM115 -- kept open across writes
            self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
            self._writer.write_record(_warcinfo(name, "responses fetched by the crawler"))
        return self._writer, self._file, self._path

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file = self._writer = self._path = None


_BUILDER = WARCWriter(io.BytesIO(), gzip=True, warc_version="1.1")  # builds records only


def _digest(data: bytes) -> str:
    return "sha256:" + base64.b32encode(hashlib.sha256(data).digest()).decode("ascii")


def _response_record(exchange: Exchange) -> object:
    headers = [(k, v) for k, v in exchange.response_headers if k.lower() not in _FRAMING]
    status = f"{exchange.status} {exchange.reason}".rstrip()
    http = StatusAndHeaders(status, headers, protocol=_wire_version(exchange.http_version))
    http.compute_headers_buffer()
    warc_headers = {
        "WARC-Date": _warc_date(exchange.fetched_at),
        "WARC-IP-Address": exchange.ip,
        "WARC-Payload-Digest": _digest(exchange.body),
        "WARC-Block-Digest": _digest(http.headers_buff + exchange.body),
        "WARC-Protocol": _PROTOCOLS.get(exchange.http_version, exchange.http_version.lower()),
    }
    if exchange.truncated:
        warc_headers["WARC-Truncated"] = exchange.truncated
    return _BUILDER.create_warc_record(
        exchange.url,
        "response",
        payload=io.BytesIO(exchange.body),
        length=len(exchange.body),
        warc_headers_dict=warc_headers,
        http_headers=http,
    )


def _request_record(exchange: Exchange, response: object) -> object:
    line = f"{exchange.method} {exchange.target}"
    http = StatusAndHeaders(line, list(exchange.request_headers), protocol="HTTP/1.1")
    http.compute_headers_buffer()
    response_id = response.rec_headers.get_header("WARC-Record-ID")  # type: ignore[attr-defined]
    warc_headers = {
        "WARC-Date": _warc_date(exchange.fetched_at),
        "WARC-IP-Address": exchange.ip,
        "WARC-Concurrent-To": response_id,
        "WARC-Payload-Digest": _digest(b""),
        "WARC-Block-Digest": _digest(http.headers_buff),
    }
    return _BUILDER.create_warc_record(
        exchange.url,
        "request",
        payload=io.BytesIO(b""),
        length=0,
        warc_headers_dict=warc_headers,
        http_headers=http,
    )


def _warcinfo(filename: str, description: str) -> object:
    fields = {
        "software": f"provenance/{__version__} (warcio)",
        "format": "WARC File Format 1.1",
        "description": description,
    }
    data = "".join(f"{key}: {value}\r\n" for key, value in fields.items()).encode("utf-8")
    warc_headers = {"WARC-Filename": filename, "WARC-Block-Digest": _digest(data)}
    return _BUILDER.create_warc_record(
        "",
        "warcinfo",
        payload=io.BytesIO(data),
        length=len(data),
        warc_content_type="application/warc-fields",
        warc_headers_dict=warc_headers,
    )


def _wire_version(version: str) -> str:
    # HTTP/2 has no text status line; the record keeps HTTP/1.1 syntax, and
    # WARC-Protocol says what was really spoken.
    return "HTTP/1.1" if version.startswith("HTTP/2") or version.startswith("HTTP/3") else version


def _warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
