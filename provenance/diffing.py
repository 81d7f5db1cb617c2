"""Stored copies against their traced parents: the edge around :mod:`provenance.diff`.

Loads an article and the parent the tracer chose for it (its ``copy_edge``
row), builds both sides of the diff from the stored rows and calls the pure
:func:`~provenance.diff.diff_articles`. The CLI's ``diff`` command and the
export's per-article ``"diff"`` summary read diffs through here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.diff import ArticleDiff, DiffInput, diff_articles
from provenance.storage import repository as repo
from provenance.storage.tables import Article, CopyEdge, Outlet
from provenance.stories import StoryReport, load_story

__all__ = [
    "diff_for_article",
    "diff_for_url",
    "diff_input",
    "diff_summaries",
    "report_diff_summaries",
    "report_diffs",
]


def diff_input(article: Article, outlet: Outlet | None) -> DiffInput:
    """One side of a diff from a stored article.

    The body is ``article.text`` (boilerplate and a repeated headline block
    removed), not the raw ``blocks``: two outlets' menus and legal footers are
    not edits of the story, and would otherwise read as framing.

    Args:
        article: The stored article.
        outlet: Its outlet, for the outlet name in the report.

    Returns:
        The diff input.
    """
    return DiffInput(
        title=article.title,
        byline=article.byline,
        blocks=tuple(block for block in article.text.split("\n\n") if block.strip()),
        declared_sources=tuple(str(name) for name in article.declared_sources),
        outlet=outlet.name if outlet is not None else None,
        url=article.url_norm,
    )


def diff_for_article(session: Session, article: Article) -> ArticleDiff | None:
    """The diff of ``article`` against its traced parent.

    Args:
        session: An open session.
        article: A stored article.

    Returns:
        The diff, or ``None`` when the article has no parent (an origin, or an
        article in no story).
    """
    edge = session.scalar(select(CopyEdge).where(CopyEdge.child_id == article.id))
    parent = session.get(Article, edge.parent_id) if edge is not None else None
    if parent is None:
        return None
    return diff_articles(
        diff_input(parent, session.get(Outlet, parent.outlet_id)),
        diff_input(article, session.get(Outlet, article.outlet_id)),
    )


def diff_for_url(session: Session, url_norm: str) -> ArticleDiff | None:
    """The diff of the article stored under ``url_norm`` against its traced parent.

    Args:
        session: An open session.
        url_norm: A normalised URL (:func:`provenance.urls.normalize_url`); an
            article whose canonical URL it is counts too.

    Returns:
        The diff, or ``None`` when no article has the URL or it has no parent.
    """
    article = repo.article_by_url(session, url_norm)
    return diff_for_article(session, article) if article is not None else None


def report_diffs(report: StoryReport) -> dict[int, ArticleDiff]:
    """Every copy of a loaded story against its parent, by the copy's article id.

    Uses only what the report holds, so the export adds no query per article.
    """
    diffs: dict[int, ArticleDiff] = {}
    for child_id, edge in report.edges.items():
        child, parent = report.articles.get(child_id), report.articles.get(edge.parent_id)
        if child is None or parent is None:  # an edge left over from a story it has left
            continue
        diffs[child_id] = diff_articles(
            diff_input(parent, report.outlets.get(parent.outlet_id)),
            diff_input(child, report.outlets.get(child.outlet_id)),
        )
    return diffs


def report_diff_summaries(report: StoryReport) -> dict[int, dict[str, Any]]:
    """:meth:`ArticleDiff.summary` of every copy of a loaded story, by article id.

    The origin has no entry: it has no parent to differ from.
    """
    return {article_id: diff.summary() for article_id, diff in report_diffs(report).items()}


def diff_summaries(session: Session, story_id: int) -> dict[int, dict[str, Any]]:
    """Article id → diff summary for every copy in a story (merges followed).

    Args:
        session: An open session.
        story_id: A story id.

    Returns:
        The summaries; empty for an unknown story or one without copies.
    """
    report = load_story(session, story_id)
    return report_diff_summaries(report) if report is not None else {}
