"""Matching one new article against the shared index and giving it its story.

This is :meth:`provenance.service.Service._store` for many workers at once, with
the same decisions (:func:`provenance.cluster.assign_story`) taken on data read
from PostgreSQL under locks instead of from one process's memory. The locks make
each placement equivalent to running it alone, in some order (two-phase
locking: every lock is held until the transaction commits):

1. the band keys of the new article (:func:`index_store.lock_bands`): any
   stored or concurrent article that could be its candidate shares one, so the
   index lookup that follows cannot miss a copy being placed at the same time;
2. the stories of its verified matches, ``FOR UPDATE`` in id order, re-reading
   which story each match is in after every round of locking: a story merged
   meanwhile by another worker is followed to its survivor, which is locked in
   turn. Every write of a story's membership (join, merge, adopt) holds its lock,
   so the members read under it are the members at commit.

What it reads otherwise (shingles, outlets, dates) never changes after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.cluster import Assignment, assign_story
from provenance.distributed.bands import band_keys
from provenance.distributed.index_store import candidates, insert_bands, lock_bands
from provenance.fingerprint import Fingerprint as FingerprintType
from provenance.fingerprint import FingerprintOptions, fingerprint_shingles
from provenance.match import compare_shingles, shingle_set
from provenance.models import Match
from provenance.service import known_article_time
from provenance.storage import repository as repo
from provenance.storage.tables import Article, Fingerprint, Story

__all__ = ["match_shingles", "place_article"]


@dataclass(frozen=True, slots=True)
class _Known:
    shingles: npt.NDArray[np.uint32]
    outlet_id: int
    time: datetime | None


def _known(session: Session, ids: set[int]) -> dict[int, _Known]:
    if not ids:
        return {}
    query = (
        select(
            Article.id,
            Article.outlet_id,
            Article.published_at,
            Article.published_source,
            Article.fetched_at,
            Fingerprint.shingles,
        )
        .join(Fingerprint, Fingerprint.article_id == Article.id)
        .where(Article.id.in_(sorted(ids)))
    )
    return {
        int(row[0]): _Known(
            shingle_set(repo.shingles_from_bytes(bytes(row[5]))),
            int(row[1]),
            repo.known_time(row[2], row[3], row[4]),
        )
        for row in session.execute(query)
    }


def _lock_stories(session: Session, article_ids: list[int]) -> tuple[dict[int, int], set[int]]:
    """Lock the stories of ``article_ids``; return their story and partial flags as locked."""
    locked: set[int] = set()
    while True:
        query = select(Article.id, Article.story_id, Article.partial).where(
            Article.id.in_(article_ids), Article.story_id.is_not(None)
        )
        rows = session.execute(query).all()
        story_of = {int(r[0]): int(r[1]) for r in rows if r[1] is not None}
        wanted = set(story_of.values()) - locked
        if not wanted:
            return story_of, {int(r[0]) for r in rows if r[2]}
        lock = select(Story.id).where(Story.id.in_(sorted(wanted))).order_by(Story.id)
        session.execute(lock.with_for_update()).all()
        locked |= wanted


def _members(
    session: Session, stories: set[int]
) -> tuple[dict[int, set[int]], dict[int, npt.NDArray[np.uint32]]]:
    members: dict[int, set[int]] = {}
    shingles: dict[int, npt.NDArray[np.uint32]] = {}
    if not stories:
        return members, shingles
    query = (
        select(Article.id, Article.story_id, Fingerprint.shingles)
        .join(Fingerprint, Fingerprint.article_id == Article.id)
        .where(Article.story_id.in_(sorted(stories)))
    )
    for aid, sid, raw in session.execute(query):
        if sid is None:  # excluded by the query; the check is for the type checker
            continue
        members.setdefault(int(sid), set()).add(int(aid))
        shingles[int(aid)] = shingle_set(repo.shingles_from_bytes(bytes(raw)))
    return members, shingles


def _verified(
    distinct: npt.NDArray[np.uint32], known: dict[int, _Known], outlet_id: int
) -> list[Match]:
    matches = []
    for other in sorted(known):
        found = compare_shingles(
            distinct,
            known[other].shingles,
            other_id=other,
            same_outlet=known[other].outlet_id == outlet_id,
        )
        if found is not None:
            matches.append(found)
    return matches


def _assign(
    session: Session, article: Article, fingerprint: FingerprintType, keys: list[int]
) -> Assignment:
    distinct = shingle_set(fingerprint.shingles)
    known = _known(session, candidates(session, keys))
    matches = _verified(distinct, known, article.outlet_id)
    story_of, partial = _lock_stories(session, [m.other_id for m in matches])
    members_of, member_shingles = _members(session, set(story_of.values()))
    when = known_article_time(article)
    return assign_story(
        distinct,
        matches,
        story_of=story_of,
        shingles_of={**member_shingles, **{i: k.shingles for i, k in known.items()}},
        partial_members=partial,
        time_of={i: k.time.timestamp() for i, k in known.items() if k.time is not None},
        new_time=when.timestamp() if when else None,
        members_of=members_of,
    )


def place_article(
    session: Session,
    article: Article,
    shingles: npt.NDArray[np.uint32],
    *,
    options: FingerprintOptions,
) -> int:
    """Fingerprint, match, place and store a new article; returns its story id.

    Args:
        session: An open transaction on PostgreSQL; it holds the locks until commit.
        article: The unsaved article row (its outlet set).
        shingles: Its shingle hashes in reading order (at least ``MIN_SHINGLES``).
        options: Signature parameters.

    Returns:
        The id of the story the article is now in.
    """
    fingerprint = fingerprint_shingles(shingles, options=options)
    keys = band_keys(fingerprint)
    lock_bands(session, keys)
    assignment = _assign(session, article, fingerprint, keys)
    story_id = repo.apply_assignment(session, assignment)
    repo.store_placed(
        session,
        article,
        story_id=story_id,
        partial=assignment.partial,
        shingles=shingles,
        fingerprint=fingerprint,
    )
    insert_bands(session, article.id, keys)
    return story_id


def match_shingles(
    session: Session, shingles: npt.NDArray[np.uint32], *, options: FingerprintOptions
) -> list[Match]:
    """Verified matches of a text's shingles against the shared index; nothing is stored.

    No lock is taken: a read-only lookup needs none, and a copy committed an
    instant later is simply not seen, as with any read.
    """
    fingerprint = fingerprint_shingles(shingles, options=options)
    known = _known(session, candidates(session, band_keys(fingerprint)))
    return _verified(shingle_set(shingles), known, -1)
