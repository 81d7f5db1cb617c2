"""The API's reads: story search, story and article views, outlets.

Every query is a SQLAlchemy expression with bound parameters; a caller's text
reaches the database only as a parameter (LIKE patterns with ``%``, ``_`` and
the escape character escaped), never as SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from provenance.export import story_document
from provenance.models import DateSource
from provenance.storage.tables import Article, Outlet, Story
from provenance.stories import StoryReport, outlet_clocks, shown_publication, story_history

__all__ = [
    "StoryQuery",
    "article_view",
    "outlet_articles",
    "outlets_page",
    "search_stories",
    "story_view",
]


@dataclass(frozen=True, slots=True)
class StoryQuery:
    """A story search: words in a member's title or text, an outlet, a date range."""

    text: str | None = None
    outlet: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    offset: int = 0


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _member_filter(query: StoryQuery) -> Any:
    conditions: list[Any] = [Article.story_id == Story.id]
    if query.text:
        pattern = _like(query.text)
        conditions.append(
            or_(Article.title.ilike(pattern, escape="\\"), Article.text.ilike(pattern, escape="\\"))
        )
    if query.outlet:
        pattern = _like(query.outlet)
        outlets = select(Outlet.id).where(
            or_(Outlet.domain.ilike(pattern, escape="\\"), Outlet.name.ilike(pattern, escape="\\"))
        )
        conditions.append(Article.outlet_id.in_(outlets))
    return exists().where(and_(*conditions))


def _stories(query: StoryQuery) -> Select[Any]:
    conditions: list[Any] = [Story.merged_into.is_(None), Story.size > 0]
    if query.text or query.outlet:
        conditions.append(_member_filter(query))
    if query.since is not None:
        conditions.append(Story.first_published_at >= query.since)
    if query.until is not None:
        conditions.append(Story.first_published_at <= query.until)
    return select(Story.id).where(*conditions)


def search_stories(
    session: Session, query: StoryQuery
) -> tuple[list[dict[str, Any]], int | None, bool]:
    """One page of matching stories, largest first.

    Returns:
        The page, how many stories match in all (``None`` for a text search,
        whose count would cost a second scan of every text), and whether there
        are more after this page.
    """
    ids = _stories(query)
    total = None
    if not query.text:
        total = int(session.scalar(select(func.count()).select_from(ids.subquery())) or 0)
    origin = aliased(Article)
    rows = session.execute(
        select(Story, origin.url_norm, origin.title, Outlet.name, Outlet.domain)
        .where(Story.id.in_(ids))
        .outerjoin(origin, origin.id == Story.origin_article_id)
        .outerjoin(Outlet, Outlet.id == origin.outlet_id)
        .order_by(Story.size.desc(), Story.id)
        .limit(query.limit + 1)  # one more tells whether a next page exists
        .offset(query.offset)
    ).all()
    more = len(rows) > query.limit
    items = [
        {
            "story_id": story.id,
            "size": story.size,
            "confidence": round(story.confidence or 0.0, 4),
            "first_published_at": _iso(story.first_published_at),
            "origin_url": url,
            "origin_outlet": name,
            "origin_domain": domain,
            "title": title,
        }
        for story, url, title, name, domain in rows[: query.limit]
    ]
    return items, total, more


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(report: StoryReport, article: Article) -> datetime | None:
    published = report.published_at(article)
    # A wall clock with no zone cannot be set against other times: first-seen instead.
    if published is not None and published.tzinfo is not None:
        return published
    return article.fetched_at


def story_view(session: Session, report: StoryReport) -> dict[str, Any]:
    """The export contract's document, with article ids, outlet ids, a timeline and history."""
    doc = story_document(report)
    by_url = {a.url_norm: a for a in report.articles.values()}
    origin = report.articles.get(report.story.origin_article_id or -1)
    start = _time(report, origin) if origin is not None else None
    timeline = []
    for item in doc["articles"]:
        article = by_url[item["url"]]
        item["article_id"] = article.id
        item["outlet_id"] = article.outlet_id
        when = _time(report, article)
        lag = (when - start).total_seconds() if when is not None and start is not None else None
        item["lag_s"] = lag
        timeline.append({"article_id": article.id, "at": _iso(when), "lag_s": lag})
    doc["timeline"] = timeline
    doc["history"] = [
        {"at": e.at.isoformat(), "reason": e.reason, "size_before": e.size_before,
         "size_after": e.size_after, "origin_changed": e.origin_before != e.origin_after}
        for e in story_history(session, report.story.id)
    ]  # fmt: skip
    return doc


def article_view(session: Session, article: Article) -> dict[str, Any]:
    """One stored article with its outlet, story and traced parent."""
    outlet = session.get_one(Outlet, article.outlet_id)
    from provenance.storage.tables import CopyEdge

    edge = session.scalar(select(CopyEdge).where(CopyEdge.child_id == article.id))
    printed = article.published_source == str(DateSource.PRINTED)
    clock = outlet_clocks(session, [article.outlet_id]).get(article.outlet_id) if printed else None
    return {
        "article_id": article.id,
        "url": article.url_norm,
        "title": article.title,
        "byline": article.byline,
        "language": article.language,
        "outlet": {"outlet_id": outlet.id, "domain": outlet.domain, "name": outlet.name},
        "published_at": _iso(shown_publication(article, clock)),
        "fetched_at": _iso(article.fetched_at),
        "status": article.status,
        "story_id": article.story_id,
        "parent_article_id": edge.parent_id if edge is not None else None,
        "relation": edge.relation if edge is not None else None,
        "credit": edge.credit if edge is not None else None,
        "text": article.text,
        "declared_sources": [str(s) for s in article.declared_sources],
    }


def outlets_page(session: Session, *, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """One page of outlets by domain, with their article counts."""
    total = session.scalar(select(func.count(Outlet.id))) or 0
    counts = (
        select(Article.outlet_id, func.count(Article.id).label("n"))
        .group_by(Article.outlet_id)
        .subquery()
    )
    rows = session.execute(
        select(Outlet.id, Outlet.domain, Outlet.name, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.outlet_id == Outlet.id)
        .order_by(Outlet.domain)
        .limit(limit)
        .offset(offset)
    ).all()
    items = [{"outlet_id": i, "domain": d, "name": n, "articles": int(c)} for i, d, n, c in rows]
    return items, int(total)


def outlet_articles(session: Session, outlet_id: int, *, limit: int) -> list[dict[str, Any]]:
    """An outlet's most recent articles in stories."""
    rows = session.execute(
        select(Article.id, Article.url_norm, Article.title, Article.story_id, Article.published_at)
        .where(Article.outlet_id == outlet_id, Article.story_id.is_not(None))
        .order_by(Article.id.desc())
        .limit(limit)
    ).all()
    return [
        {"article_id": i, "url": u, "title": t, "story_id": s, "published_at": _iso(p)}
        for i, u, t, s, p in rows
    ]
