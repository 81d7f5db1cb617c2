"""Matching one new article against the shared index and settling its stories.

This is :meth:`provenance.service.Service._store` for many workers at once, with
the same decisions (:func:`provenance.settle.settle_component` over the new
article's component of the match graph) taken on data read from PostgreSQL
under locks instead of from one process's memory. The locks make each placement
equivalent to running it alone, in some order (two-phase locking: every lock is
held until the transaction commits):

1. the band keys of the new article (:func:`index_store.lock_bands`): any
   stored or concurrent article that could be its candidate shares one, so the
   index lookup that follows cannot miss a copy being placed at the same time;
2. the stories of every member of its component, ``FOR UPDATE`` in id order,
   reading the component and each member's story again after every round of
   locking: a member another worker placed, or a story it created or merged
   meanwhile, is found and locked in turn. Every write of a story's membership
   holds the lock of each story it touches, and an article can join the
   component only by a placement that locks one of its stories, so once all
   are held the component and its stories are those at commit.

What it reads otherwise (shingles, outlets, dates) never changes after commit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.distributed.bands import band_keys
from provenance.distributed.graph import MatchGraph
from provenance.distributed.index_store import candidates, insert_bands, lock_bands
from provenance.fingerprint import FingerprintOptions, fingerprint_shingles
from provenance.match import shingle_set
from provenance.models import Match
from provenance.records import known_article_time
from provenance.settle import PlacedArticle, find_component, settle_component
from provenance.storage import grouping_repository as grouping_repo
from provenance.storage import repository as repo
from provenance.storage.tables import Article, Story

__all__ = ["Placement", "match_shingles", "place_article"]


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a new article went.

    Attributes:
        story_id: Its story.
        retrace: Every live story whose members changed (its own included).
    """

    story_id: int
    retrace: frozenset[int]


@dataclass(frozen=True, slots=True)
class _Component:
    matches: dict[int, list[Match]]
    story_of: dict[int, int | None]
    partial: set[int]


def _lock_component(session: Session, graph: MatchGraph, matches: list[Match]) -> _Component:
    """Lock the stories of a new article's component until it stops changing; return it."""
    locked: set[int] = set()
    while True:
        component = find_component(grouping_repo.UNSTORED, matches, graph.neighbours)
        query = select(Article.id, Article.story_id, Article.partial).where(
            Article.id.in_(sorted(component.keys() - {grouping_repo.UNSTORED}))
        )
        rows = session.execute(query).all()
        story_of: dict[int, int | None] = {grouping_repo.UNSTORED: None}
        story_of |= {int(r[0]): (int(r[1]) if r[1] is not None else None) for r in rows}
        wanted = {s for s in story_of.values() if s is not None} - locked
        if not wanted:
            return _Component(component, story_of, {int(r[0]) for r in rows if r[2]})
        lock = select(Story.id).where(Story.id.in_(sorted(wanted))).order_by(Story.id)
        session.execute(lock.with_for_update()).all()
        locked |= wanted


def place_article(
    session: Session,
    article: Article,
    shingles: npt.NDArray[np.uint32],
    *,
    options: FingerprintOptions,
) -> Placement:
    """Fingerprint, match and store a new article, and settle the stories of its component.

    Args:
        session: An open transaction on PostgreSQL; it holds the locks until commit.
        article: The unsaved article row (its outlet set).
        shingles: Its shingle hashes in reading order (at least ``MIN_SHINGLES``).
        options: Signature parameters.

    Returns:
        The article's story, and the stories to trace.
    """
    fingerprint = fingerprint_shingles(shingles, options=options)
    keys = band_keys(fingerprint)
    lock_bands(session, keys)
    graph = MatchGraph(session, options)
    distinct = shingle_set(fingerprint.shingles)
    matches = graph.verify(distinct, article.outlet_id, candidates(session, keys))
    component = _lock_component(session, graph, matches)
    when = known_article_time(article)
    stamp = when.timestamp() if when is not None else None
    new = PlacedArticle(grouping_repo.UNSTORED, article.url_norm, stamp, distinct)
    members = [known.placed() for known in graph.known(component.matches).values()]
    groups = settle_component([*members, new], component.matches)
    grouping = grouping_repo.apply_grouping(
        session, groups, story_of=component.story_of, partial=component.partial
    )
    repo.store_placed(
        session,
        article,
        story_id=grouping.story_of[grouping_repo.UNSTORED],
        partial=any(grouping_repo.UNSTORED in g.partial for g in groups),
        shingles=shingles,
        fingerprint=fingerprint,
    )
    insert_bands(session, article.id, keys)
    return Placement(grouping.story_of[grouping_repo.UNSTORED], grouping.retrace)


def match_shingles(
    session: Session, shingles: npt.NDArray[np.uint32], *, options: FingerprintOptions
) -> list[Match]:
    """Verified matches of a text's shingles against the shared index; nothing is stored.

    No lock is taken: a read-only lookup needs none, and a copy committed an
    instant later is simply not seen, as with any read.
    """
    fingerprint = fingerprint_shingles(shingles, options=options)
    graph = MatchGraph(session, options)
    return graph.verify(shingle_set(shingles), -1, candidates(session, band_keys(fingerprint)))
