"""Page templates: how one generated article renders as an ingest record.

Every outlet has its own page chrome (menu, cookie notice, legal footer, maybe a
promo block) repeated on all its pages, as real sites do, so that the system's
per-outlet boilerplate learning is exercised. Templates range from semantic
markup (``<article>``, JSON-LD NewsArticle, ``og:site_name``,
``article:published_time``, ``rel=canonical``) to bare ``<div>`` soup with no
metadata; outlets of the ``text`` style deliver plain-text records instead of
HTML. The outlets themselves are in :mod:`provenance.eval.outlets`, their stock
phrases in :mod:`provenance.eval.phrases`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from html import escape

from provenance.eval.outlets import Outlet
from provenance.eval.phrases import phrase, phrase_variants

__all__ = ["Block", "Page", "render_record"]


@dataclass(frozen=True, slots=True)
class Block:
    """One body paragraph; ``anchor`` (a substring of ``text``) links to ``href``."""

    text: str
    href: str | None = None
    anchor: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """Everything needed to render one article as an ingest record.

    Attributes:
        url: The article URL (already normalised).
        outlet: Who publishes it.
        language: The article's language.
        title: Its headline.
        blocks: Its body paragraphs, attribution lines included.
        published: The date it claims, or None for none.
        fetched: When the crawler first saw it.
        canonical: Its ``rel=canonical`` target (itself unless syndicated).
    """

    url: str
    outlet: Outlet
    language: str
    title: str
    blocks: tuple[Block, ...]
    published: datetime | None
    fetched: datetime
    canonical: str | None = None


def _stamp(moment: datetime, hours: int = 0) -> str:
    return moment.astimezone(timezone(timedelta(hours=hours))).isoformat(timespec="seconds")


def render_record(page: Page) -> dict[str, object]:
    """Turn a page into one ingest record (HTML, or plain text for text outlets).

    Args:
        page: The article.

    Returns:
        The JSON-ready record: ``url``, ``html`` or ``text`` and the optional fields.
    """
    record: dict[str, object] = {"url": page.url}
    if page.outlet.style == "text":
        record["text"] = "\n\n".join(block.text for block in page.blocks)
        record["title"] = page.title
        record["outlet"] = page.outlet.name
        if page.published is not None:
            record["published_at"] = _stamp(page.published, page.outlet.tz_hours)
    else:
        record["html"] = _render_html(page)
    record["fetched_at"] = _stamp(page.fetched)
    return record


def _render_html(page: Page) -> str:
    outlet = page.outlet
    head = [
        '<meta charset="utf-8">',
        f"<title>{escape(page.title)} | {escape(outlet.name)}</title>",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
    ]
    if outlet.style in ("semantic", "opengraph"):
        head += _metadata(page)
    body = "\n".join(_paragraph(block) for block in page.blocks)
    if outlet.style == "semantic":
        main = (
            f'<main class="{outlet.css}-main"><article class="{outlet.css}-article">'
            f"<h1>{escape(page.title)}</h1>{_dateline(page)}\n"
            f'<div class="{outlet.css}-text">\n{body}\n</div></article>\n{_related(outlet)}</main>'
        )
    else:
        main = (
            f'<div id="{outlet.css}-wrap"><div class="{outlet.css}-col">'
            f'<div class="headline">{escape(page.title)}</div>{_dateline(page)}\n'
            f'<div class="content">\n{body}\n</div></div>\n{_related(outlet)}</div>'
        )
    return (
        f'<!DOCTYPE html>\n<html lang="{page.language}">\n<head>\n'
        + "\n".join(head)
        + f"\n</head>\n<body>\n{_chrome_top(outlet)}\n{main}\n{_footer(outlet)}\n</body>\n</html>\n"
    )


def _metadata(page: Page) -> list[str]:
    outlet = page.outlet
    meta = [
        f'<meta property="og:site_name" content="{escape(outlet.name)}">',
        f'<meta property="og:title" content="{escape(page.title)}">',
    ]
    if page.published is not None:
        stamp = _stamp(page.published, outlet.tz_hours)
        meta.append(f'<meta property="article:published_time" content="{stamp}">')
    if outlet.style != "semantic":
        return meta
    meta.append(f'<link rel="canonical" href="{escape(page.canonical or page.url)}">')
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title,
        "inLanguage": page.language,
        "mainEntityOfPage": page.canonical or page.url,
        "publisher": {"@type": "Organization", "name": outlet.name},
    }
    if page.published is not None:
        data["datePublished"] = _stamp(page.published, outlet.tz_hours)
    ld = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    meta.append(f'<script type="application/ld+json">{ld}</script>')
    return meta


def _dateline(page: Page) -> str:
    if page.published is None:
        return ""
    local = page.published.astimezone(timezone(timedelta(hours=page.outlet.tz_hours)))
    label = phrase(page.outlet.ui, "date")
    if page.outlet.style == "semantic":
        stamp = _stamp(page.published, page.outlet.tz_hours)
        return f'<time datetime="{stamp}">{label} {local:%d.%m.%Y %H:%M}</time>'
    return f'<div class="date">{label} {local:%d.%m.%Y %H:%M}</div>'


def _paragraph(block: Block) -> str:
    if block.href is None or block.anchor not in block.text:
        return f"<p>{escape(block.text)}</p>"
    before, _, after = block.text.partition(block.anchor)
    link = f'<a href="{escape(block.href)}">{escape(block.anchor)}</a>'
    return f"<p>{escape(before)}{link}{escape(after)}</p>"


def _chrome_top(outlet: Outlet) -> str:
    home = f"https://{outlet.domain}"
    items = phrase_variants(outlet.ui, "menu")
    links = "".join(
        f'<li><a href="{home}/section/{i}">{escape(item)}</a></li>' for i, item in enumerate(items)
    )
    cookie = escape(phrase(outlet.ui, "cookie", outlet.variant, outlet.name))
    return (
        f'<header class="{outlet.css}-header">'
        f'<a class="logo" href="{home}">{escape(outlet.name)}</a>'
        f'<nav><ul class="menu">{links}</ul></nav></header>\n'
        f'<div class="cookie-banner" id="{outlet.css}-consent"><p>{cookie}</p>'
        '<button type="button">OK</button></div>'
    )


def _related(outlet: Outlet) -> str:
    if outlet.variant != 1:
        return ""
    promo = escape(phrase(outlet.ui, "promo", 0, outlet.name))
    return f'<aside class="{outlet.css}-promo"><p>{promo}</p></aside>'


def _footer(outlet: Outlet) -> str:
    lines = "".join(
        f"<p>{escape(phrase(outlet.ui, 'footer', i + outlet.variant, outlet.name))}</p>"
        for i in range(2)
    )
    return f'<footer class="{outlet.css}-footer">{lines}</footer>'
