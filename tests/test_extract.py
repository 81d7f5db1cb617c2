"""Tests of HTML and plain-text extraction, on saved pages."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

from provenance.boilerplate import BoilerplateModel
from provenance.dates import best_publication_date
from provenance.errors import ExtractionError
from provenance.extract import _retag_guess, extract_html, extract_text
from provenance.models import DATE_TRUST, DateClaim, DateSource

RESOURCES = Path(__file__).parent / "resources" / "extract"
NOW = datetime(2024, 5, 20, 12, 0, tzinfo=UTC)
# Cyrillic is spelled with escapes: many letters look like Latin ones.
RIA = "\u0420\u0418\u0410 \u041d\u043e\u0432\u043e\u0441\u0442\u0438"  # RIA Novosti
RU_TITLE = (  # "The mayor's office opened a new park"
    "\u041c\u044d\u0440\u0438\u044f \u043e\u0442\u043a\u0440\u044b\u043b\u0430"
    " \u043d\u043e\u0432\u044b\u0439 \u043f\u0430\u0440\u043a"
)
RU_TREES = "\u0442\u0440\u0451\u0445 \u0442\u044b\u0441\u044f\u0447"  # "three thousand"
RU_HELLO = "\u041f\u0440\u0438\u0432\u0435\u0442 \u043c\u0438\u0440"  # "Hello world"
ARTICLE_URL = "https://www.dailyplanet.example/news/2024/05/17/harbour-bridge-closure/"


def load(name: str) -> bytes:
    return (RESOURCES / name).read_bytes()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("extraction must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.usefixtures("no_network")
def test_semantic_page_metadata() -> None:
    page = extract_html(load("jsonld_article.html"), url=ARTICLE_URL, now=NOW)
    assert page.title == "Harbour bridge to close for six months from June"
    assert page.byline == "Lois Lane, Clark Kent"
    assert page.site_name == "The Daily Planet"  # og:site_name beats JSON-LD publisher
    assert page.canonical_url == (
        "https://www.dailyplanet.example/news/2024/05/17/harbour-bridge-closure"
    )
    assert page.language == "en-gb"


def test_semantic_page_blocks_are_the_article_paragraphs_in_order() -> None:
    page = extract_html(load("jsonld_article.html"), url=ARTICLE_URL, now=NOW)
    assert page.blocks[1].startswith("The harbour bridge, the city's busiest crossing")
    assert page.blocks[-1] == "Source: Wire Agency"
    assert len([b for b in page.blocks if b.startswith(("About", "Local", "The mayor"))]) == 3
    text = page.text
    assert "corrosion on 40 of the 120 cables, some of it severe" in text
    for junk in ("Follow us", "Tram strike called off", "All rights reserved", "body {"):
        assert junk not in text


def test_semantic_page_dates() -> None:
    page = extract_html(load("jsonld_article.html"), url=ARTICLE_URL, now=NOW)
    sources = [claim.source for claim in page.dates]
    assert sources[:3] == [DateSource.JSONLD, DateSource.META, DateSource.TIME_TAG]
    assert DateSource.COPYRIGHT in sources
    published = datetime(2024, 5, 17, 7, 30, tzinfo=UTC)
    assert all(c.value == published for c in page.dates[:3])
    best = best_publication_date(page.dates)
    assert best is not None
    assert best.source is DateSource.JSONLD
    assert best.detail == "datePublished=2024-05-17T07:30:00Z"
    # The related-stories <time> sits outside the article and is not a claim.
    assert all(c.value.day != 16 for c in page.dates)


def test_semantic_page_links_and_sources() -> None:
    page = extract_html(load("jsonld_article.html"), url=ARTICLE_URL, now=NOW)
    assert page.links == (
        "https://www.transport-authority.example/reports/cables-2024.pdf",
        "https://chamber.example/press/bridge",
        "https://www.dailyplanet.example/news/2023/11/02/bridge-inspection",
    )
    assert page.declared_sources == ("Wire Agency", "wire-agency.example")


def test_jsonld_publisher_is_the_site_name_fallback() -> None:
    html = load("jsonld_article.html").replace(
        b'<meta property="og:site_name" content="The Daily Planet">', b""
    )
    page = extract_html(html, url=ARTICLE_URL, now=NOW)
    assert page.site_name == "Daily Planet Media Group"


def test_jsonld_source_organization_and_list_forms() -> None:
    html = b"""<html><head><script type="application/ld+json">[
      {"@type": "WebSite", "name": "Site"},
      {"@type": "http://schema.org/ReportageNewsArticle", "headline": "Wire story",
       "datePublished": "2024-05-01T10:00:00+02:00", "author": "Ann Reporter",
       "sourceOrganization": {"@type": "Organization", "name": "Agence Wire"},
       "isBasedOn": {"@type": "CreativeWork", "name": "A title, not an outlet",
                     "publisher": {"name": "Origin Times"}}}
    ]</script></head><body><article><p>Text of the wire story, long enough.</p>
    </article></body></html>"""
    page = extract_html(html, url="https://copy.example/a", now=NOW)
    assert page.title == "Wire story"
    assert page.byline == "Ann Reporter"
    assert page.dates[0].source is DateSource.JSONLD
    assert page.dates[0].value == datetime(2024, 5, 1, 8, tzinfo=UTC)
    assert page.declared_sources == ("Origin Times", "Agence Wire")


def test_og_url_is_the_canonical_fallback() -> None:
    html = b"""<html><head><meta property="og:url" content="//m.example/a/?fbclid=1">
    </head><body><p>Some body text here.</p></body></html>"""
    page = extract_html(html, url="https://www.example/a", now=NOW)
    assert page.canonical_url == "https://m.example/a"


def test_boilerplate_learned_from_div_pages_is_stripped() -> None:
    pages = [
        extract_html(load(f"divs_page_{n}.html"), url=f"https://outlet.test/city/{n}", now=NOW)
        for n in range(1, 5)
    ]
    cookie = "We use cookies to give you the best experience"
    footer = "© 2024 Planet Media Ltd. All rights reserved."
    # trafilatura keeps the chrome of pages without semantic markup ...
    assert all(any(b.startswith(cookie) for b in page.blocks) for page in pages)
    assert all(any(b.startswith(footer) for b in page.blocks) for page in pages)
    model = BoilerplateModel(min_pages=3)
    for page in pages[:3]:
        model.observe(page.blocks)
    # ... and the model learned on three pages strips it from the fourth.
    body = model.strip(pages[3].blocks)
    assert body == [
        "Port strike ends with pay deal",
        "Published 2024-03-25",
        "Dock workers returned to work on Wednesday after their union accepted a pay offer "
        "that ends a ten-day strike which had left dozens of ships waiting at anchor.",
        "The deal gives workers a rise of six per cent this year and four per cent next "
        "year, as well as new limits on night shifts.",
        "Port managers said it would take about two weeks to clear the backlog of "
        "containers, and warned that some shops could see shortages of fresh fruit.",
        "Both sides said they would meet again in the autumn to discuss automation of "
        "the container terminals.",
    ]


def test_div_page_has_only_a_guessed_date() -> None:
    page = extract_html(load("divs_page_1.html"), url="https://outlet.test/city/1", now=NOW)
    best = best_publication_date(page.dates)
    assert best is not None
    assert best.source is DateSource.HEURISTIC
    assert best.value == datetime(2024, 3, 4, tzinfo=UTC)
    assert page.canonical_url is None
    # No site-name metadata: the name comes from the title, "Headline - Daily Planet".
    assert page.site_name == "Daily Planet"


def _titled(title: str, headline: str) -> str:
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{headline}</h1>"
        "<p>The council approved the plan on Monday after a long debate about costs.</p>"
        "<p>Work on the new lanes starts in the spring and should end by the autumn.</p>"
        "</article></body></html>"
    )


_LANES = "Council approves new cycle lanes"


@pytest.mark.parametrize(
    ("title", "headline", "expected"),
    [
        (f"{_LANES} | Daily Planet", _LANES, "Daily Planet"),
        (f"Daily Planet \u2014 {_LANES}", _LANES, "Daily Planet"),
        (
            "\u672c\u5e02\u65b0\u589e\u81ea\u884c\u8f66\u9053 | \u65b0\u57ce\u665a\u62a5",
            "\u672c\u5e02\u65b0\u589e\u81ea\u884c\u8f66\u9053",
            "\u65b0\u57ce\u665a\u62a5",
        ),
        # A dash inside the headline is not a site name, nor is a title without one.
        (f"{_LANES} - and a bus lane", f"{_LANES} - and a bus lane", None),
        (_LANES, _LANES, None),
        # Nor is the end of a title that is not the headline.
        (f"City news - {_LANES}", "Cycle lanes approved", None),
    ],
)
def test_site_name_from_the_title_only_beside_the_headline(
    title: str, headline: str, expected: str | None
) -> None:
    page = extract_html(_titled(title, headline), url="https://outlet.test/a/1", now=NOW)
    assert page.site_name == expected


def test_copyright_line_is_no_publication_date() -> None:
    page = extract_html(load("copyright_only.html"), url="https://gazette.example/m", now=NOW)
    assert [c.source for c in page.dates] == [DateSource.COPYRIGHT]
    assert page.dates[0].value == datetime(2021, 1, 1, tzinfo=UTC)
    assert page.dates[0].trust == 0.0
    assert best_publication_date(page.dates) is None
    assert page.declared_sources == ()


def guess(value: datetime) -> DateClaim:
    return DateClaim(value, DateSource.HEURISTIC, DATE_TRUST[DateSource.HEURISTIC], "guess=x")


def test_guess_equal_to_copyright_year_is_retagged() -> None:
    claim = _retag_guess(guess(datetime(2021, 1, 1, tzinfo=UTC)), ["2021"], True, NOW)
    assert claim.source is DateSource.COPYRIGHT
    assert claim.trust == 0.0


def test_guess_of_today_without_evidence_is_retagged() -> None:
    today = datetime(2024, 5, 20, tzinfo=UTC)
    claim = _retag_guess(guess(today), [], False, NOW)
    assert claim.source is DateSource.FETCHED
    assert claim.trust == 0.0
    assert _retag_guess(guess(today), [], True, NOW).source is DateSource.HEURISTIC
    other = datetime(2024, 5, 2, tzinfo=UTC)
    assert _retag_guess(guess(other), ["2024"], False, NOW).source is DateSource.HEURISTIC


def test_cp1251_page_declared_in_meta() -> None:
    page = extract_html(load("cp1251_ru.html"), url="https://news.example.ru/park", now=NOW)
    assert page.title == RU_TITLE
    assert RU_TREES in page.text
    assert page.declared_sources == (RIA,)
    assert page.language == "ru"


def test_header_charset_beats_meta() -> None:
    html = f'<html><head><meta charset="utf-8"></head><body><p>{RU_HELLO}</p></body></html>'
    page = extract_html(html.encode("koi8-r"), url="https://a.example/", declared_encoding="KOI8-R")
    assert page.blocks == (RU_HELLO,)


def test_utf8_bom_beats_a_wrong_meta_and_header() -> None:
    page = extract_html(
        load("bom_wrong_meta.html"), url="https://z.example.ch/cafe", declared_encoding="cp1252"
    )
    assert page.title == "Zürcher Café schließt nach 120 Jahren"
    assert "\u201eHier haben schon meine Großeltern" in page.text
    assert "\u00c3" not in page.text  # no mojibake
    assert page.declared_sources == ("dpa",)


def test_utf8_bytes_labelled_latin1_are_read_as_utf8() -> None:
    html = '<html><head><meta charset="iso-8859-1"></head><body><p>Café naïve</p></body></html>'
    page = extract_html(html.encode("utf-8"), url="https://a.example/")
    assert page.blocks == ("Café naïve",)


def test_undeclared_legacy_bytes_are_detected() -> None:
    text = "Été à Montréal : les festivals débutent, les cafés débordent."
    html = f"<html><body><p>{text}</p></body></html>".encode("cp1252")
    page = extract_html(html, url="https://a.example/")
    assert page.blocks == (text,)


def test_chinese_page() -> None:
    page = extract_html(load("chinese.html"), url="https://www.news.example.cn/a/1.html", now=NOW)
    assert page.title == "\u957f\u6c5f\u6d41\u57df\u8fce\u6765\u5f3a\u964d\u96e8"
    assert page.language == "zh-cn"
    assert page.declared_sources == ("\u65b0\u534e\u793e",)
    assert any("\u6c34\u5229\u90e8\u95e8\u8868\u793a" in block for block in page.blocks)
    best = best_publication_date(page.dates)
    assert best is not None
    assert best.source is DateSource.META
    assert best.value == datetime(2024, 5, 17, 9, 30, tzinfo=UTC)


def test_malformed_html_still_extracts() -> None:
    html = (
        b"<html><body><div><p>First paragraph of a broken page that never closes <b>bold "
        b"<i>italic<p>Second paragraph with garbage \xff\xfe\x00\x01 bytes inside it."
        b"<div><p>Third"
    )
    page = extract_html(html, url="https://a.example/")
    assert page.blocks[0] == "First paragraph of a broken page that never closes bold italic"
    assert page.blocks[1].startswith("Second paragraph with garbage")
    assert page.blocks[-1] == "Third"


def test_xhtml_with_xml_declaration() -> None:
    html = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>Hello XHTML.</p></body></html>'
    )
    assert extract_html(html, url="https://a.example/").blocks == ("Hello XHTML.",)


def test_entities_are_never_resolved() -> None:
    html = (
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        b"<html><body><p>&e; here</p></body></html>"
    )
    page = extract_html(html, url="https://a.example/")
    assert "root:" not in page.text
    assert "&e; here" in page.text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty document"),
        (b"  \n\t ", "empty document"),
        ("", "empty document"),
        (b'{"json": true}', "no HTML markup"),
        (b"%PDF-1.4\n" + bytes(range(256)) * 20, "binary content"),
        (b"<!-- only a comment -->", "unparseable HTML"),
    ],
)
def test_not_html_raises_extraction_error(body: bytes | str, reason: str) -> None:
    with pytest.raises(ExtractionError, match=reason):
        extract_html(body, url="https://a.example/")


def test_page_without_text_has_no_blocks() -> None:
    html = (
        b'<html><head><title>Empty</title><link rel="canonical" href="/c"></head>'
        b"<body></body></html>"
    )
    page = extract_html(html, url="https://a.example/x")
    assert page.blocks == ()
    assert page.title == "Empty"
    assert page.canonical_url == "https://a.example/c"


def test_bad_page_url_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="http"):
        extract_html(b"<p>x</p>", url="file:///tmp/x.html")


def test_naive_now_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        extract_html(b"<p>x</p>", url="https://a.example/", now=datetime(2024, 5, 20))


def test_base_href_and_nav_links() -> None:
    html = b"""<html><head><base href="https://cdn.example/root/"></head><body>
    <nav><a href="https://a.example/world/">World</a></nav>
    <p>Read <a href="story">the story</a>, <a href="https://a.example/tag/x/">tagged</a>,
    <a href="https://a.example/">home</a> and <a href="https://other.example/p?utm_source=x#f">this</a>.</p>
    </body></html>"""
    page = extract_html(html, url="https://a.example/page")
    # Relative links follow <base href>; nav, the home page and tag pages are dropped.
    assert page.links == ("https://cdn.example/root/story", "https://other.example/p")


def test_extract_text_splits_on_blank_lines() -> None:
    page = extract_text(
        "WASHINGTON (Reuters) - First para\nstill first.\r\n\r\n  Second  para. \n\n\nSource: AP",
        title="  A  title ",
    )
    assert page.blocks == (
        "WASHINGTON (Reuters) - First para\nstill first.",
        "Second para.",
        "Source: AP",
    )
    assert page.title == "A title"
    assert page.declared_sources == ("Reuters", "AP")
    assert page.dates == ()


def test_extract_text_splits_on_lines_without_blank_lines() -> None:
    assert extract_text("one\ntwo\n  three  ").blocks == ("one", "two", "three")


def test_extract_text_empty_is_an_error() -> None:
    with pytest.raises(ExtractionError, match="empty text"):
        extract_text(" \n\n ")


def test_a_short_page_keeps_its_paragraphs_and_its_credit_line() -> None:
    # Under 250 characters of text trafilatura distrusts its extraction and its
    # last fallback runs the article into one paragraph, credit line and all.
    html = (
        "<html lang='zh'><head><title>动物园为老虎安装加热器 | Global Wire</title></head><body>"
        "<header><a href='https://globalwire.test'>Global Wire</a><nav><ul>"
        "<li><a href='https://globalwire.test/s/1'>World</a></li>"
        "<li><a href='https://globalwire.test/s/2'>Business</a></li></ul></nav></header>"
        "<div class='cookie-banner'><p>We use cookies on Global Wire.</p></div>"
        "<main><article><h1>动物园为老虎安装加热器</h1>"
        "<time datetime='2024-06-20T13:56:36+00:00'>Published 20.06.2024 13:56</time>"
        "<div class='text'><p>Originally published by World Feed</p>"
        "<p>对于动物园里的鹿，当局已经放置稻草来保持体温。</p>"
        "<p>据新闻社报道，负责动物园的饲养员说，加热器对鹿不利。</p>"
        "<p>Read more at <a href='https://worldfeed.test/a/1'>World Feed</a></p>"
        "</div></article></main><footer><p>© 2024 Global Wire.</p></footer></body></html>"
    )
    page = extract_html(html, url="https://globalwire.test/a/2", now=NOW)
    assert "Originally published by World Feed" in page.blocks
    assert page.blocks[-1] == "Read more at World Feed"
    assert page.declared_sources == ("World Feed",)
