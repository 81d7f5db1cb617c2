"""Queries and writes of the stored data; every function takes its ``Session``.

The pipeline and the CLI call these instead of writing queries inline, so the
SQL of the service lives in one place and runs the same on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from provenance.fingerprint import Fingerprint as FingerprintSketch
from provenance.models import DATE_TRUST, DateClaim, DateSource, Evidence, StoryTrace
from provenance.storage.tables import Article, CopyEdge, Fingerprint, Outlet, Story

#: What a stored fingerprint was made with; changing shingles or MinHash
#: parameters changes it.
FINGERPRINT_SCHEME = "xxh32-k5/minhash-affine32-128-s1"

__all__ = [
    "FINGERPRINT_SCHEME",
    "IndexRow",
    "Restripped",
    "article_by_url",
    "claims_from_json",
    "claims_to_json",
    "count_articles",
    "evidence_to_json",
    "get_or_create_outlet",
    "index_rows",
    "known_time",
    "live_stories",
    "outlet_articles",
    "pending_story_ids",
    "save_trace",
    "shingles_from_bytes",
    "shingles_to_bytes",
    "store_placed",
    "store_restripped",
    "stored_by_url",
    "stored_shingles",
    "story_members",
]


def shingles_to_bytes(shingles: npt.NDArray[np.uint32]) -> bytes:
    """Shingle hashes as little-endian 32-bit integers."""
    return np.asarray(shingles, dtype="<u4").tobytes()


def shingles_from_bytes(raw: bytes) -> npt.NDArray[np.uint32]:
    """The inverse of :func:`shingles_to_bytes`."""
    return np.frombuffer(raw, dtype="<u4").astype(np.uint32)


def claims_to_json(claims: Iterable[DateClaim]) -> list[dict[str, Any]]:
    """Date claims as JSON-ready dicts."""
    return [
        {
            "value": c.value.isoformat(),
            "source": str(c.source),
            "trust": c.trust,
            "detail": c.detail,
        }
        for c in claims
    ]


def claims_from_json(raw: Iterable[dict[str, Any]]) -> tuple[DateClaim, ...]:
    """The inverse of :func:`claims_to_json`."""
    return tuple(
        DateClaim(
            value=datetime.fromisoformat(c["value"]),
            source=DateSource(c["source"]),
            trust=float(c["trust"]),
            detail=str(c.get("detail", "")),
        )
        for c in raw
    )


def evidence_to_json(evidence: Iterable[Evidence]) -> list[dict[str, Any]]:
    """Evidence as JSON-ready dicts (``kind``, ``detail``, ``weight``)."""
    # By hand, not dataclasses.asdict: its deep copy was a tenth of a re-trace.
    return [{"kind": e.kind, "detail": e.detail, "weight": round(e.weight, 3)} for e in evidence]


def get_or_create_outlet(session: Session, *, domain: str, name: str) -> Outlet:
    """The outlet of ``domain``, created with ``name`` when new.

    An outlet first met on a page that declared no name is named after its
    domain; the first real name a later page gives replaces that placeholder
    (declared sources name outlets by name, so the name matters for tracing).
    """
    outlet = session.scalar(select(Outlet).where(Outlet.domain == domain))
    if outlet is None:
        outlet = Outlet(domain=domain, name=name, boilerplate={})
        session.add(outlet)
        session.flush()
    elif outlet.name == outlet.domain and name != domain:
        outlet.name = name
    return outlet


def stored_by_url(session: Session, url_norms: Sequence[str]) -> dict[str, Article]:
    """Stored articles among ``url_norms``, by normalised URL."""
    found: dict[str, Article] = {}
    for start in range(0, len(url_norms), 500):  # stay under bound-parameter limits
        chunk = url_norms[start : start + 500]
        for article in session.scalars(select(Article).where(Article.url_norm.in_(chunk))):
            found[article.url_norm] = article
    return found


def article_by_url(session: Session, url_norm: str) -> Article | None:
    """The article stored under ``url_norm`` or whose canonical URL it is."""
    article = session.scalar(select(Article).where(Article.url_norm == url_norm))
    if article is None:
        article = session.scalar(
            select(Article).where(Article.canonical_url == url_norm).order_by(Article.id)
        )
    return article


@dataclass(frozen=True, slots=True)
class IndexRow:
    """What the in-memory match index keeps of a stored article."""

    article_id: int
    url_norm: str
    outlet_id: int
    story_id: int | None
    partial: bool
    time: datetime | None
    shingles: bytes


#: Dates less trusted than this (guesses, URL dates) do not place an article in time.
_TIME_TRUST = 0.5


def known_time(
    published: datetime | None, source: str | None, fetched: datetime | None
) -> datetime | None:
    """The earliest time an article is known to have existed.

    A trusted publication date, unless it is later than when we first saw the
    page (then it cannot be right); else the first-seen time.
    """
    trusted = (
        published is not None and DATE_TRUST.get(DateSource(source or "fetched"), 0) >= _TIME_TRUST
    )
    if trusted and published is not None and (fetched is None or published <= fetched):
        return published
    return fetched


def index_rows(session: Session) -> Iterator[IndexRow]:
    """The index's view of every fingerprinted article, oldest row first."""
    query = (
        select(
            Article.id,
            Article.outlet_id,
            Article.story_id,
            Article.partial,
            Article.published_at,
            Article.published_source,
            Article.fetched_at,
            Fingerprint.shingles,
            Article.url_norm,
        )
        .join(Fingerprint, Fingerprint.article_id == Article.id)
        .order_by(Article.id)
    )
    for row in session.execute(query).yield_per(2000):
        time = known_time(row[4], row[5], row[6])
        yield IndexRow(
            int(row[0]), str(row[8]), int(row[1]), row[2], bool(row[3]), time, bytes(row[7])
        )


def stored_shingles(session: Session, article_ids: Iterable[int]) -> dict[int, bytes]:
    """The stored shingle hashes (in reading order) of fingerprinted articles, by id."""
    query = select(Fingerprint.article_id, Fingerprint.shingles).where(
        Fingerprint.article_id.in_(sorted(set(article_ids)))
    )
    return {int(aid): bytes(raw) for aid, raw in session.execute(query)}


def store_placed(
    session: Session,
    article: Article,
    *,
    story_id: int | None,
    partial: bool,
    shingles: npt.NDArray[np.uint32],
    fingerprint: FingerprintSketch,
) -> None:
    """Store a new article with its fingerprint row; ``story_id`` may be left for settling."""
    article.story_id = story_id
    article.partial = partial
    session.add(article)
    session.flush()
    session.add(
        Fingerprint(
            article_id=article.id,
            scheme=FINGERPRINT_SCHEME,
            num_shingles=len(shingles),
            signature=shingles_to_bytes(fingerprint.signature.hashvalues),
            shingles=shingles_to_bytes(shingles),
        )
    )


def outlet_articles(session: Session, outlet_id: int) -> list[Article]:
    """The outlet's articles that are in the match index (status ``ok``), oldest row first."""
    query = select(Article).where(Article.outlet_id == outlet_id, Article.status == "ok")
    return list(session.scalars(query.order_by(Article.id)))


@dataclass(frozen=True, slots=True)
class Restripped:
    """A stored article's body stripped again with more of its outlet's boilerplate.

    Attributes:
        text: The new text.
        read_more: Whether it ends in a "read more" pointer.
        shingles: Its shingle hashes in reading order.
        fingerprint: Its signature, or ``None`` when too little is left to match.
    """

    text: str
    read_more: bool
    shingles: npt.NDArray[np.uint32]
    fingerprint: FingerprintSketch | None


def store_restripped(session: Session, article: Article, change: Restripped) -> None:
    """Store a stored article's text stripped again, with boilerplate its outlet learnt since.

    With ``change.fingerprint`` ``None`` nothing but boilerplate is left: the
    article leaves the index and its story, as if it had been stored so. Its
    story is marked for tracing either way (its text changed).
    """
    article.text = change.text
    article.read_more = change.read_more
    if article.story_id is not None:
        session.get_one(Story, article.story_id).needs_trace = True
    row = session.get_one(Fingerprint, article.id)
    if change.fingerprint is None:
        article.status = "boilerplate"
        article.story_id = None
        article.partial = False
        session.delete(row)
        gone = (CopyEdge.child_id == article.id) | (CopyEdge.parent_id == article.id)
        session.execute(delete(CopyEdge).where(gone))
        return
    row.num_shingles = len(change.shingles)
    row.signature = shingles_to_bytes(change.fingerprint.signature.hashvalues)
    row.shingles = shingles_to_bytes(change.shingles)


def pending_story_ids(session: Session) -> list[int]:
    """Stories whose membership changed since they were last traced."""
    query = select(Story.id).where(Story.needs_trace.is_(True), Story.merged_into.is_(None))
    return list(session.scalars(query.order_by(Story.id)))


def story_members(session: Session, story_id: int) -> list[tuple[Article, Outlet, bytes]]:
    """Each member of a story with its outlet and shingles, oldest row first."""
    query = (
        select(Article, Outlet, Fingerprint.shingles)
        .join(Outlet, Outlet.id == Article.outlet_id)
        .join(Fingerprint, Fingerprint.article_id == Article.id)
        .where(Article.story_id == story_id)
        .order_by(Article.id)
    )
    return [(a, o, bytes(s)) for a, o, s in session.execute(query).all()]


def save_trace(
    session: Session,
    story: Story,
    trace: StoryTrace,
    *,
    size: int,
    spans: Mapping[int, tuple[int, int]] | None = None,
) -> None:
    """Store a story's trace, replacing its previous copy edges.

    Args:
        session: The open session.
        story: The story row.
        trace: The tracer's verdict.
        size: Number of members.
        spans: Reused character span of each partial member, by article id.
    """
    spans = spans or {}
    children = [edge.child_id for edge in trace.edges]
    session.execute(delete(CopyEdge).where(CopyEdge.story_id == story.id))
    if children:  # an article may carry an edge from a story it has left
        session.execute(delete(CopyEdge).where(CopyEdge.child_id.in_(children)))
    session.add_all(
        CopyEdge(
            story_id=story.id,
            parent_id=edge.parent_id,
            child_id=edge.child_id,
            relation=str(edge.relation),
            similarity=edge.similarity,
            confidence=edge.confidence,
            evidence=evidence_to_json(edge.evidence),
            credit=edge.credit,
            span_start=spans[edge.child_id][0] if edge.child_id in spans else None,
            span_end=spans[edge.child_id][1] if edge.child_id in spans else None,
        )
        for edge in trace.edges
    )
    story.origin_article_id = trace.origin_id
    story.confidence = trace.confidence
    story.first_published_at = trace.first_published_at
    story.origin_evidence = evidence_to_json(trace.origin_evidence)
    story.size = size
    story.needs_trace = False
    story.traced_at = datetime.now(UTC)


def live_stories(session: Session, *, limit: int | None = None, offset: int = 0) -> list[Story]:
    """Stories that are not aliases and have members, largest first."""
    query = (
        select(Story)
        .where(Story.merged_into.is_(None), Story.size > 0)
        .order_by(Story.size.desc(), Story.id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def count_articles(session: Session) -> int:
    """Number of stored articles."""
    return int(session.scalar(select(func.count(Article.id))) or 0)
