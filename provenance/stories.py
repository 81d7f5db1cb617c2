"""Stored stories: tracing them and reading them back.

The glue between storage and :mod:`provenance.trace`: load a story's members
as :class:`~provenance.models.Member` values, trace them, save the verdict; and
read a story back as a report for the CLI, the export and (later) the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.match import shingle_set
from provenance.models import Member
from provenance.storage import repository as repo
from provenance.storage.tables import Article, CopyEdge, Outlet, Story
from provenance.trace import trace_story

__all__ = ["StoryReport", "load_story", "trace_stored_story"]


def _member(article: Article, outlet: Outlet, shingles: bytes) -> Member:
    return Member(
        id=article.id,
        url=article.url_norm,
        outlet=outlet.name,
        outlet_domain=outlet.domain,
        dates=repo.claims_from_json(article.dates),
        first_seen=article.fetched_at,
        declared_sources=tuple(article.declared_sources),
        canonical_url=article.canonical_url,
        links=frozenset(article.links),
        shingles=shingle_set(repo.shingles_from_bytes(shingles)),
        partial=article.partial,
        title=article.title,
        read_more=article.read_more,
    )


def trace_stored_story(session: Session, story_id: int) -> None:
    """Trace one stored story and save its origin, tree and evidence.

    A story left without members (all moved by a merge) is marked empty.
    """
    story = session.get_one(Story, story_id)
    rows = repo.story_members(session, story_id)
    if not rows:
        story.size = 0
        story.needs_trace = False
        return
    members = [_member(a, o, s) for a, o, s in rows]
    repo.save_trace(session, story, trace_story(members), size=len(members))


@dataclass(frozen=True, slots=True)
class StoryReport:
    """A stored story with its members, edges and outlets, ready to show."""

    story: Story
    articles: dict[int, Article]
    outlets: dict[int, Outlet]
    edges: dict[int, CopyEdge]

    def parent_of(self, article_id: int) -> Article | None:
        """The article's traced parent, or ``None`` for the origin."""
        edge = self.edges.get(article_id)
        return self.articles.get(edge.parent_id) if edge else None

    def ordered(self) -> list[Article]:
        """Members in tree order: origin first, each parent before its copies."""
        children: dict[int | None, list[Article]] = {}
        for article in self.articles.values():
            edge = self.edges.get(article.id)
            children.setdefault(edge.parent_id if edge else None, []).append(article)
        out: list[Article] = []
        stack = sorted(children.get(None, []), key=lambda a: a.id != self.story.origin_article_id)
        while stack:
            article = stack.pop(0)
            out.append(article)
            stack = sorted(children.get(article.id, []), key=lambda a: a.id) + stack
        return out


def load_story(session: Session, story_id: int) -> StoryReport | None:
    """The story ``story_id`` (following merges), or ``None`` if there is none."""
    story = session.get(Story, story_id)
    while story is not None and story.merged_into is not None:
        story = session.get(Story, story.merged_into)
    if story is None:
        return None
    articles = {
        a.id: a for a in session.scalars(select(Article).where(Article.story_id == story.id))
    }
    outlet_ids = {a.outlet_id for a in articles.values()}
    outlets = {o.id: o for o in session.scalars(select(Outlet).where(Outlet.id.in_(outlet_ids)))}
    edges = {
        e.child_id: e
        for e in session.scalars(select(CopyEdge).where(CopyEdge.story_id == story.id))
    }
    return StoryReport(story=story, articles=articles, outlets=outlets, edges=edges)
