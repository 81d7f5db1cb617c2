"""The match graph around an article, read from the shared index within one transaction.

Settling stories (:mod:`provenance.settle`) walks the connected component of a
new article in the match graph. The graph is not stored: an article's
neighbours are the articles sharing one of its band keys (recomputed from its
stored shingles, the keys it was filed under) that pass verification, exactly
as the embedded index finds them. What an article is (shingles, outlet, time,
URL) never changes after commit and is read once per transaction; who holds a
band key is read again on every call, because other workers commit meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.distributed.bands import band_keys
from provenance.distributed.index_store import key_holders
from provenance.fingerprint import FingerprintOptions, fingerprint_shingles
from provenance.match import compare_shingles, shingle_set
from provenance.models import Match
from provenance.settle import PlacedArticle
from provenance.storage import repository as repo
from provenance.storage.tables import Article, Fingerprint

__all__ = ["KnownArticle", "MatchGraph"]


@dataclass(frozen=True, slots=True)
class KnownArticle:
    """What matching and settling need of a stored article.

    Attributes:
        id: The article id.
        url: Its normalised URL.
        outlet_id: Its outlet.
        time: Its best known time.
        shingles: Its shingle set (sorted, distinct).
        stored: Its shingle hashes as stored, in reading order.
    """

    id: int
    url: str
    outlet_id: int
    time: datetime | None
    shingles: npt.NDArray[np.uint32]
    stored: bytes

    def placed(self) -> PlacedArticle:
        """The article as :func:`provenance.settle.settle_component` takes it."""
        time = self.time.timestamp() if self.time is not None else None
        return PlacedArticle(self.id, self.url, time, self.shingles)


class MatchGraph:
    """Verified matches between stored articles, read on demand in one session.

    Args:
        session: The open transaction.
        options: Signature parameters of the stored fingerprints.
    """

    def __init__(self, session: Session, options: FingerprintOptions) -> None:
        self._session = session
        self._options = options
        self._known: dict[int, KnownArticle] = {}
        self._keys: dict[int, list[int]] = {}

    def known(self, ids: Iterable[int]) -> dict[int, KnownArticle]:
        """The fingerprinted articles among ``ids`` (others are left out)."""
        wanted = set(ids)
        missing = sorted(wanted - self._known.keys())
        if missing:
            query = (
                select(
                    Article.id,
                    Article.url_norm,
                    Article.outlet_id,
                    Article.published_at,
                    Article.published_source,
                    Article.fetched_at,
                    Fingerprint.shingles,
                )
                .join(Fingerprint, Fingerprint.article_id == Article.id)
                .where(Article.id.in_(missing))
            )
            for aid, url, outlet, published, source, fetched, raw in self._session.execute(query):
                stored = bytes(raw)
                self._known[int(aid)] = KnownArticle(
                    int(aid),
                    str(url),
                    int(outlet),
                    repo.known_time(published, source, fetched),
                    shingle_set(repo.shingles_from_bytes(stored)),
                    stored,
                )
        return {i: self._known[i] for i in sorted(wanted) if i in self._known}

    def verify(
        self, shingles: npt.NDArray[np.uint32], outlet_id: int, candidates: Iterable[int]
    ) -> list[Match]:
        """Verified matches of a shingle set with the stored ``candidates``."""
        found = []
        for other, known in self.known(candidates).items():
            match = compare_shingles(
                shingles, known.shingles, other_id=other, same_outlet=known.outlet_id == outlet_id
            )
            if match is not None:
                found.append(match)
        return found

    def neighbours(self, ids: list[int]) -> dict[int, list[Match]]:
        """The verified matches of each stored article in ``ids`` (as committed now)."""
        known = self.known(ids)
        for aid in known.keys() - self._keys.keys():
            shingles = repo.shingles_from_bytes(known[aid].stored)
            self._keys[aid] = band_keys(fingerprint_shingles(shingles, options=self._options))
        holders = key_holders(self._session, sorted({k for a in known for k in self._keys[a]}))
        found: dict[int, list[Match]] = {}
        for aid, article in known.items():
            candidates = {h for key in self._keys[aid] for h in holders.get(key, ())} - {aid}
            found[aid] = self.verify(article.shingles, article.outlet_id, candidates)
        return found
