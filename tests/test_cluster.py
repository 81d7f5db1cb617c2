"""Story assignment, merges and the chaining guard."""

from __future__ import annotations

import numpy as np

from provenance.cluster import assign_story
from provenance.match import compare_shingles, shingle_set


def _set(values: range | list[int]) -> np.ndarray:
    return shingle_set(np.array(list(values), dtype=np.uint32))


def _assign(new: np.ndarray, stored: dict[int, tuple[int, np.ndarray]]):  # type: ignore[no-untyped-def]
    matches = [m for aid, (_, s) in stored.items() if (m := compare_shingles(new, s, other_id=aid))]
    return assign_story(
        new,
        matches,
        story_of={a: st for a, (st, _) in stored.items()},
        shingles_of={a: s for a, (_, s) in stored.items()},
    )


def test_no_match_means_new_story() -> None:
    assert _assign(_set(range(100)), {1: (10, _set(range(500, 600)))}).story_id is None


def test_copy_joins_story() -> None:
    result = _assign(_set(range(80)), {1: (10, _set(range(100))), 2: (11, _set(range(900, 1000)))})
    assert result.story_id == 10 and not result.partial and result.merge == ()


def test_same_text_in_two_stories_merges_into_older_id() -> None:
    # Two stories that are really one: the new copy matches the same text in both.
    result = _assign(_set(range(100)), {1: (12, _set(range(0, 90))), 2: (7, _set(range(5, 100)))})
    assert result.story_id == 7 and result.merge == (12,)


def test_roundup_of_two_stories_does_not_merge_them() -> None:
    story_a, story_b = _set(range(0, 100)), _set(range(1000, 1100))
    roundup = _set(list(range(0, 100)) + list(range(1000, 1080)))
    result = _assign(roundup, {1: (3, story_a), 2: (4, story_b)})
    assert result.story_id == 3 and result.merge == ()


def test_partial_joins_without_merging() -> None:
    quote_a = list(range(0, 40))
    quote_b = list(range(1000, 1030))
    host = _set(list(range(5000, 5600)) + quote_a + quote_b)
    result = _assign(host, {1: (3, _set(range(0, 300))), 2: (4, _set(range(1000, 1300)))})
    assert result.story_id == 3 and result.partial and result.merge == ()


def test_articles_without_story_are_ignored() -> None:
    new = _set(range(50))
    match = compare_shingles(new, _set(range(50)), other_id=1)
    assert match is not None
    assert (
        assign_story(new, [match], story_of={}, shingles_of={1: _set(range(50))}).story_id is None
    )


def test_source_older_than_its_quoter_starts_its_own_story() -> None:
    quote = list(range(0, 40))
    roundup = _set(list(range(5000, 5400)) + quote)
    source = _set(range(0, 300))
    match = compare_shingles(source, roundup, other_id=1)
    assert match is not None
    result = assign_story(
        source,
        [match],
        story_of={1: 3},
        shingles_of={1: roundup},
        time_of={1: 2000.0},
        new_time=1000.0,
    )
    assert result.story_id is None
    later = assign_story(
        source,
        [match],
        story_of={1: 3},
        shingles_of={1: roundup},
        time_of={1: 2000.0},
        new_time=3000.0,
    )
    assert later.story_id == 3 and later.partial


def test_copy_of_a_partial_member_adopts_it_instead_of_joining_its_story() -> None:
    quoter = _set(list(range(5000, 5400)) + list(range(40)))
    new = _set(list(range(5000, 5400)) + list(range(40)))  # a copy of the quoting article
    match = compare_shingles(new, quoter, other_id=8)
    assert match is not None
    result = assign_story(
        new, [match], story_of={8: 3}, shingles_of={8: quoter}, partial_members={8}
    )
    assert result.story_id is None and result.adopt == (8,)


def test_source_arriving_after_its_quoter_takes_the_quoter_in() -> None:
    # The roundup quoting the source was stored first and stands alone; when the
    # older source arrives, the roundup joins the source's story as a partial
    # member, as it would have had the source come first.
    quote = list(range(0, 40))
    roundup = _set(list(range(5000, 5400)) + quote)
    source = _set(range(0, 300))
    match = compare_shingles(source, roundup, other_id=1)
    assert match is not None
    common = {
        "story_of": {1: 3},
        "shingles_of": {1: roundup},
        "time_of": {1: 2000.0},
        "new_time": 1000.0,
    }
    alone = assign_story(source, [match], members_of={3: {1}}, **common)  # type: ignore[arg-type]
    assert alone.story_id is None and not alone.partial and alone.attach == (1,)
    # Not when the roundup's story has other members (someone copied the roundup),
    # nor when the roundup is not the newer of the two.
    shared = assign_story(source, [match], members_of={3: {1, 2}}, **common)  # type: ignore[arg-type]
    assert shared.attach == ()
    newer = {**common, "new_time": 3000.0}
    assert assign_story(source, [match], members_of={3: {1}}, **newer).attach == ()  # type: ignore[arg-type]


def test_a_copy_of_the_source_joins_though_the_story_holds_a_quote_of_it() -> None:
    # Story 3: the source (1) and a roundup quoting it (2, a partial member).
    # A copy of the source matches only the source; the roundup holds just a
    # quote of the story's text, so it is no witness against the copy.
    source = _set(range(0, 300))
    roundup = _set(list(range(5000, 5400)) + list(range(40)))
    copy = _set(range(0, 290))
    match = compare_shingles(copy, source, other_id=1)
    assert match is not None
    result = assign_story(
        copy,
        [match],
        story_of={1: 3, 2: 3},
        shingles_of={1: source, 2: roundup},
        partial_members={2},
        members_of={3: {1, 2}},
    )
    assert result.story_id == 3 and not result.partial


def _single_member_copy(new: np.ndarray, member: np.ndarray, other: np.ndarray):  # type: ignore[no-untyped-def]
    """Assign ``new``, which copies only member 1 of story 3 (members 1 and 2)."""
    match = compare_shingles(new, member, other_id=1)
    assert match is not None and match.kind.value == "copy"
    return assign_story(
        new,
        [match],
        story_of={1: 3, 2: 3},
        shingles_of={1: member, 2: other},
        members_of={3: {1, 2}},
    )


def test_a_full_copy_joins_though_the_only_other_member_is_a_short_edited_copy() -> None:
    # The origin (1) and a truncated, edited copy (2) that keeps only its lead,
    # reworded in places. A full copy of the origin shares just that lead with
    # 2: most of its text is in no other member, yet it is the story's text.
    origin = _set(range(0, 300))
    short_copy = _set(list(range(0, 60, 2)) + list(range(7000, 7020)))
    full_copy = _set(range(0, 280))
    result = _single_member_copy(full_copy, origin, short_copy)
    assert result.story_id == 3 and not result.partial


def test_a_copy_of_a_members_foreign_paragraph_does_not_join() -> None:
    # Member 1 holds story 3's text (0-100, which member 2 holds too) and a
    # paragraph of another story (1000-1100). A copy of that paragraph alone
    # matches member 1 but is not story 3's text: it starts a story of its own.
    member = _set(list(range(0, 100)) + list(range(1000, 1100)))
    other = _set(range(0, 100))
    paragraph_copy = _set(range(1000, 1100))
    result = _single_member_copy(paragraph_copy, member, other)
    assert result.story_id is None and result.merge == ()
