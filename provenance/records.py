"""The record-to-row steps shared by the embedded service and the distributed workers.

:class:`~provenance.service.Service` and :mod:`provenance.distributed.process`
turn a record into an article row with the same functions, so both modes store
the same text, dates and status for it: extract the record's page
(:func:`extract_record`), strip its outlet's boilerplate (with the model from
:func:`outlet_boilerplate`) and its leading headline (:func:`body_blocks`), and
build the row (:func:`article_row`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from provenance.boilerplate import BoilerplateModel
from provenance.dates import rank_dates, url_date
from provenance.extract import extract_html, extract_text
from provenance.fingerprint import FingerprintOptions, fingerprint_shingles
from provenance.language import detect_language
from provenance.models import DATE_TRUST, DateClaim, DateSource, ExtractedPage
from provenance.normalize import ends_with_read_more, normalize_text
from provenance.raw_record import RawRecord
from provenance.shingle import shingle_hashes
from provenance.storage import repository as repo
from provenance.storage.tables import Article, Outlet
from provenance.urls import normalize_url

__all__ = [
    "MIN_SHINGLES",
    "PendingArticle",
    "article_row",
    "body_blocks",
    "extract_record",
    "known_article_time",
    "outlet_boilerplate",
    "restripped",
]

#: A text with fewer shingles than this is too short to be a story's copy.
MIN_SHINGLES = 8


@dataclass
class PendingArticle:
    """A new record, extracted, with its outlet, waiting to be matched and stored.

    The step functions below (:func:`extract_record`, :func:`body_blocks`,
    :func:`article_row`, ...) are shared with the distributed workers, so both
    modes turn a record into the same article row.
    """

    record: RawRecord
    url_norm: str
    page: ExtractedPage
    outlet: Outlet
    sha256: str


def known_article_time(article: Article) -> datetime | None:
    """The earliest time ``article`` is known to have existed (see :func:`repo.known_time`)."""
    return repo.known_time(article.published_at, article.published_source, article.fetched_at)


def outlet_boilerplate(outlet: Outlet) -> BoilerplateModel:
    """The outlet's learned boilerplate model (an empty one for a new outlet)."""
    return (
        BoilerplateModel.from_dict(outlet.boilerplate) if outlet.boilerplate else BoilerplateModel()
    )


def extract_record(record: RawRecord) -> ExtractedPage:
    """Extract a record's page, with the dates the record brought from outside it.

    Raises:
        ExtractionError: The page cannot be read.
    """
    if record.html is not None:
        page = extract_html(record.html, url=record.url, declared_encoding=record.http_charset)
    else:
        page = extract_text(record.text or "", title=record.title)
    extra = list(record.dates)
    in_url = url_date(record.url)
    if in_url is not None:
        extra.append(in_url)
    if record.published_at is not None:
        extra.append(
            DateClaim(
                record.published_at,
                DateSource.INPUT,
                DATE_TRUST[DateSource.INPUT],
                "published_at field of the record",
            )
        )
    if extra:
        page = replace(page, dates=rank_dates((*page.dates, *extra)))
    return page


def body_blocks(blocks: list[str], title: str | None) -> list[str]:
    """The body without a leading headline block.

    Many templates repeat the headline as the first block of the page. It is
    the title, not body text: left in, two pages of similar templates share
    shingles the article itself does not, and a rewritten headline would count
    as an edit of the text.
    """
    if not title:
        return blocks
    key = normalize_text(title)
    start = 0
    while start < len(blocks) and normalize_text(blocks[start]) == key:
        start += 1
    return blocks[start:]


def article_row(p: PendingArticle, blocks: list[str], text: str) -> Article:
    """The (unsaved) article row of a pending record, from its stripped body."""
    best = next((d for d in p.page.dates if d.trust > 0), None)
    capture = p.record.capture
    canonical = None
    if p.page.canonical_url:
        try:
            canonical = normalize_url(p.page.canonical_url)
        except ValueError:
            canonical = None
    return Article(
        url=p.record.url,
        url_norm=p.url_norm,
        canonical_url=canonical if canonical != p.url_norm else None,
        outlet_id=p.outlet.id,
        title=p.record.title or p.page.title,
        byline=p.page.byline,
        language=detect_language(text, declared=p.page.language),
        blocks=list(p.page.blocks),
        text=text,
        published_at=best.value if best else None,
        published_source=str(best.source) if best else None,
        dates=repo.claims_to_json(p.page.dates),
        fetched_at=p.record.fetched_at,
        content_sha256=p.sha256,
        capture_path=capture.path if capture else None,
        capture_offset=capture.offset if capture else None,
        capture_length=capture.length if capture else None,
        capture_sha256=capture.sha256 if capture else None,
        declared_sources=list(p.page.declared_sources),
        links=list(p.page.links),
        read_more=ends_with_read_more(blocks),
        status="ok",
    )


def restripped(
    article: Article, model: BoilerplateModel, options: FingerprintOptions
) -> repo.Restripped | None:
    """The article's body stripped with ``model``, or ``None`` if its text stays the same.

    Both modes call it when an outlet's model learns a block, for each of the
    outlet's stored articles; the boilerplate counts only grow, so a text only
    ever loses blocks.
    """
    blocks = body_blocks(model.strip(article.blocks), article.title)
    text = "\n\n".join(blocks)
    if text == article.text:
        return None
    shingles = shingle_hashes(text)
    fingerprint = None
    if len(shingles) >= MIN_SHINGLES:
        fingerprint = fingerprint_shingles(shingles, options=options)
    return repo.Restripped(text, ends_with_read_more(blocks), shingles, fingerprint)
