"""The embedded mode's in-memory view of the stored articles, and the settling of stories.

:class:`ArticleIndex` is what :class:`provenance.service.Service` matches new
articles against: the LSH index, each article's shingle set, outlet, URL, best
known time, story and partial flag, and the match graph that settling walks
(:mod:`provenance.settle`). It is rebuilt from the database when a service
opens or after a chunk rolled back; an article's matches with older articles
are verified again only when settling first needs them, so opening stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from provenance.fingerprint import Fingerprint, FingerprintOptions, LSHIndex, fingerprint_shingles
from provenance.match import compare_shingles, shingle_set
from provenance.models import Match
from provenance.settle import (
    PlacedArticle,
    find_component,
    reverse_match,
    settle_component,
)
from provenance.storage import grouping_repository as grouping_repo
from provenance.storage import repository as repo

__all__ = ["ArticleIndex"]


class ArticleIndex:
    """Stored articles in memory: candidates, verified matches, stories.

    Args:
        options: Signature parameters (those the stored fingerprints were made with).
    """

    def __init__(self, options: FingerprintOptions) -> None:
        self._options = options
        self._lsh = LSHIndex(num_perm=options.num_perm)
        self._shingles: dict[int, npt.NDArray[np.uint32]] = {}
        self._outlet_of: dict[int, int] = {}
        self._url_of: dict[int, str] = {}
        self._time_of: dict[int, float] = {}
        self.story_of: dict[int, int] = {}
        self.partial: set[int] = set()
        #: Each article's verified matches, for the articles whose matches are known.
        self._neighbours: dict[int, list[Match]] = {}

    @classmethod
    def load(cls, session: Session, options: FingerprintOptions) -> ArticleIndex:
        """The index of every fingerprinted article stored in the database."""
        index = cls(options)
        for row in repo.index_rows(session):
            shingles = repo.shingles_from_bytes(row.shingles)
            index.add(
                row.article_id,
                fingerprint_shingles(shingles, options=options),
                outlet_id=row.outlet_id,
                url=row.url_norm,
                time=row.time,
                story=(row.story_id, row.partial) if row.story_id is not None else None,
            )
        return index

    def matches(self, fingerprint: Fingerprint, outlet_id: int) -> list[Match]:
        """Verified matches of a text (its fingerprint) with the indexed articles."""
        return self._verified(self._lsh.candidates(fingerprint), fingerprint, outlet_id)

    def _verified(
        self, candidates: set[int], fingerprint: Fingerprint, outlet_id: int, *, own: int = -1
    ) -> list[Match]:
        distinct = shingle_set(fingerprint.shingles)
        found = []
        for other in sorted(candidates - {own}):
            match = compare_shingles(
                distinct,
                self._shingles[other],
                other_id=other,
                same_outlet=self._outlet_of.get(other) == outlet_id,
            )
            if match is not None:
                found.append(match)
        return found

    def add(
        self,
        article_id: int,
        fingerprint: Fingerprint,
        *,
        outlet_id: int,
        url: str,
        time: datetime | None,
        matches: Sequence[Match] | None = None,
        story: tuple[int, bool] | None = None,
    ) -> None:
        """Index a stored article.

        Args:
            article_id: Its id.
            fingerprint: Its fingerprint.
            outlet_id: Its outlet.
            url: Its normalised URL.
            time: Its best known time.
            matches: Its verified matches, when just computed.
            story: Its story and partial flag, when it has one.
        """
        if story is not None:
            self.story_of[article_id] = story[0]
            if story[1]:
                self.partial.add(article_id)
        self._outlet_of[article_id] = outlet_id
        self._url_of[article_id] = url
        if time is not None:
            self._time_of[article_id] = time.timestamp()
        self._insert(article_id, fingerprint, matches)

    def _insert(
        self, article_id: int, fingerprint: Fingerprint, matches: Sequence[Match] | None
    ) -> None:
        self._lsh.insert(article_id, fingerprint)
        self._shingles[article_id] = shingle_set(fingerprint.shingles)
        if matches is not None:
            self._neighbours[article_id] = list(matches)
            for match in matches:
                known = self._neighbours.get(match.other_id)
                if known is not None:
                    known.append(reverse_match(match, article_id))

    def retime(self, article_id: int, time: datetime | None) -> bool:
        """Take a new best known time for an indexed article; returns whether it changed."""
        if article_id not in self._shingles:
            return False
        old = self._time_of.pop(article_id, None)
        if time is not None:
            self._time_of[article_id] = time.timestamp()
        return old != self._time_of.get(article_id)

    def _neighbour_matches(self, session: Session, ids: list[int]) -> dict[int, list[Match]]:
        missing = [i for i in ids if i not in self._neighbours]
        stored = repo.stored_shingles(session, missing) if missing else {}
        for article_id, raw in stored.items():
            fingerprint = fingerprint_shingles(repo.shingles_from_bytes(raw), options=self._options)
            candidates = self._lsh.candidates(fingerprint)
            outlet = self._outlet_of[article_id]
            self._neighbours[article_id] = self._verified(
                candidates, fingerprint, outlet, own=article_id
            )
        return {i: self._neighbours.get(i, []) for i in ids}

    def settle_new(
        self,
        session: Session,
        shingles: npt.NDArray[np.uint32],
        matches: Sequence[Match],
        *,
        url: str,
        time: datetime | None,
    ) -> tuple[int, bool]:
        """Settle the component a new article joins, before its row is stored.

        Args:
            session: The open session.
            shingles: The new article's shingle set.
            matches: Its verified matches (from :meth:`matches`).
            url: Its normalised URL.
            time: Its best known time.

        Returns:
            Its story id, and whether it is a partial member (store it so, then
            :meth:`add` it).
        """
        stamp = time.timestamp() if time is not None else None
        new = PlacedArticle(grouping_repo.UNSTORED, url, stamp, shingles)
        story_of, partial = self._settle(session, grouping_repo.UNSTORED, list(matches), new)
        return story_of[grouping_repo.UNSTORED], partial

    def settle(self, session: Session, article_id: int) -> set[int]:
        """Settle the component of a stored article again; returns the component's ids."""
        start = self._neighbour_matches(session, [article_id])[article_id]
        return set(self._settle(session, article_id, start, None)[0])

    def restrip(self, session: Session, article_id: int, fingerprint: Fingerprint | None) -> None:
        """Take a stored article's new text (its outlet learned more boilerplate).

        Its matches are verified again and every component it was or is now in
        is settled again; with ``fingerprint`` ``None`` (nothing but boilerplate
        is left) it leaves the index and its story.
        """
        former = [m.other_id for m in self._neighbour_matches(session, [article_id])[article_id]]
        self._lsh.remove(article_id)
        for other in former:
            known = self._neighbours.get(other)
            if known is not None:
                known[:] = [m for m in known if m.other_id != article_id]
        del self._neighbours[article_id]
        starts = former
        if fingerprint is None:
            for cache in (self._shingles, self._outlet_of, self._url_of, self._time_of):
                cache.pop(article_id, None)
            self.story_of.pop(article_id, None)
            self.partial.discard(article_id)
        else:
            matches = self.matches(fingerprint, self._outlet_of[article_id])
            self._insert(article_id, fingerprint, matches)
            starts = [article_id, *former]
        settled: set[int] = set()
        for start in starts:
            if start not in settled:
                settled |= self.settle(session, start)

    def _settle(
        self, session: Session, start: int, matches: list[Match], new: PlacedArticle | None
    ) -> tuple[dict[int, int], bool]:
        # See provenance.settle: the component's members are replayed in
        # canonical order and the stored stories are made equal to the result.
        component = find_component(
            start, matches, lambda ids: self._neighbour_matches(session, ids)
        )
        members = [
            PlacedArticle(a, self._url_of[a], self._time_of.get(a), self._shingles[a])
            for a in component
            if a != grouping_repo.UNSTORED
        ]
        groups = settle_component([*members, *([new] if new else [])], component)
        grouping = grouping_repo.apply_grouping(
            session,
            groups,
            story_of={a: self.story_of.get(a) for a in component},
            partial=self.partial & component.keys(),
        )
        for group in groups:
            for article in group.members - {grouping_repo.UNSTORED}:
                self.story_of[article] = grouping.story_of[article]
                if article in group.partial:
                    self.partial.add(article)
                else:
                    self.partial.discard(article)
        return grouping.story_of, any(start in g.partial for g in groups)
