"""Bodies: bounded reading, bounded decompression, content types and charsets.

httpx can decompress, but only all at once per chunk, without a cap on what a
chunk expands to; a 10 KB gzip bomb becomes gigabytes before any check could run.
So the fetcher reads the raw bytes (``Response.aiter_raw``) and decompresses them
here in bounded steps: zlib's ``max_length`` and brotli's ``output_buffer_limit``
keep every step at most :data:`STEP` bytes, and reading stops as soon as either
cap is passed. Memory is then bounded by the caps plus one step.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterator
from typing import Protocol

import brotli

from provenance.charset import decode_text
from provenance.errors import BodyTooLargeError, ContentDecodingError, ContentTypeError

__all__ = [
    "STEP",
    "BodyReader",
    "accepted_type",
    "decode_text",
    "gunzip_bounded",
    "is_text",
    "parse_content_type",
    "parse_encodings",
    "sniff_media_type",
]

STEP = 64 * 1024
MAX_ENCODINGS = 2
GZIP_MAGIC = b"\x1f\x8b"

_TOKEN = r"[!#$%&'*+.^_`|~0-9a-z-]+"
_MEDIA_TYPE = re.compile(rf"^{_TOKEN}/{_TOKEN}$")
_HTML = frozenset({"text/html", "application/xhtml+xml"})
_XML = frozenset(
    {
        "text/xml",
        "application/xml",
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/rss",
        "application/x-rss+xml",
    }
)
_JSON_FEEDS = frozenset({"application/feed+json", "application/json"})
_GZIP = frozenset({"application/gzip", "application/x-gzip"})
_TEXT = _HTML | _XML | _JSON_FEEDS | {"text/plain"}
#: What each purpose accepts besides sniffed content (a missing or malformed type).
_ACCEPTED: dict[str, frozenset[str]] = {
    "page": _HTML,
    # Feeds are often served as text/html or text/plain; feedparser reads them all.
    "feed": _XML | _JSON_FEEDS | {"text/plain", "text/html"},
    "sitemap": _XML | _GZIP | {"text/plain"},
    "robots": frozenset(),  # RFC 9309 requires no type: any answer is read as text
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG Encoding: browsers read these labels as windows-1252, and so do the pages
# written for them. UTF-7 is never honoured (it smuggles markup past filters).
_WEB_ALIASES = {"latin_1": "cp1252", "iso8859-1": "cp1252", "ascii": "cp1252"}
_REFUSED_CODECS = frozenset({"utf-7"})
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_PRESCAN = 1024  # the HTML standard's prescan window
_SNIFF = 64 * 1024


class _Decoder(Protocol):
    def decode(self, data: bytes) -> Iterator[bytes]: ...

    def finish(self) -> Iterator[bytes]: ...


class _ZlibDecoder:
    """gzip (all members) or deflate, zlib-wrapped or raw, at most STEP bytes a step."""

    def __init__(self, coding: str) -> None:
        self._coding = coding
        self._pending = b""  # deflate: the first two bytes decide zlib vs raw
        self._obj: zlib._Decompress | None = zlib.decompressobj(31) if coding == "gzip" else None

    def decode(self, data: bytes) -> Iterator[bytes]:
        if self._obj is None:
            self._pending += data
            if len(self._pending) < 2:
                return
            data, self._pending = self._pending, b""
            wrapped = data[0] & 0x0F == 8 and int.from_bytes(data[:2], "big") % 31 == 0
            self._obj = zlib.decompressobj(15 if wrapped else -15)
        try:
            yield from self._steps(self._obj, data)
        except zlib.error as exc:
            raise ContentDecodingError(f"corrupt {self._coding} data: {exc}") from exc

    def _steps(self, obj: zlib._Decompress, data: bytes) -> Iterator[bytes]:
        while True:
            out = obj.decompress(data, STEP)
            if out:
                yield out
            if obj.eof:
                rest = obj.unused_data
                if self._coding != "gzip" or not rest.strip(b"\0"):
                    return  # trailing padding after the stream is common and harmless
                obj = self._obj = zlib.decompressobj(31)  # the next gzip member
                data = rest
                continue
            data = obj.unconsumed_tail
            if not data and len(out) < STEP:
                return

    def finish(self) -> Iterator[bytes]:
        if self._pending:
            yield from self.decode(b"")
        if self._obj is None or not self._obj.eof:
            raise ContentDecodingError(f"the {self._coding} stream is truncated")


class _BrotliDecoder:
    def __init__(self) -> None:
        self._obj = brotli.Decompressor()

    def decode(self, data: bytes) -> Iterator[bytes]:
        try:
            out = self._obj.process(data, output_buffer_limit=STEP)
            while True:
                if out:
                    yield out
                if self._obj.can_accept_more_data():
                    return
                out = self._obj.process(b"", output_buffer_limit=STEP)
        except brotli.error as exc:
            raise ContentDecodingError(f"corrupt br data: {exc}") from exc

    def finish(self) -> Iterator[bytes]:
        if not self._obj.is_finished():
            raise ContentDecodingError("the br stream is truncated")
        return iter(())


def _decoder(coding: str) -> _Decoder:
    if coding in ("gzip", "x-gzip"):
        return _ZlibDecoder("gzip")
    if coding == "deflate":
        return _ZlibDecoder("deflate")
    if coding == "br":
        return _BrotliDecoder()
    raise ContentDecodingError(f"unsupported Content-Encoding {coding!r}")


def parse_encodings(header: str | None) -> list[str]:
    """The content codings of a ``Content-Encoding`` header, in the order applied.

    Raises:
        ContentDecodingError: A coding is unknown, or more than two are chained.
    """
    codings = [c.strip().lower() for c in (header or "").split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if len(codings) > MAX_ENCODINGS:
        raise ContentDecodingError(
            f"{len(codings)} chained content codings ({header}); at most {MAX_ENCODINGS} are read"
        )
    for coding in codings:
        _decoder(coding)  # fail on an unknown coding before reading any of the body
    return codings


class BodyReader:
    """Takes a body's raw chunks and keeps them, and their decoding, within caps.

    Args:
        codings: The content codings, in the order the server applied them.
        max_raw: Largest number of raw bytes accepted.
        max_decoded: Largest number of decoded bytes accepted.

    Attributes:
        raw: The raw bytes read so far (never more than ``max_raw``).
        truncated: Why ``raw`` is not the whole body (``"length"`` for a cap), if it is not.
    """

    def __init__(self, codings: list[str], *, max_raw: int, max_decoded: int) -> None:
        # Decoding runs in reverse: the coding applied last is undone first.
        self._stages = [_decoder(coding) for coding in reversed(codings)]
        self._max_raw = max_raw
        self._max_decoded = max_decoded
        self.raw = bytearray()
        self._decoded = bytearray()
        self.truncated: str | None = None

    @property
    def decoded(self) -> bytes:
        """The decoded bytes so far (the raw bytes when nothing is encoded)."""
        return bytes(self._decoded if self._stages else self.raw)

    def feed(self, chunk: bytes) -> None:
        """Take the next raw chunk.

        Raises:
            BodyTooLargeError: A cap was passed; what fitted is kept.
            ContentDecodingError: The encoded data is corrupt.
        """
        room = self._max_raw - len(self.raw)
        if len(chunk) > room:
            self.raw += chunk[:room]
            self.truncated = "length"
            raise BodyTooLargeError(f"body is over the cap of {self._max_raw} bytes")
        self.raw += chunk
        if self._stages:
            self._sink(0, self._stages[0].decode(chunk))
        elif len(self.raw) > self._max_decoded:
            self.truncated = "length"
            raise BodyTooLargeError(f"body is over the cap of {self._max_decoded} bytes")

    def finish(self) -> None:
        """Flush the decoders at the end of the body.

        Raises:
            ContentDecodingError: A compressed stream is truncated.
            BodyTooLargeError: The last output passed the decoded cap.
        """
        for index, stage in enumerate(self._stages):
            self._sink(index, stage.finish())

    def _sink(self, index: int, pieces: Iterator[bytes]) -> None:
        """Take the output of stage ``index``: into the next stage, or the decoded body."""
        last = index + 1 == len(self._stages)
        for piece in pieces:
            if not last:
                self._sink(index + 1, self._stages[index + 1].decode(piece))
                continue
            room = self._max_decoded - len(self._decoded)
            if len(piece) > room:
                self._decoded += piece[:room]
                self.truncated = "length"
                raise BodyTooLargeError(
                    f"decompressed body is over the cap of {self._max_decoded} bytes"
                    f" (after {len(self.raw)} raw bytes): a compression bomb, or just too big"
                )
            self._decoded += piece


def gunzip_bounded(data: bytes, max_decoded: int) -> bytes:
    """Decompress a gzip file (a ``sitemap.xml.gz``) within ``max_decoded`` bytes.

    Raises:
        BodyTooLargeError: The decompressed file is over ``max_decoded``.
        ContentDecodingError: The file is corrupt or truncated.
    """
    reader = BodyReader(["gzip"], max_raw=len(data) or 1, max_decoded=max_decoded)
    reader.feed(data)
    reader.finish()
    return reader.decoded


# -- content types -----------------------------------------------------------------------


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """Split a ``Content-Type`` into (media type, charset), each None when absent or malformed.

    A media type that is not ``type/subtype`` made of RFC 9110 tokens (``html``,
    ``text/html/x``, ``text/ html``) counts as absent, so the body is sniffed instead.
    """
    if not value:
        return None, None
    head, _, params = value.partition(";")
    media_type = head.strip().lower()
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").strip() or None
    return (media_type if _MEDIA_TYPE.match(media_type) else None), charset


def sniff_media_type(body: bytes) -> str | None:
    """Guess a media type from the first bytes, for a missing or malformed Content-Type."""
    head = _strip_bom(body[:_PRESCAN]).lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "text/html"
    if head.startswith(b"<?xml") or head.startswith(
        (b"<rss", b"<feed", b"<rdf:rdf", b"<urlset", b"<sitemapindex")
    ):
        return "application/xml"
    if body.startswith(GZIP_MAGIC):
        return "application/gzip"
    return None


def accepted_type(purpose: str, media_type: str | None, body: bytes) -> str:
    """The effective media type of a body, if the purpose accepts it.

    A declared type is taken as given: a page served as ``image/png`` is refused
    even if it looks like HTML, since the server meant something else. A missing or
    malformed type is sniffed from the body.

    Raises:
        ContentTypeError: The purpose does not accept the (declared or sniffed) type.
    """
    effective = media_type or sniff_media_type(body)
    if purpose == "robots":
        return effective or "text/plain"
    xml_suffix = purpose != "page" and effective is not None and effective.endswith("+xml")
    if effective is not None and (effective in _ACCEPTED[purpose] or xml_suffix):
        return effective
    if media_type is None and effective is None:
        raise ContentTypeError(
            f"no usable content type, and the body does not look like a {purpose}"
        )
    declared = "declared" if media_type else "sniffed"
    raise ContentTypeError(f"content type {effective} ({declared}) is not accepted for a {purpose}")


def is_text(media_type: str) -> bool:
    """Whether a body of this media type is decoded to text."""
    return media_type in _TEXT or media_type.endswith("+xml") or media_type.startswith("text/")


# -- charsets ----------------------------------------------------------------------------


def _strip_bom(data: bytes) -> bytes:
    return data[3:] if data.startswith(codecs.BOM_UTF8) else data
