"""Extraction: from a fetched HTML page (or a plain-text record) to an article.

trafilatura finds the body text, as paragraphs in reading order, and guesses a
date (:mod:`provenance.body_text`); lxml reads what the page declares about
itself: the canonical link, the site name, JSON-LD, date meta tags, ``<time>``
tags, a printed dateline (:mod:`provenance.printed_dates`), the language and
the links of the article body. Every date becomes a
:class:`~provenance.models.DateClaim` tagged with its source, so the tracer can
weigh a JSON-LD date above a guess.

On pages without semantic markup trafilatura keeps menus, cookie notices and
footers in the body; they are removed later, per outlet, by
:class:`~provenance.boilerplate.BoilerplateModel`. Extraction favours recall so
that no real paragraph of such pages is lost.

Empty input (nothing but whitespace) and bodies that are not HTML (binary data,
text without a single tag) raise :class:`~provenance.errors.ExtractionError`. A
real HTML page without any text gives an :class:`ExtractedPage` with no blocks:
its metadata (canonical link, dates) can still be worth keeping.

No I/O: trafilatura gets an already-parsed tree and never fetches, and the HTML
parser never touches the network.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from lxml import etree  # type: ignore[import-untyped]
from lxml import html as lxml_html

from provenance.body_text import document_attr, document_blocks, run_trafilatura, tidy
from provenance.charset import decode_text
from provenance.dates import parse_date, rank_dates
from provenance.declared import find_declared_sources
from provenance.errors import ExtractionError
from provenance.jsonld import find_article, jsonld_names, jsonld_objects, jsonld_sources
from provenance.models import DATE_TRUST, DateClaim, DateSource, ExtractedPage
from provenance.normalize import normalize_text
from provenance.printed_dates import printed_dates
from provenance.urls import absolute_url, normalize_url

__all__ = ["extract_html", "extract_text"]

_MAX_CHARS = 20_000_000
_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*>")
_TAG_RE = re.compile(r"<\s*[A-Za-z!/]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
#: Above this share of control characters the body is binary, not HTML.
_MAX_CONTROL_SHARE = 0.05
_BLANK_LINE_RE = re.compile(r"\n[^\S\n]*\n")
#: What sites put between the headline and their name in ``<title>``.
_TITLE_SEPARATORS = (" | ", " - ", " \u2013 ", " \u2014 ", " \u00b7 ", " :: ")
_MAX_SITE_NAME = 60

_META_DATE_KEYS = (
    "article:published_time", "og:published_time", "datepublished", "pubdate", "publishdate",
    "date", "dc.date.issued", "dcterms.issued", "sailthru.date", "parsely-pub-date",
)  # fmt: skip
_COPYRIGHT_RE = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:(?:19|20)\d{2}\s*[-\u2013/]\s*)?((?:19|20)\d{2})", re.I
)
#: Same-host paths that lead to listings, not to an article.
_NAV_SEGMENTS = frozenset(
    {"tag", "tags", "category", "categories", "topic", "topics", "section", "author", "search"}
)
_NOT_NAV = "@href and not(ancestor::nav or ancestor::header or ancestor::footer or ancestor::aside)"

_WEB = ("http", "https")
_local = threading.local()


def extract_html(
    html: str | bytes,
    *,
    url: str,
    declared_encoding: str | None = None,
    now: datetime | None = None,
) -> ExtractedPage:
    """Extract the article of an HTML page.

    Bytes are decoded honestly: a byte-order mark wins, then
    ``declared_encoding`` (the HTTP header), then ``<meta charset>``, then
    detection. A single-byte label loses to bytes that are valid, non-ASCII
    UTF-8, the most common mislabelling by far.

    Args:
        html: The page, as fetched (bytes) or already decoded.
        url: The page's address; relative links resolve against it.
        declared_encoding: The charset of the HTTP ``Content-Type`` header, if any.
        now: The present, for rejecting future dates; the system clock if None.

    Returns:
        The extracted page; ``blocks`` is empty for a page without text.

    Raises:
        ExtractionError: The body is empty, binary, not HTML, or cannot be parsed.
        ValueError: ``url`` is not an absolute http(s) URL, or ``now`` is naive.
    """
    normalize_url(url)  # bad arguments fail before any work is done
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    text = decode_text(html, "text/html", declared_encoding)[0] if isinstance(html, bytes) else html
    tree = _parse(text)
    base = _base_url(tree, url)
    metas = _metas(tree)
    objects = jsonld_objects(tree)
    article = find_article(objects)
    document = run_trafilatura(tree, url, now)
    blocks = document_blocks(document)
    claims = _declared_dates(tree, metas, article, now) + printed_dates(tree, now=now)
    claims += _guessed_dates(tree, document, claims, now)
    return ExtractedPage(
        blocks=blocks,
        title=_clean(article.get("headline"))
        or _clean(document_attr(document, "title"))
        or _title(tree),
        byline=", ".join(jsonld_names(article.get("author"), objects))
        or _clean(document_attr(document, "author")),
        site_name=_first(metas.get("og:site_name"))
        or _first(jsonld_names(article.get("publisher"), objects))
        or _title_site_name(tree, _clean(document_attr(document, "title"))),
        canonical_url=_canonical(tree, metas, base),
        language=_language(tree, metas),
        dates=rank_dates(claims),
        declared_sources=_dedupe(
            [*find_declared_sources(blocks), *jsonld_sources(article, objects)]
        ),
        links=_links(tree, document, base, url),
    )


def extract_text(text: str, *, title: str | None = None) -> ExtractedPage:
    """Build an article from a plain-text record.

    Blocks are split on blank lines, or on single line breaks when the text has
    no blank line. Dates are left to the caller, who knows the record's fields.

    Args:
        text: The article text.
        title: The record's headline, if any.

    Returns:
        The page, with blocks and declared sources.

    Raises:
        ExtractionError: The text is empty.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ExtractionError("empty text: nothing to extract")
    parts = _BLANK_LINE_RE.split(text) if _BLANK_LINE_RE.search(text) else text.split("\n")
    blocks = tuple(block for part in parts if (block := tidy(part)))
    return ExtractedPage(
        blocks=blocks, title=_clean(title), declared_sources=find_declared_sources(blocks)
    )


# -- decoding and parsing -----------------------------------------------------


def _parse(text: str) -> Any:
    if not text.strip():
        raise ExtractionError("empty document: nothing to extract")
    if len(text) > _MAX_CHARS:
        raise ExtractionError(f"document too large: {len(text)} characters")
    sample = text[:4096]
    if len(_CONTROL_RE.findall(sample)) > _MAX_CONTROL_SHARE * len(sample):
        raise ExtractionError("binary content, not HTML")
    if not _TAG_RE.search(text):
        raise ExtractionError("no HTML markup found (plain text needs extract_text)")
    # libxml2 stops at a NUL and refuses an encoding declaration in a str.
    text = _XML_DECL_RE.sub("", _CONTROL_RE.sub("", text), count=1)
    try:
        tree = lxml_html.document_fromstring(text, parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise ExtractionError(f"unparseable HTML: {exc}") from exc
    if tree is None:
        raise ExtractionError("unparseable HTML: no document element")
    return tree


def _parser() -> Any:
    # lxml parsers must not be shared between threads: one per thread.
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = lxml_html.HTMLParser(
            no_network=True, huge_tree=False, remove_comments=True, remove_pis=True
        )
        _local.parser = parser
    return parser


# -- declared metadata --------------------------------------------------------


def _metas(tree: Any) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop")
        content = meta.get("content")
        if key and content and content.strip():
            found.setdefault(key.strip().lower(), []).append(content.strip())
    return found


def _base_url(tree: Any, url: str) -> str:
    for base in tree.iter("base"):
        resolved = absolute_url(base.get("href") or "", url)
        if resolved:
            return resolved
    return url


def _canonical(tree: Any, metas: dict[str, list[str]], base: str) -> str | None:
    hrefs = [
        link.get("href") or ""
        for link in tree.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    for href in [*hrefs, *metas.get("og:url", [])]:
        resolved = absolute_url(href, base)
        if resolved is None:
            continue
        try:
            return normalize_url(resolved)
        except ValueError:
            continue
    return None


def _language(tree: Any, metas: dict[str, list[str]]) -> str | None:
    raw = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    raw = (raw or "").strip() or _first(metas.get("content-language"))
    return raw.lower().replace("_", "-") if raw else None


def _title(tree: Any) -> str | None:
    titles = tree.xpath("//head/title/text()")
    return _clean(str(titles[0])) if titles else None


def _title_site_name(tree: Any, headline: str | None) -> str | None:
    """The site's name from a ``<title>`` that is "Headline | Site" (or "Site | Headline").

    Only where the rest of the title is the headline itself: split on a dash
    blindly, a title would give half a headline as the site's name.
    (trafilatura reads a site name from the title only when it is a domain.)
    """
    title = _title(tree)
    if not title or not headline:
        return None
    wanted = normalize_text(headline)
    for separator in _TITLE_SEPARATORS:
        head, found, tail = title.rpartition(separator)
        if not found:
            continue
        for name, rest in ((tail, head), (head, tail)):
            name = name.strip()
            if normalize_text(rest) == wanted and 0 < len(name) <= _MAX_SITE_NAME:
                return name
    return None


def _links(tree: Any, document: Any, base: str, url: str) -> tuple[str, ...]:
    """Links of the article: its semantic container, else trafilatura's body, else the page."""
    root = _article_root(tree)
    hrefs = (
        [str(href) for href in root.xpath(f".//a[{_NOT_NAV}]/@href")] if root is not None else []
    )
    body = document_attr(document, "body")
    if not hrefs and body is not None:
        hrefs = [str(href) for href in body.xpath(".//ref/@target")]
    if not hrefs:
        hrefs = [str(href) for href in tree.xpath(f"//body//a[{_NOT_NAV}]/@href")]
    own = normalize_url(url)
    host = urlsplit(own).hostname
    found: dict[str, None] = {}
    for href in hrefs:
        resolved = absolute_url(href, base)
        try:
            link = normalize_url(resolved) if resolved else None
        except ValueError:
            continue
        if link and link != own and not _is_navigation(link, host):
            found.setdefault(link, None)
    return tuple(found)


def _is_navigation(link: str, host: str | None) -> bool:
    parts = urlsplit(link)
    if parts.hostname != host:
        return False
    segments = [segment for segment in parts.path.split("/") if segment]
    return not segments or segments[0].lower() in _NAV_SEGMENTS


def _article_root(tree: Any) -> Any:
    for path in ("//article", "//main", "//*[@itemprop='articleBody']", "//*[@role='main']"):
        found = tree.xpath(path)
        if found:
            return found[0]
    return None


# -- dates --------------------------------------------------------------------


def _declared_dates(
    tree: Any, metas: dict[str, list[str]], article: dict[str, Any], now: datetime
) -> list[DateClaim]:
    raw: list[tuple[str, DateSource, str]] = []
    if isinstance(article.get("datePublished"), str):
        raw.append((article["datePublished"], DateSource.JSONLD, "datePublished"))
    for key in _META_DATE_KEYS:
        raw.extend((value, DateSource.META, key) for value in metas.get(key, []))
    raw.extend((value, DateSource.TIME_TAG, "time") for value in _time_tags(tree))
    claims = [
        parse_date(text, source=source, detail=detail, now=now) for text, source, detail in raw
    ]
    return [claim for claim in claims if claim is not None]


def _time_tags(tree: Any) -> list[str]:
    root = _article_root(tree)
    first = root.xpath(".//time[@datetime][1]/@datetime") if root is not None else []
    marked = tree.xpath("//time[@datetime][@pubdate or @itemprop='datePublished']/@datetime")
    return [str(value) for value in [*first, *marked]]


def _guessed_dates(
    tree: Any, document: Any, declared: list[DateClaim], now: datetime
) -> list[DateClaim]:
    """The copyright years, and trafilatura's guess tagged for what it is."""
    text = " ".join(tree.xpath("//body//text()[not(ancestor::script or ancestor::style)]"))
    years = sorted({match.group(1) for match in _COPYRIGHT_RE.finditer(text)})
    claims = [
        claim
        for year in years
        if (claim := parse_date(year, source=DateSource.COPYRIGHT, detail="copyright", now=now))
    ]
    raw = document_attr(document, "date")
    guess = parse_date(raw, source=DateSource.HEURISTIC, detail="guess", now=now) if raw else None
    if guess is not None:
        claims.append(_retag_guess(guess, years, bool(declared), now))
    return claims


def _retag_guess(guess: DateClaim, years: list[str], evidence: bool, now: datetime) -> DateClaim:
    # htmldate falls back on copyright years (as 1 January) and on today's date;
    # neither says when the article was published.
    value = guess.value
    if (value.month, value.day) == (1, 1) and str(value.year) in years:
        source, note = DateSource.COPYRIGHT, "the copyright year"
    elif value.date() == now.astimezone(UTC).date() and not evidence:
        source, note = DateSource.FETCHED, "today's date and nothing else"
    else:
        return guess
    return DateClaim(value, source, DATE_TRUST[source], f"{guess.detail}, is {note}")


# -- small helpers ------------------------------------------------------------


def _clean(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _first(values: list[str] | None) -> str | None:
    for value in values or []:
        if cleaned := _clean(value):
            return cleaned
    return None


def _dedupe(names: list[str]) -> tuple[str, ...]:
    found: dict[str, str] = {}
    for name in names:
        found.setdefault(name.casefold(), name)
    return tuple(found.values())
