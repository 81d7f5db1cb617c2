"""Stories that do not depend on arrival order: settling a component of the match graph.

:func:`provenance.cluster.assign_story` places one new article against what is
stored at that moment, so the same articles arriving in another order can end
in other stories (a compilation placed after the one member it copies stays
apart; placed before, the member joins it). The grouping is therefore *defined*
as the one the canonical order gives: the articles assigned one by one by best
known time, then URL, as if every article had been crawled the moment it
appeared. After each arrival, the connected component of the match graph that
the new article belongs to is settled again: its members are replayed through
:func:`~provenance.cluster.assign_story` in canonical order, and the stored
stories are made equal to the result (:func:`plan_story_ids` keeps their ids).

Why one component is enough: every decision of ``assign_story`` looks only at
the new article's matches and their stories, and every story lies inside one
component (joins, merges, adoptions and attachments all follow matches). So a
component's grouping is a function of its members alone; the match graph only
ever gains articles and edges, and a component is settled whenever it gains
one, so once every article is in, each component holds its canonical grouping
whatever the order the articles came in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from provenance.cluster import assign_story
from provenance.models import Match

__all__ = [
    "PlacedArticle",
    "StoryGroup",
    "canonical_order",
    "find_component",
    "plan_story_ids",
    "reverse_match",
    "settle_component",
]


@dataclass(frozen=True, slots=True)
class PlacedArticle:
    """One article of a component, as settling sees it.

    Attributes:
        id: The article id.
        url: Its normalised URL (breaks ties of time, so that the order does not
            depend on ids, which follow arrival).
        time: Its best known time (POSIX seconds), or ``None``.
        shingles: Its shingle set (sorted, distinct).
    """

    id: int
    url: str
    time: float | None
    shingles: npt.NDArray[np.uint32]


@dataclass(frozen=True, slots=True)
class StoryGroup:
    """One story of a settled component.

    Attributes:
        members: Its article ids.
        partial: The members that belong to it only by a shared passage.
    """

    members: frozenset[int]
    partial: frozenset[int] = frozenset()


def canonical_order(articles: Iterable[PlacedArticle]) -> list[PlacedArticle]:
    """Articles by best known time (unknown last), then URL."""
    return sorted(articles, key=lambda a: (a.time is None, a.time or 0.0, a.url))


def reverse_match(match: Match, new_id: int) -> Match:
    """The same verified match seen from the other article (whose id is ``match.other_id``).

    Verification is symmetric except for the two containments, which swap, so
    the reverse equals what comparing the texts the other way round gives.
    """
    return replace(
        match,
        other_id=new_id,
        containment_new=match.containment_other,
        containment_other=match.containment_new,
    )


def find_component(
    start: int,
    matches: Sequence[Match],
    neighbours: Callable[[list[int]], Mapping[int, Sequence[Match]]],
) -> dict[int, list[Match]]:
    """The connected component of the match graph around a new article.

    Args:
        start: The new article's id.
        matches: Its verified matches.
        neighbours: Returns the verified matches of each of the given stored
            articles (asked once per round for the whole frontier, so a
            database lookup can be batched).

    Returns:
        The verified matches of every member, by member id (``start`` included).
    """
    found: dict[int, list[Match]] = {start: list(matches)}
    frontier = sorted({m.other_id for m in matches} - found.keys())
    while frontier:
        more = neighbours(frontier)
        reached: set[int] = set()
        for article in frontier:
            found[article] = list(more.get(article, ()))
            reached.update(m.other_id for m in found[article])
        frontier = sorted(reached - found.keys())
    return found


def _pairs(
    matches: Mapping[int, Sequence[Match]], members: Iterable[int]
) -> dict[int, dict[int, Match]]:
    """Each member's matches with the other members, from its own side; either side suffices."""
    pairs: dict[int, dict[int, Match]] = {a: {} for a in members}
    for article, found in matches.items():
        for match in found:
            other = match.other_id
            if article in pairs and other in pairs and other != article:
                pairs[article][other] = match
                pairs[other].setdefault(article, reverse_match(match, article))
    return pairs


def settle_component(
    articles: Sequence[PlacedArticle], matches: Mapping[int, Sequence[Match]]
) -> list[StoryGroup]:
    """The stories of a component: its articles assigned one by one in canonical order.

    Args:
        articles: The members of the component.
        matches: Verified matches among them, by article id (a pair may be
            given from one side only; matches with non-members are ignored).

    Returns:
        The stories, ordered by their earliest member in canonical order.
    """
    order = canonical_order(articles)
    rank = {a.id: n for n, a in enumerate(order)}
    pairs = _pairs(matches, rank)
    shingles_of = {a.id: a.shingles for a in articles}
    story_of: dict[int, int] = {}
    members_of: dict[int, set[int]] = {}
    partial: set[int] = set()
    time_of: dict[int, float] = {}

    def place(article: int, story: int) -> None:
        previous = story_of.get(article)
        if previous is not None:
            members_of[previous].discard(article)
        story_of[article] = story
        members_of.setdefault(story, set()).add(article)

    for article in order:
        earlier = [m for other, m in pairs[article.id].items() if rank[other] < rank[article.id]]
        assignment = assign_story(
            article.shingles,
            sorted(earlier, key=lambda m: rank[m.other_id]),
            story_of=story_of,
            shingles_of=shingles_of,
            partial_members=partial,
            time_of=time_of,
            new_time=article.time,
            members_of=members_of,
        )
        # Stories are numbered in the order the replay creates them, so the
        # tie-breaks of assign_story (older story first) follow canonical time.
        story = len(members_of) if assignment.story_id is None else assignment.story_id
        for other in assignment.merge:
            for member in list(members_of[other]):
                place(member, story)
        for adopted in assignment.adopt:
            place(adopted, story)
            partial.discard(adopted)
        for quoter in assignment.attach:
            place(quoter, story)
            partial.add(quoter)
        place(article.id, story)
        if assignment.partial:
            partial.add(article.id)
        if article.time is not None:
            time_of[article.id] = article.time
    groups = [frozenset(m) for m in members_of.values() if m]
    groups.sort(key=lambda g: min(rank[a] for a in g))
    return [StoryGroup(g, frozenset(g & partial)) for g in groups]


def plan_story_ids(
    groups: Sequence[StoryGroup], story_of: Mapping[int, int | None]
) -> tuple[list[int | None], dict[int, int]]:
    """Which stored story each settled group keeps, and which stories become aliases.

    Each stored story is inherited by the group holding most of its members
    (ties: the group that starts earlier). A group keeps the oldest (smallest)
    story it inherits, or gets a new one if it inherits none; every other story
    it inherits becomes an alias of it, so a reference to it still leads to its
    members. Ids are never reused: a story split in two keeps its id for the
    larger part.

    Args:
        groups: The settled stories of a component.
        story_of: The stored story of each member (``None`` for the new article).

    Returns:
        The story id of each group (``None``: create one), and the aliases
        (old story id to the id it now points to).
    """
    counts: dict[int, dict[int, int]] = {}
    for index, group in enumerate(groups):
        for article in group.members:
            story = story_of.get(article)
            if story is not None:
                held = counts.setdefault(story, {})
                held[index] = held.get(index, 0) + 1
    heir = {s: min(held, key=lambda g: (-held[g], g)) for s, held in counts.items()}
    ids: list[int | None] = [None] * len(groups)
    for story in sorted(heir):
        if ids[heir[story]] is None:
            ids[heir[story]] = story
    aliases: dict[int, int] = {}
    for story, index in heir.items():
        kept = ids[index]
        if kept is not None and kept != story:
            aliases[story] = kept
    return ids, aliases
