"""Incremental grouping of articles into stories, with stable story ids.

A new article joins the story of the stored articles it copies. Story ids never
change when articles are added: a new story gets a new id, and when an article
proves two stories to be one, the older (smaller) id survives and the other
becomes an alias of it.

Chaining guard. Plain connected components would let one roundup that quotes
story A in its first half and story B in its second fuse A and B. So:

* a *partial* match (a quoted passage) attaches the article to a story but
  never merges stories, and it attaches only a quoting article: one that is
  older than the passage it shares is its source, and starts a story of its own;
* a new article that copies just one member of a story joins it only if the
  text it copies is the story's text (found in the other members too), not a
  passage that member took from elsewhere;
* a partial member never carries its story to others: a new article that
  copies a partial member does not join that member's story, it *adopts* the
  member into its own (the two share a text; the story only shared a quote);
* when copy matches reach several stories, they are merged only if the *same*
  part of the new text matches each of them (its shared shingles overlap): a
  text that is one story told twice. Disjoint parts mean a compilation of two
  stories, which joins the one it shares most with and merges nothing.

Arrival order. Crawls and workers deliver articles in any order, and the story
a quote lands in should not depend on it. A quoting article stored *before*
the source it quotes stands alone (there was nothing to attach to); when the
source arrives, the quoter is *attached* to the source's story as a partial
member, where it would have gone had the source come first. The other rules
still see only what is stored when an article arrives; :mod:`provenance.settle`
makes the stories as a whole independent of arrival order by replaying each
component of the match graph through :func:`assign_story` in canonical order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from provenance.models import Match, MatchKind

__all__ = ["Assignment", "assign_story"]

#: Share of the smaller covered region two story groups must have in common
#: before they count as the same text (and so the same story).
MERGE_OVERLAP = 0.5
#: Share of the smaller of (what a new article copies from a single member, that
#: member's text shared with the rest of its story) the two must have in common
#: for the copy to join that story (:func:`_in_story_text`). Lower than
#: :data:`MERGE_OVERLAP`: two copies that cut or edited the origin differently
#: share only part of it, while a foreign paragraph shares next to nothing.
STORY_TEXT_OVERLAP = 0.25
#: Clock differences below this do not decide who quotes whom (seconds).
_TIME_SLACK = 60.0


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where a new article goes.

    Attributes:
        story_id: The story it joins, or ``None`` for a new story.
        merge: Other existing stories that are the same story and fold into
            ``story_id`` (empty in most cases).
        partial: True when it joins only through a shared passage.
        adopt: Partial members of other stories that the new article copies (or
            is copied by): they move into its story as full members.
        attach: Stored articles, each alone in its story, that quote the new
            article and are newer than it: they move into its story as partial
            members (their own stories become aliases of it).
    """

    story_id: int | None
    merge: tuple[int, ...] = ()
    partial: bool = False
    adopt: tuple[int, ...] = ()
    attach: tuple[int, ...] = ()


def _covered(
    new: npt.NDArray[np.uint32],
    matches: Sequence[Match],
    shingles_of: Mapping[int, npt.NDArray[np.uint32]],
) -> npt.NDArray[np.uint32]:
    parts = [np.intersect1d(new, shingles_of[m.other_id], assume_unique=True) for m in matches]
    return np.unique(np.concatenate(parts)) if parts else np.empty(0, dtype=np.uint32)


def _groups(matches: Sequence[Match], story_of: Mapping[int, int]) -> dict[int, list[Match]]:
    groups: dict[int, list[Match]] = {}
    for match in matches:
        story = story_of.get(match.other_id)
        if story is not None:
            groups.setdefault(story, []).append(match)
    return groups


def assign_story(
    new: npt.NDArray[np.uint32],
    matches: Sequence[Match],
    *,
    story_of: Mapping[int, int],
    shingles_of: Mapping[int, npt.NDArray[np.uint32]],
    partial_members: Set[int] = frozenset(),
    time_of: Mapping[int, float] | None = None,
    new_time: float | None = None,
    members_of: Mapping[int, Set[int]] | None = None,
) -> Assignment:
    """Decide the story of a new article from its verified matches.

    Args:
        new: The new article's shingle set (sorted, distinct).
        matches: Its verified matches with stored articles.
        story_of: Story id of each matched stored article (articles without a
            story, such as empty pages, are ignored).
        shingles_of: Shingle set of each matched stored article.
        partial_members: Stored articles that belong to their story only by a
            shared passage.
        time_of: Best known time (POSIX seconds) of stored articles.
        new_time: Best known time of the new article.
        members_of: Member ids of each story, for the check that the text a new
            article shares with one member is the story's text.

    Returns:
        The assignment.
    """
    assignment = _assign(
        new, matches, story_of, shingles_of, partial_members, time_of or {}, new_time, members_of
    )
    if assignment.partial or members_of is None or new_time is None:
        return assignment
    times = time_of or {}
    attach = _quoters(matches, assignment, story_of, members_of, partial_members, times, new_time)
    return replace(assignment, attach=attach) if attach else assignment


def _quoters(
    matches: Sequence[Match],
    assignment: Assignment,
    story_of: Mapping[int, int],
    members_of: Mapping[int, Set[int]],
    partial_members: Set[int],
    time_of: Mapping[int, float],
    new_time: float,
) -> tuple[int, ...]:
    """Stored singletons that quote the new article and would have joined it, had it come first.

    The mirror of :func:`_partial`'s time rule: a stored article sharing only a
    passage with the new one, newer than it by more than the slack, is the
    quoter. It moves only if it stands alone (nothing else chose its story) and
    the new article is a full member of its story (quotes attach to full members).
    """
    joined = {assignment.story_id, *assignment.merge}
    found = []
    for match in matches:
        other = match.other_id
        story = story_of.get(other)
        if (
            match.kind is not MatchKind.PARTIAL
            or story is None
            or story in joined
            or other in partial_members
            or other in assignment.adopt
            or set(members_of.get(story, ())) != {other}
            or time_of.get(other, new_time) <= new_time + _TIME_SLACK
        ):
            continue
        found.append(other)
    return tuple(sorted(found))


def _assign(
    new: npt.NDArray[np.uint32],
    matches: Sequence[Match],
    story_of: Mapping[int, int],
    shingles_of: Mapping[int, npt.NDArray[np.uint32]],
    partial_members: Set[int],
    time_of: Mapping[int, float],
    new_time: float | None,
    members_of: Mapping[int, Set[int]] | None,
) -> Assignment:
    copy_matches = [m for m in matches if m.kind is MatchKind.COPY]
    adopt = tuple(sorted(m.other_id for m in copy_matches if m.other_id in partial_members))
    copies = _groups([m for m in copy_matches if m.other_id not in partial_members], story_of)
    if members_of is not None:
        copies = {
            story: group
            for story, group in copies.items()
            if _in_story_text(
                new, group, members_of.get(story, set()) - partial_members, shingles_of
            )
        }
    if not copies:
        if adopt:
            return Assignment(story_id=None, adopt=adopt)
        quoted = [
            m for m in matches if m.kind is MatchKind.PARTIAL and m.other_id not in partial_members
        ]
        return _partial(quoted, story_of, time_of, new_time)
    covered = {story: _covered(new, group, shingles_of) for story, group in copies.items()}
    # The story sharing the most text anchors the article; the others merge
    # into it only when they match the same part of the new text.
    anchor = max(covered, key=lambda s: (len(covered[s]), -s))
    merge: list[int] = []
    for story, region in covered.items():
        if story == anchor:
            continue
        common = len(np.intersect1d(covered[anchor], region, assume_unique=True))
        if common >= MERGE_OVERLAP * min(len(region), len(covered[anchor])):
            merge.append(story)
    if not merge:
        return Assignment(story_id=anchor, adopt=adopt)
    survivor = min([anchor, *merge])
    others = tuple(sorted(s for s in [anchor, *merge] if s != survivor))
    return Assignment(story_id=survivor, merge=others, adopt=adopt)


def _in_story_text(
    new: npt.NDArray[np.uint32],
    group: Sequence[Match],
    members: Set[int],
    shingles_of: Mapping[int, npt.NDArray[np.uint32]],
) -> bool:
    """Whether the text the new article shares with this story is the story's own.

    Copying two or more members is proof enough. Copying a single member is not
    when that member holds more than the story: a roundup that quotes story A
    and, in another paragraph, story B sits in A's story; a copy of its B
    paragraph shares nothing with the rest of A's story and must not join it.
    ``members`` are the story's full members only: a partial member holds just a
    quote of the story, so what it lacks says nothing about the story's text.

    The test is overlap with the part of the member the others share, measured
    against the smaller of the two, not the share of the new article's text the
    others hold: when the story's other members are short or edited copies
    (a truncated repost, a copy with sentences dropped), most of what a full
    copy of the origin holds is in no one else, yet it plainly tells the same
    text. A foreign paragraph overlaps the story's part in next to nothing.
    """
    if len(group) > 1:
        return True
    (match,) = group
    others = [shingles_of[m] for m in members if m != match.other_id and m in shingles_of]
    if not others:
        return True
    member = shingles_of[match.other_id]
    region = np.intersect1d(new, member, assume_unique=True)
    # The member's part that is the story's: what it shares with the others.
    story_part = np.intersect1d(member, np.unique(np.concatenate(others)), assume_unique=True)
    common = len(np.intersect1d(region, story_part, assume_unique=True))
    return common >= STORY_TEXT_OVERLAP * min(len(region), len(story_part))


def _partial(
    matches: Sequence[Match],  # partial matches with full members of their stories
    story_of: Mapping[int, int],
    time_of: Mapping[int, float],
    new_time: float | None,
) -> Assignment:
    """Attach a quoting article to the story it quotes most, if it is the quoter."""
    quoted = list(matches)
    if new_time is not None:
        # An article older than the one it shares a passage with is quoted, not
        # quoting: it is the source of its own story.
        quoted = [m for m in quoted if time_of.get(m.other_id, new_time) <= new_time + _TIME_SLACK]
    partials = _groups(quoted, story_of)
    if not partials:
        return Assignment(story_id=None)
    best = max(partials, key=lambda s: (max(m.shared for m in partials[s]), -s))
    return Assignment(story_id=best, partial=True)
