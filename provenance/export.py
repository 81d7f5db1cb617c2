"""The export contract: one JSON object per story, singletons included.

Other tools depend on this shape; keep it stable::

    {"story_id", "origin_url", "origin_outlet", "confidence", "first_published_at", "size",
     "articles": [{"url", "outlet", "title", "published_at", "fetched_at", "parent_url",
                   "relation", "similarity", "confidence", "evidence": [{"kind", "detail"}]}]}

``relation`` is ``"origin"``, ``"copy"`` or ``"partial"``; ``parent_url`` is null
for the origin. Dates are ISO 8601 in UTC. Fields added since (readers must
ignore fields they do not know): per article ``credit`` (``"credited"``,
``"uncredited"``, ``"miscredited"``; null for the origin), ``diff`` (null for the
origin: ``{"similarity", "counts": {"paragraphs": {...}, "sentences": {...}},
"flags": {"headline_changed", "framing_added_start", ...}}`` against the
parent, see :mod:`provenance.diff`) and, for partial
copies, ``span`` (``[start, end]`` character offsets of the reused passage in
the article's text).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from provenance.diffing import report_diff_summaries
from provenance.storage import repository as repo
from provenance.storage.tables import Article
from provenance.stories import StoryReport, load_story

__all__ = ["export_stories", "story_document", "story_documents"]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _evidence(raw: list[Any]) -> list[dict[str, str]]:
    return [{"kind": str(e["kind"]), "detail": str(e["detail"])} for e in raw]


def _article_document(
    report: StoryReport,
    article: Article,
    origin: Article | None,
    diffs: dict[int, dict[str, Any]],
) -> dict[str, Any]:
    story = report.story
    edge = report.edges.get(article.id)
    parent = report.parent_of(article.id)
    is_origin = edge is None or (origin is not None and article.id == origin.id)
    doc: dict[str, Any] = {
        "url": article.url_norm,
        "outlet": report.outlets[article.outlet_id].name,
        "title": article.title,
        "published_at": _iso(report.published_at(article)),
        "fetched_at": _iso(article.fetched_at),
        "parent_url": None if is_origin or parent is None else parent.url_norm,
        "relation": "origin" if is_origin or edge is None else edge.relation,
        "similarity": 1.0 if is_origin or edge is None else round(edge.similarity, 4),
        "confidence": round(story.confidence or 0.0, 4)
        if is_origin or edge is None
        else round(edge.confidence, 4),
        "credit": None if is_origin or edge is None else edge.credit,
        "declared_sources": [str(name) for name in article.declared_sources or []],
        "diff": None if is_origin else diffs.get(article.id),
        "evidence": _evidence(
            story.origin_evidence if is_origin or edge is None else edge.evidence
        ),
    }
    if edge is not None and edge.span_start is not None and not is_origin:
        doc["span"] = [edge.span_start, edge.span_end]
    return doc


def story_document(report: StoryReport) -> dict[str, Any]:
    """One story in the export contract's shape."""
    story = report.story
    origin = report.articles.get(story.origin_article_id or -1)
    diffs = report_diff_summaries(report)
    articles = [_article_document(report, a, origin, diffs) for a in report.ordered()]
    return {
        "story_id": story.id,
        "origin_url": origin.url_norm if origin else None,
        "origin_outlet": report.outlets[origin.outlet_id].name if origin else None,
        "confidence": round(story.confidence or 0.0, 4),
        "first_published_at": _iso(story.first_published_at),
        "size": len(articles),
        "articles": articles,
    }


def story_documents(session: Session) -> Iterator[dict[str, Any]]:
    """Every live story, largest first, in the export contract's shape."""
    for story in repo.live_stories(session):
        report = load_story(session, story.id)
        if report is not None:
            yield story_document(report)


def export_stories(*, db_url: str) -> Iterator[dict[str, object]]:
    """Every story of the database at ``db_url``, in the export contract's shape."""
    # Imported here so that the contract's readers (explain, bundles) do not load
    # the ingest pipeline.
    from provenance.service import Service

    service = Service(db_url)
    try:
        with service.sessions() as session:
            yield from story_documents(session)
    finally:
        service.close()
