"""Content types per purpose, and charsets: BOM, header, in-document, sniffing."""

from __future__ import annotations

import codecs
import gzip

import pytest

from provenance.errors import ContentTypeError
from provenance.fetch.body import decode_text, parse_content_type
from tests.fetch.support import fetcher
from tests.fetch.web import Web

pytestmark = pytest.mark.anyio

HTML = b"<!DOCTYPE html><html><body>page</body></html>"
RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
PNG = b"\x89PNG\r\n\x1a\n" + bytes(50)


@pytest.mark.parametrize(
    ("purpose", "content_type", "body", "effective"),
    [
        ("page", "text/html; charset=utf-8", HTML, "text/html"),
        ("page", "TEXT/HTML; CHARSET=UTF-8", HTML, "text/html"),
        ("page", "application/xhtml+xml", HTML, "application/xhtml+xml"),
        ("page", None, HTML, "text/html"),  # missing: sniffed
        ("page", "html", HTML, "text/html"),  # malformed: sniffed
        ("page", "text/html/extra", HTML, "text/html"),
        ("page", "text/html; charset", HTML, "text/html"),
        ("page", ";;;", HTML, "text/html"),
        ("feed", "application/rss+xml", RSS, "application/rss+xml"),
        ("feed", "text/xml", RSS, "text/xml"),
        ("feed", "text/html", RSS, "text/html"),  # misconfigured feeds are common
        ("feed", "application/x-weird+xml", RSS, "application/x-weird+xml"),
        ("feed", None, RSS, "application/xml"),
        ("sitemap", "application/xml", RSS, "application/xml"),
        ("sitemap", "text/plain", b"https://a.test/1\n", "text/plain"),
        ("robots", "application/octet-stream", b"User-agent: *\n", "application/octet-stream"),
    ],
)
async def test_accepted_content_types(
    web: Web, purpose: str, content_type: str | None, body: bytes, effective: str
) -> None:
    site = web.site()
    url = site.page("/x", body, content_type=content_type)
    async with fetcher() as f:
        result = await f.fetch(url, purpose=purpose)
    assert result.content_type == effective
    assert result.text is not None


@pytest.mark.parametrize(
    ("purpose", "content_type", "body"),
    [
        ("page", "image/png", PNG),
        ("page", "image/png", HTML),  # a declared type is believed
        ("page", "application/octet-stream", PNG),
        ("page", None, PNG),
        ("page", "application/rss+xml", RSS),
        ("feed", "image/jpeg", RSS),
        ("sitemap", "text/html", HTML),
    ],
)
async def test_refused_content_types(
    web: Web, purpose: str, content_type: str | None, body: bytes
) -> None:
    site = web.site()
    url = site.page("/x", body, content_type=content_type)
    async with fetcher() as f:
        with pytest.raises(ContentTypeError, match=purpose) as caught:
            await f.fetch(url, purpose=purpose)
    assert caught.value.url == url


async def test_gzipped_sitemap_file_is_unpacked(web: Web) -> None:
    site = web.site()
    xml = b'<?xml version="1.0"?><urlset><url><loc>https://a.test/1</loc></url></urlset>'
    url = site.page("/sitemap.xml.gz", gzip.compress(xml), content_type="application/x-gzip")
    async with fetcher() as f:
        result = await f.fetch(url, purpose="sitemap")
    assert result.body == xml
    assert result.content_type == "application/xml"


CAFE = "café ☕ «quotes»"


@pytest.mark.parametrize(
    ("content_type", "body", "text", "charset"),
    [
        # BOM beats the header
        ("text/html; charset=iso-8859-1", codecs.BOM_UTF8 + CAFE.encode(), CAFE, "utf-8"),
        (
            "text/html; charset=utf-8",
            codecs.BOM_UTF16_LE + CAFE.encode("utf-16-le"),
            CAFE,
            "utf-16-le",
        ),
        # header beats meta
        (
            "text/html; charset=utf-8",
            f"<meta charset=windows-1251>{CAFE}".encode(),
            f"<meta charset=windows-1251>{CAFE}",
            "utf-8",
        ),
        # an unknown or refused header label falls through to meta
        (
            "text/html; charset=x-nonsense",
            "<meta charset=windows-1251>Привет".encode("cp1251"),
            "<meta charset=windows-1251>Привет",
            "cp1251",
        ),
        (
            "text/html; charset=utf-7",
            "<meta charset=koi8-r>Привет".encode("koi8_r"),
            "<meta charset=koi8-r>Привет",
            "koi8-r",
        ),
        ("text/html; charset=base64", b"<p>plain ascii</p>", "<p>plain ascii</p>", "utf-8"),
        # latin-1 is read as windows-1252, as browsers do
        ("text/html; charset=latin-1", "“curly” café".encode("cp1252"), "“curly” café", "cp1252"),
        # XML declaration
        (
            "application/xml",
            '<?xml version="1.0" encoding="iso-8859-15"?><a>€</a>'.encode("iso-8859-15"),
            '<?xml version="1.0" encoding="iso-8859-15"?><a>€</a>',
            "iso8859-15",
        ),
        # nothing declared: UTF-8 if it is, else sniffed
        ("text/html", CAFE.encode(), CAFE, "utf-8"),
    ],
)
def test_charset_order(content_type: str, body: bytes, text: str, charset: str) -> None:
    media_type, header = parse_content_type(content_type)
    assert media_type is not None
    assert decode_text(body, media_type, header) == (text, charset)


def test_wrong_header_charset_is_followed_with_replacement() -> None:
    # The header says UTF-8 and the bytes are latin-1: the header wins, as in browsers,
    # and the bad bytes become U+FFFD rather than an error.
    text, charset = decode_text("café".encode("latin-1"), "text/html", "utf-8")
    assert (text, charset) == ("caf\ufffd", "utf-8")


def test_undeclared_legacy_encoding_is_sniffed() -> None:
    original = "これは日本語のニュース記事です。東京で新しい展示会が開かれました。" * 4
    text, charset = decode_text(original.encode("shift_jis"), "text/html", None)
    assert text == original
    assert charset in {"shift_jis", "cp932"}


async def test_wrong_charsets_end_to_end(web: Web) -> None:
    site = web.site()
    url = site.page(
        "/a", "<html>café</html>".encode("latin-1"), content_type="text/html; charset=utf-8"
    )
    async with fetcher() as f:
        result = await f.fetch(url)
    assert result.charset == "utf-8"
    assert result.text == "<html>caf\ufffd</html>"
