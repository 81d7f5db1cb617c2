"""Feeds, sitemaps, home pages and robots.txt, read by the feeds, sitemaps and discover modules."""

from __future__ import annotations

import gzip
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from provenance.discover import discover_feeds, robots_sitemaps
from provenance.errors import ExtractionError
from provenance.feeds import FeedKind, feed_kind, parse_feed
from provenance.models import DateSource
from provenance.sitemaps import parse_sitemap
from tests.test_architecture import _PROBE, EDGE_LIBRARIES, TOLERATED

BASE = "http://outlet.test/feed.xml"
NOW = datetime(2024, 6, 1, tzinfo=UTC)

RSS20 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel>
<title>Outlet</title><link>http://outlet.test/</link>
<item><title>First story</title><link>http://outlet.test/a.html</link>
<guid isPermaLink="false">a-1</guid><pubDate>Fri, 17 May 2024 08:00:00 +0200</pubDate></item>
<item><title>Relative link</title><link>/b.html</link></item>
<item><title>Permalink guid only</title><guid>http://outlet.test/c.html</guid></item>
<item><title>No link at all</title><description>x</description></item>
<item><title>Script link</title><link>javascript:alert(1)</link></item>
<item><title>Duplicate</title><link>http://outlet.test/a.html</link></item>
</channel></rss>"""

RSS091 = b"""<?xml version="1.0"?>
<rss version="0.91"><channel><title>Old</title><link>http://outlet.test/</link>
<item><title>Old item</title><link>http://outlet.test/old.html</link></item>
</channel></rss>"""

RSS10 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
 xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="http://outlet.test/"><title>RDF</title><link>http://outlet.test/</link></channel>
<item rdf:about="http://outlet.test/r.html"><title>RDF item</title>
<link>http://outlet.test/r.html</link><dc:date>2024-05-17T06:00:00Z</dc:date></item>
</rdf:RDF>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom outlet</title>
<link rel="alternate" href="http://outlet.test/"/>
<entry><title>Published</title><id>urn:a</id>
<link rel="alternate" href="http://outlet.test/p.html"/>
<link rel="enclosure" href="http://outlet.test/p.mp3"/>
<published>2024-05-17T08:00:00+02:00</published><updated>2024-05-18T00:00:00Z</updated></entry>
<entry><title>Only updated</title><id>urn:b</id><link href="u.html"/>
<updated>2024-05-18T00:00:00Z</updated></entry>
</feed>"""

LOL_DTD = b"""<!DOCTYPE %s [
<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


def _xxe_dtd(root: str, secret: Path) -> bytes:
    return (
        f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file://{secret}">'
        f'<!ENTITY % remote SYSTEM "http://127.0.0.1:9/evil.dtd"> %remote;]>'
    ).encode()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOP-SECRET-VALUE")
    return path


# -- feeds -------------------------------------------------------------------------------


def test_rss20_items_links_dates_and_guids() -> None:
    feed = parse_feed(RSS20, base_url=BASE, now=NOW)
    assert feed.kind is FeedKind.RSS and feed.version == "rss20"
    assert feed.title == "Outlet" and feed.link == "http://outlet.test/"
    assert feed.problem is None
    urls = [e.url for e in feed.entries]
    assert urls == [
        "http://outlet.test/a.html",
        "http://outlet.test/b.html",
        "http://outlet.test/c.html",
    ]
    first = feed.entries[0]
    assert first.guid == "a-1" and first.title == "First story"
    assert first.published is not None
    assert first.published.value == datetime(2024, 5, 17, 6, 0, tzinfo=UTC)
    assert first.published.source is DateSource.FEED and first.published.trust == 0.8
    assert "pubDate" in first.published.detail
    assert feed.entries[1].published is None
    assert feed.skipped == 2  # no link, and a javascript: link


def test_rss091_and_rss10() -> None:
    old = parse_feed(RSS091, base_url=BASE, now=NOW)
    assert old.kind is FeedKind.RSS
    assert old.version.startswith("rss09")
    assert [e.url for e in old.entries] == ["http://outlet.test/old.html"]
    rdf = parse_feed(RSS10, base_url=BASE, now=NOW)
    assert rdf.kind is FeedKind.RSS and rdf.version == "rss10"
    entry = rdf.entries[0]
    assert entry.url == "http://outlet.test/r.html"
    assert entry.published is not None
    assert entry.published.value == datetime(2024, 5, 17, 6, 0, tzinfo=UTC)


def test_atom_published_beats_updated_and_updated_alone_is_weak() -> None:
    feed = parse_feed(ATOM, base_url=BASE, now=NOW)
    assert feed.kind is FeedKind.ATOM and feed.version == "atom10"
    first, second = feed.entries
    assert first.url == "http://outlet.test/p.html" and first.guid == "urn:a"
    assert first.published is not None
    assert first.published.value == datetime(2024, 5, 17, 6, 0, tzinfo=UTC)
    assert second.url == "http://outlet.test/u.html"  # relative to the feed URL
    assert second.published is not None
    assert second.published.trust < 0.5 and "update" in second.published.detail


def test_future_dates_are_dropped() -> None:
    data = RSS20.replace(b"Fri, 17 May 2024", b"Sat, 17 May 2031")
    assert parse_feed(data, base_url=BASE, now=NOW).entries[0].published is None


def test_malformed_feed_is_read_leniently_with_a_reason() -> None:
    broken = RSS20.replace(b"</channel></rss>", b"<item><title>cut")
    feed = parse_feed(broken, base_url=BASE, now=NOW)
    assert feed.problem is not None and "SAX" in feed.problem
    assert feed.entries[0].url == "http://outlet.test/a.html"


@pytest.mark.parametrize(
    "data",
    [b"", b"<html><body><p>Hello</p></body></html>", b'{"items": []}', b"\x89PNG\r\n\x1a\n\x00"],
)
def test_not_a_feed_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(ExtractionError, match="not an RSS or Atom feed"):
        parse_feed(data, base_url=BASE)


def test_broken_feed_without_items_is_an_error() -> None:
    with pytest.raises(ExtractionError, match="malformed feed"):
        parse_feed(b'<rss version="2.0"><channel><title>x</ti', base_url=BASE)


def test_wrong_declared_encoding_is_tolerated_and_reported() -> None:
    # Declared UTF-8, written in windows-1252: feedparser falls back and says so.
    data = RSS20.replace(b"First story", "Première édition".encode("cp1252"))
    feed = parse_feed(data, base_url=BASE, now=NOW)
    assert feed.entries[0].url == "http://outlet.test/a.html"
    assert feed.problem is not None and "Encoding" in feed.problem


def test_http_charset_is_weighed() -> None:
    data = RSS20.replace(b' encoding="utf-8"', b"").replace(
        b"First story", "Первая новость".encode("koi8-r")
    )
    feed = parse_feed(data, base_url=BASE, content_type="text/xml; charset=koi8-r", now=NOW)
    assert feed.entries[0].title == "Первая новость"


def test_utf16_feed_with_bom() -> None:
    data = RSS20.decode("utf-8").replace('encoding="utf-8"', 'encoding="utf-16"')
    feed = parse_feed(data.encode("utf-16"), base_url=BASE, now=NOW)
    assert feed.entries[0].url == "http://outlet.test/a.html"


def test_mislabelled_content_type_is_no_problem() -> None:
    assert parse_feed(RSS20, base_url=BASE, content_type="text/html").problem is None


def test_feed_billion_laughs_does_not_expand() -> None:
    data = RSS20.replace(b"<rss", LOL_DTD % b"rss" + b"<rss", 1).replace(
        b"<title>Outlet</title>", b"<title>&lol9;</title>"
    )
    started = time.monotonic()
    feed = parse_feed(data, base_url=BASE, now=NOW)
    assert time.monotonic() - started < 2
    assert feed.title is None or len(feed.title) < 100
    assert feed.entries[0].url == "http://outlet.test/a.html"


def test_feed_external_entities_are_not_read(secret: Path) -> None:
    data = RSS20.replace(b"<rss", _xxe_dtd("rss", secret) + b"<rss", 1).replace(
        b"First story", b"First &xxe; story"
    )
    feed = parse_feed(data, base_url=BASE, now=NOW)
    assert all("TOP-SECRET" not in (e.title or "") for e in feed.entries)


def test_feed_bytes_that_name_a_file_are_not_opened(secret: Path) -> None:
    # feedparser opens a path given as bytes; we must hand it a stream.
    with pytest.raises(ExtractionError):
        parse_feed(str(secret).encode(), base_url=BASE)


def test_feed_bytes_that_look_like_a_url_are_not_fetched() -> None:
    with pytest.raises(ExtractionError):
        parse_feed(b"http://127.0.0.1:9/feed.xml", base_url=BASE)


# -- sitemaps ----------------------------------------------------------------------------

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>http://outlet.test/n1.html</loc><lastmod>2024-05-18</lastmod>
<news:news><news:publication><news:name>Outlet</news:name><news:language>en</news:language></news:publication>
<news:publication_date>2024-05-17T08:00:00+02:00</news:publication_date>
<news:title>News one</news:title></news:news></url>
<url><loc> /n2.html </loc><lastmod>2024-05-17T10:30:00Z</lastmod></url>
<url><loc>ftp://outlet.test/file</loc></url>
<url><lastmod>2024-05-17</lastmod></url>
<url><loc>http://outlet.test/n1.html</loc></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>http://outlet.test/sitemap-2024-05.xml</loc><lastmod>2024-05-31</lastmod></sitemap>
<sitemap><loc>http://outlet.test/sitemap-2024-04.xml.gz</loc></sitemap>
</sitemapindex>"""


def test_news_sitemap_dates_titles_and_lastmod() -> None:
    sitemap = parse_sitemap(NEWS_SITEMAP, base_url="http://outlet.test/sitemap.xml", now=NOW)
    assert sitemap.kind is FeedKind.SITEMAP
    assert [e.url for e in sitemap.entries] == [
        "http://outlet.test/n1.html",
        "http://outlet.test/n2.html",
    ]
    first, second = sitemap.entries
    assert first.published is not None
    assert first.published.value == datetime(2024, 5, 17, 6, 0, tzinfo=UTC)
    assert first.published.source is DateSource.FEED
    assert "news:publication_date" in first.published.detail
    assert first.title == "News one"
    assert first.lastmod == datetime(2024, 5, 18, tzinfo=UTC)
    assert second.published is None  # lastmod is a change time, not a publication date
    assert second.lastmod == datetime(2024, 5, 17, 10, 30, tzinfo=UTC)
    assert sitemap.skipped == 2


def test_sitemap_index() -> None:
    index = parse_sitemap(INDEX, base_url="http://outlet.test/sitemap_index.xml", now=NOW)
    assert index.kind is FeedKind.SITEMAP_INDEX
    assert [e.url for e in index.entries] == [
        "http://outlet.test/sitemap-2024-05.xml",
        "http://outlet.test/sitemap-2024-04.xml.gz",
    ]
    assert index.entries[0].lastmod == datetime(2024, 5, 31, tzinfo=UTC)


def test_sitemap_without_namespace() -> None:
    data = b"<urlset><url><loc>http://outlet.test/x.html</loc></url></urlset>"
    assert parse_sitemap(data, base_url=BASE).entries[0].url == "http://outlet.test/x.html"


def test_gzipped_sitemap_and_gzip_bomb() -> None:
    packed = gzip.compress(NEWS_SITEMAP)
    assert len(parse_sitemap(packed, base_url=BASE, now=NOW).entries) == 2
    bomb = gzip.compress(b"<urlset>" + b" " * (8 * 1024 * 1024))
    with pytest.raises(ExtractionError, match="decompressed"):
        parse_sitemap(bomb, base_url=BASE, max_bytes=1024 * 1024)
    with pytest.raises(ExtractionError, match="truncated gzip"):
        parse_sitemap(packed[: len(packed) // 2], base_url=BASE)
    with pytest.raises(ExtractionError, match="not valid gzip"):
        parse_sitemap(packed[:10] + b"\xff" * 40, base_url=BASE)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "not well-formed|empty"),
        (b"<urlset><url><loc>x</loc>", "not well-formed"),
        (b"<html><body/></html>", "not a sitemap"),
        (RSS20, "not a sitemap"),
    ],
)
def test_bad_sitemaps_are_clear_errors(data: bytes, match: str) -> None:
    with pytest.raises(ExtractionError, match=match):
        parse_sitemap(data, base_url=BASE)


def test_sitemap_billion_laughs_is_refused() -> None:
    data = LOL_DTD % b"urlset" + b"<urlset><url><loc>http://outlet.test/&lol9;</loc></url></urlset>"
    started = time.monotonic()
    try:
        sitemap = parse_sitemap(data, base_url=BASE)
    except ExtractionError:
        pass  # refused outright by libxml2's amplification guard
    else:  # or left unexpanded
        assert all(len(e.url) < 200 for e in sitemap.entries)
    assert time.monotonic() - started < 2


def test_sitemap_external_entities_are_not_read(secret: Path) -> None:
    data = _xxe_dtd("urlset", secret) + (
        b"<urlset><url><loc>http://outlet.test/a?&xxe;</loc></url><url><loc>&xxe;</loc></url></urlset>"
    )
    sitemap = parse_sitemap(data, base_url=BASE)
    assert all("TOP-SECRET" not in e.url for e in sitemap.entries)
    assert [e.url for e in sitemap.entries] == ["http://outlet.test/a"]


def test_sitemap_url_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("provenance.sitemaps.MAX_SITEMAP_URLS", 3)
    data = (
        b"<urlset>"
        + b"".join(b"<url><loc>http://outlet.test/%d</loc></url>" % i for i in range(5))
        + b"</urlset>"
    )
    sitemap = parse_sitemap(data, base_url=BASE)
    assert len(sitemap.entries) == 3 and sitemap.skipped == 2


# -- kinds, home pages, robots.txt ------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (RSS20, FeedKind.RSS),
        (RSS10, FeedKind.RSS),
        (ATOM, FeedKind.ATOM),
        (NEWS_SITEMAP, FeedKind.SITEMAP),
        (INDEX, FeedKind.SITEMAP_INDEX),
        (gzip.compress(NEWS_SITEMAP), FeedKind.SITEMAP),
        (b"\xef\xbb\xbf<?xml version='1.0'?>\n<!-- hi --><rss/>", FeedKind.RSS),
        (b"<!DOCTYPE html><html><head></head></html>", None),
        (b"", None),
    ],
)
def test_feed_kind(data: bytes, kind: FeedKind | None) -> None:
    assert feed_kind(data) is kind


def test_discover_feeds_from_links_then_usual_paths() -> None:
    html = """<html><head>
    <link rel="alternate" type="application/rss+xml" href="/rss/news.xml">
    <link rel="Alternate" type="application/atom+xml; charset=utf-8" href="http://outlet.test/atom">
    <link rel="alternate" type="text/html" href="/fr/">
    <link rel="stylesheet" type="application/rss+xml" href="/not-a-feed">
    <link rel="alternate" type="application/rss+xml" href="javascript:void(0)">
    </head><body></body></html>"""
    found = discover_feeds(html, base_url="http://outlet.test/news/")
    assert found[:2] == ["http://outlet.test/rss/news.xml", "http://outlet.test/atom"]
    assert "http://outlet.test/feed" in found and "http://outlet.test/rss.xml" in found
    assert len(found) == len(set(found))


def test_discover_feeds_copes_with_junk_and_declared_encodings() -> None:
    assert discover_feeds("", base_url="http://outlet.test/")[0] == "http://outlet.test/feed"
    html = (
        '<?xml version="1.0" encoding="utf-8"?><html><head>'
        '<link rel="alternate" type="application/rss+xml" href="f.xml"/></head></html>'
    )
    assert discover_feeds(html, base_url="http://outlet.test/")[0] == "http://outlet.test/f.xml"


def test_robots_sitemaps() -> None:
    robots = """User-agent: *
Disallow: /private
Sitemap: http://outlet.test/sitemap_index.xml
sitemap:/news-sitemap.xml
  SITEMAP :  http://outlet.test/sitemap_index.xml
# Sitemap: http://outlet.test/commented.xml
Sitemap: mailto:x@y
"""
    assert robots_sitemaps(robots, base_url="http://outlet.test/robots.txt") == [
        "http://outlet.test/sitemap_index.xml",
        "http://outlet.test/news-sitemap.xml",
    ]


@pytest.mark.parametrize(
    "module",
    ["provenance.feeds", "provenance.sitemaps", "provenance.discover", "provenance.schedule"],
)
def test_pure_modules_import_no_edge_library(module: str) -> None:
    import json

    done = subprocess.run(
        [sys.executable, "-c", _PROBE, module, json.dumps(EDGE_LIBRARIES)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    loaded: dict[str, str] = json.loads(done.stdout)
    assert {edge: by for edge, by in loaded.items() if (edge, by) not in TOLERATED} == {}
