"""Storing settled stories: story ids, moves, aliases and their history.

:func:`apply_grouping` is where both modes write what
:func:`provenance.settle.settle_component` decided for a component: the
embedded service (through :class:`provenance.article_index.ArticleIndex`) and
the distributed placement, each in its own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from provenance.settle import StoryGroup, plan_story_ids
from provenance.storage.tables import Article, CopyEdge, Story, StoryEvent

__all__ = ["UNSTORED", "StoredGrouping", "apply_grouping", "merge_stories"]

#: Placeholder id of a new article settled before its row is stored (real ids
#: are positive): :func:`apply_grouping` returns its story and writes nothing for it.
UNSTORED = -1


@dataclass(frozen=True, slots=True)
class StoredGrouping:
    """What :func:`apply_grouping` stored.

    Attributes:
        story_of: The story of every member of the component.
        retrace: The live stories whose members changed (marked for tracing).
    """

    story_of: dict[int, int]
    retrace: frozenset[int]


def apply_grouping(
    session: Session,
    groups: Sequence[StoryGroup],
    *,
    story_of: Mapping[int, int | None],
    partial: Set[int],
) -> StoredGrouping:
    """Store the settled stories of a component.

    Story ids follow :func:`provenance.settle.plan_story_ids`: a group keeps the
    oldest story it inherits, a story none inherits is created, and a story that
    lost all its members to another becomes an alias of it (``merged_into``).
    Every story whose members changed is marked for tracing; one whose stored
    members moved (not merely gained the new article) gets a history event.

    Args:
        session: The open session.
        groups: The settled stories of the component.
        story_of: Each member's stored story (``None`` for the new article,
            whose id may be :data:`UNSTORED` if its row is not stored yet).
        partial: The members stored as partial members now.

    Returns:
        Each member's story, and the stories to trace.
    """
    ids, aliases = plan_story_ids(groups, story_of)
    placed: dict[int, int] = {}
    moves: dict[tuple[int, bool], list[int]] = {}
    for group, kept in zip(groups, ids, strict=True):
        story_id = kept if kept is not None else _new_story(session)
        for article in sorted(group.members):
            placed[article] = story_id
            flag = article in group.partial
            if story_of.get(article) != story_id or (article in partial) != flag:
                moves.setdefault((story_id, flag), []).append(article)
    for (story_id, flag), articles in sorted(moves.items()):
        stored = [a for a in articles if a != UNSTORED]
        if stored:
            session.execute(
                update(Article)
                .where(Article.id.in_(stored))
                .values(story_id=story_id, partial=flag)
            )
    touched = {story_id for story_id, _ in moves}
    touched |= {s for articles in moves.values() for s in _stories(articles, story_of)}
    _log_regrouping(session, story_of, placed)
    for old, survivor in sorted(aliases.items()):
        merge_stories(session, survivor=survivor, others=[old])
    live = sorted(touched - aliases.keys())
    if live:
        session.execute(update(Story).where(Story.id.in_(live)).values(needs_trace=True))
    return StoredGrouping(placed, frozenset(live))


def _new_story(session: Session) -> int:
    story = Story(size=0, origin_evidence=[], needs_trace=True)
    session.add(story)
    session.flush()
    return story.id


def _stories(articles: Iterable[int], story_of: Mapping[int, int | None]) -> set[int]:
    return {s for a in articles if (s := story_of.get(a)) is not None}


def _log_regrouping(
    session: Session, story_of: Mapping[int, int | None], placed: Mapping[int, int]
) -> None:
    """A history event for each story that stored members moved into or out of.

    Joining is logged by the next trace; a move of stored members is logged
    here, as it happens, because the story it leaves may become an alias and
    never be traced again.
    """
    moved = {a: (s, placed[a]) for a, s in story_of.items() if s is not None and s != placed[a]}
    if not moved:
        return
    before: dict[int, int] = {}
    after: dict[int, int] = {}
    for article, story in story_of.items():
        if story is not None:
            before[story] = before.get(story, 0) + 1
        after[placed[article]] = after.get(placed[article], 0) + 1
    involved = sorted({s for pair in moved.values() for s in pair})
    stories = {s.id: s for s in session.scalars(select(Story).where(Story.id.in_(involved)))}
    for story_id in involved:
        row = stories[story_id]
        changes = [
            {"article_id": a, "story_before": old, "story_after": new}
            for a, (old, new) in sorted(moved.items())
            if story_id in (old, new)
        ]
        joined = sum(1 for c in changes if c["story_after"] == story_id)
        session.add(
            StoryEvent(
                story_id=story_id,
                reason=f"regrouped: {joined} member(s) in, {len(changes) - joined} out",
                size_before=before.get(story_id, 0),
                size_after=after.get(story_id, 0),
                origin_before=row.origin_article_id,
                origin_after=row.origin_article_id,
                confidence_before=row.confidence,
                confidence_after=row.confidence,
                changes=changes,
            )
        )


def merge_stories(session: Session, *, survivor: int, others: Sequence[int]) -> None:
    """Fold ``others`` into ``survivor``: members move, the others become aliases."""
    if not others:
        return
    session.execute(update(Article).where(Article.story_id.in_(others)).values(story_id=survivor))
    session.execute(update(CopyEdge).where(CopyEdge.story_id.in_(others)).values(story_id=survivor))
    session.execute(
        update(Story)
        .where(Story.id.in_(others))
        .values(merged_into=survivor, needs_trace=False, size=0)
    )
    session.execute(update(Story).where(Story.merged_into.in_(others)).values(merged_into=survivor))
    session.execute(update(Story).where(Story.id == survivor).values(needs_trace=True))
