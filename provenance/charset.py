"""Decoding web bytes to text as a browser would, never failing.

One order everywhere a page's bytes become text (the fetcher, the WARC reader,
the extractor): a byte-order mark, then the charset the HTTP header declares,
then the document's own declaration (``<meta charset>`` in the first 1024 bytes
of HTML, an XML declaration's ``encoding``), then sniffing. Labels are read the
WHATWG way (``latin-1`` means windows-1252, ``gb2312`` means GB18030); UTF-7
and byte-to-byte codecs are never honoured; a single-byte label on bytes that
are valid non-ASCII UTF-8 is the usual mislabel, and UTF-8 wins. Undecodable
bytes become U+FFFD: a page with a few bad bytes is still an article, and a
declared charset is followed even when some bytes break it, as browsers do.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

import charset_normalizer

__all__ = ["decode_text"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE, whose BOM is its prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# WHATWG Encoding labels that name a superset in practice.
_ALIASES = {
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "latin_1": "cp1252",
    "iso8859-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "iso-8859-9": "cp1254",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "euc-kr": "cp949",
    "tis-620": "cp874", "shift_jis": "cp932",
}  # fmt: skip
_REFUSED = frozenset({"utf-7"})
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_PRESCAN = 1024  # the HTML standard's prescan window
_SNIFF = 64 * 1024
_XML_TYPES = ("xml", "rss", "atom")


def decode_text(body: bytes, media_type: str, header_charset: str | None) -> tuple[str, str]:
    """Decode a text body: BOM, then header, then in-document declaration, then sniff.

    Args:
        body: The raw (content-decoded) bytes.
        media_type: The media type, which decides where the in-document
            declaration is looked for (HTML ``<meta>`` or an XML declaration).
        header_charset: The HTTP ``Content-Type`` charset, if any.

    Returns:
        The text and the name of the codec used.
    """
    for bom, bom_codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(bom_codec, errors="replace"), bom_codec
    labels = ((header_charset, False), (_document_label(body, media_type), True))
    for label, in_document in labels:
        codec = _codec(label, in_document=in_document)
        if codec is None:
            continue
        if _single_byte(codec) and not body.isascii() and _is_utf8(body):
            return body.decode("utf-8"), "utf-8"
        # A declared label is followed, bad bytes and all, as browsers do.
        return body.decode(codec, errors="replace"), codec
    sniffed = _sniff(body)
    return body.decode(sniffed, errors="replace"), sniffed


def _document_label(body: bytes, media_type: str) -> str | None:
    xml = any(kind in media_type for kind in _XML_TYPES) and "html" not in media_type
    match = (_XML_ENCODING if xml else _META_CHARSET).search(body[:_PRESCAN])
    return match.group(1).decode("ascii") if match else None


@lru_cache(maxsize=128)
def _codec(label: str | None, *, in_document: bool) -> str | None:
    if not label:
        return None
    name = label.strip().lower()
    try:
        codec = codecs.lookup(_ALIASES.get(name, name)).name
        b"\0\0".decode(codec, "replace")  # refuses byte-to-byte codecs such as base64
    except LookupError:
        return None
    if codec in _REFUSED:
        return None
    # A UTF-16 label inside the document cannot be true of bytes it could be
    # read from as ASCII; browsers take UTF-8 instead.
    return "utf-8" if in_document and codec.startswith("utf-16") else codec


@lru_cache(maxsize=128)
def _single_byte(codec: str) -> bool:
    return len(b"\xc3\xa9".decode(codec, errors="replace")) == 2


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _mostly_utf8(sample: bytes) -> bool:
    """Valid UTF-8 but for a stray byte or two: a UTF-8 page with damage."""
    text = sample.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    multibyte = sum(1 for c in text if ord(c) > 0x7F) - bad
    return multibyte > 0 and bad <= max(1, len(text) // 1000)


def _sniff(body: bytes) -> str:
    sample = body[:_SNIFF]
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        if len(body) > _SNIFF and exc.start >= len(sample) - 3:  # a character cut in two
            return "utf-8"
    if _mostly_utf8(sample):
        return "utf-8"
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    if best is None or not best.encoding:
        return "cp1252"
    encoding: str = best.encoding
    # Short Latin texts fit several code pages equally well; windows-1252 is by
    # far the most common of them on the web, so it wins ties.
    ties = [m.encoding for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    return "cp1252" if "cp1252" in ties else _codec(encoding, in_document=False) or "cp1252"
