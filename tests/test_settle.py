"""Settling a component: canonical replay, the match graph walk, and story ids."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.match import compare_shingles, shingle_set
from provenance.models import Match, MatchKind
from provenance.settle import (
    PlacedArticle,
    StoryGroup,
    find_component,
    plan_story_ids,
    reverse_match,
    settle_component,
)

Partition = frozenset[frozenset[int]]


def _set(values: range | list[int]) -> np.ndarray:
    return shingle_set(np.array(list(values), dtype=np.uint32))


def _matches(new: PlacedArticle, stored: list[PlacedArticle]) -> list[Match]:
    found = (compare_shingles(new.shingles, s.shingles, other_id=s.id) for s in stored)
    return [m for m in found if m is not None]


def _arrive(order: list[PlacedArticle]) -> Partition:
    """Place articles one by one, settling the new one's component each time."""
    stored: list[PlacedArticle] = []
    neighbours: dict[int, list[Match]] = {}
    story_of: dict[int, int] = {}
    for new in order:
        matches = _matches(new, stored)
        stored.append(new)
        neighbours[new.id] = matches
        for m in matches:
            neighbours[m.other_id].append(reverse_match(m, new.id))
        component = find_component(new.id, matches, lambda ids: {i: neighbours[i] for i in ids})
        members = [a for a in stored if a.id in component]
        for group in settle_component(members, component):
            for article in group.members:
                story_of[article] = min(group.members)
    return _partition(story_of)


def _partition(story_of: dict[int, int]) -> Partition:
    groups: dict[int, set[int]] = {}
    for article, story in story_of.items():
        groups.setdefault(story, set()).add(article)
    return frozenset(frozenset(g) for g in groups.values())


def _canonical(articles: list[PlacedArticle]) -> Partition:
    every = {a.id: _matches(a, [b for b in articles if b.id != a.id]) for a in articles}
    return frozenset(g.members for g in settle_component(articles, every))


# The compilation case: a tells A; b (later) is A's text and B's; d copies B only.
_A, _B = range(0, 100), range(1000, 1100)
_COMPILATION = [
    PlacedArticle(1, "https://a.test/", 1.0, _set(_A)),
    PlacedArticle(2, "https://b.test/", 2.0, _set([*_A, *_B])),
    PlacedArticle(3, "https://d.test/", 3.0, _set(_B)),
]


def test_settling_replays_in_time_order() -> None:
    expected = frozenset({frozenset({1, 2}), frozenset({3})})
    for order in ([0, 1, 2], [2, 1, 0], [1, 2, 0], [2, 0, 1]):
        assert _arrive([_COMPILATION[i] for i in order]) == expected


def test_find_component_walks_the_whole_graph() -> None:
    graph = {1: [2], 2: [1, 3], 3: [2], 4: [5], 5: [4]}

    def edges(ids: list[int]) -> dict[int, list[Match]]:
        return {i: [Match(o, MatchKind.COPY, 1.0, 1.0, 1.0, 10) for o in graph[i]] for i in ids}

    start = Match(1, MatchKind.COPY, 1.0, 1.0, 1.0, 10)
    assert set(find_component(0, [start], edges)) == {0, 1, 2, 3}


def test_story_ids_older_survives_larger_part_keeps_id_new_gets_none() -> None:
    groups = [
        StoryGroup(frozenset({1, 2, 3})),
        StoryGroup(frozenset({4})),
        StoryGroup(frozenset({5})),
    ]
    # 1 and 2 were story 9, 3 was story 7 (older): they merge into 7 and 9 is an
    # alias; 4 left story 9 (the larger part kept the id) and gets a new one.
    ids, aliases = plan_story_ids(groups, {1: 9, 2: 9, 3: 7, 4: 9, 5: None})
    assert ids == [7, None, None] and aliases == {9: 7}


def test_story_id_ties_go_to_the_earlier_group() -> None:
    groups = [StoryGroup(frozenset({1})), StoryGroup(frozenset({2}))]
    assert plan_story_ids(groups, {1: 4, 2: 4}) == ([4, None], {})


_PARAGRAPHS = [range(n * 1000, n * 1000 + 60) for n in range(5)]


@st.composite
def _worlds(draw: st.DrawFn) -> list[PlacedArticle]:
    """A few articles made of whole paragraphs and quotes (two-sentence passages) of others."""
    articles = []
    for n in range(draw(st.integers(2, 6))):
        parts = draw(st.lists(st.integers(0, 4), min_size=1, max_size=3, unique=True))
        shingles = [s for p in parts for s in _PARAGRAPHS[p]]
        quoted = draw(st.none() | st.integers(0, 4))
        if quoted is not None and quoted not in parts:
            shingles += list(_PARAGRAPHS[quoted][:30])
        time = draw(st.none() | st.sampled_from([1.0, 2.0, 500.0, 1000.0, 5000.0]))
        articles.append(PlacedArticle(n + 1, f"https://o{n}.test/", time, _set(shingles)))
    return articles


@settings(max_examples=150, deadline=None)
@given(world=_worlds(), data=st.data())
def test_any_arrival_order_gives_the_canonical_stories(
    world: list[PlacedArticle], data: st.DataObject
) -> None:
    order = data.draw(st.permutations(world))
    assert _arrive(list(order)) == _canonical(world)
