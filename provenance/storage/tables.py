"""SQLAlchemy models of the stored data.

``article`` holds every page or record we ingested (one row per normalised
URL), with the reference to its raw capture; ``fingerprint`` its shingles and
MinHash; ``story`` the groups of copies with their traced origin; ``copy_edge``
the who-copied-whom tree. The crawler adds ``feed`` (the feeds and sitemaps
polled, with their conditional-GET validators and schedule), ``capture`` (one row
per archived version of a fetched URL, pointing into the WARC files) and
``fetch_failure`` (the last failure of each URL that could not be fetched).
JSON columns hold evidence lists, which are read and written whole and never
queried inside.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "ApiToken",
    "Article",
    "BandLock",
    "Base",
    "Capture",
    "CopyEdge",
    "Feed",
    "FetchFailure",
    "Fingerprint",
    "IngestItem",
    "Job",
    "LshBand",
    "Outlet",
    "Story",
    "StoryEvent",
]


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC on every backend.

    SQLite has no time zones: values come back naive. This type makes every
    value aware (UTC) on the way in and on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _now() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """Declarative base of all tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class Outlet(Base):
    """A publisher, keyed by its registrable domain."""

    __tablename__ = "outlet"

    id: Mapped[int] = mapped_column(primary_key=True)
    domain: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    boilerplate: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Distributed mode: the model learnt a block its stored articles still
    #: carry; they wait to be stripped again (migration 0007).
    restrip_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class Story(Base):
    """A group of articles carrying the same text, with its traced origin."""

    __tablename__ = "story"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin_article_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id", use_alter=True, name="fk_story_origin"), nullable=True
    )
    confidence: Mapped[float | None] = mapped_column(Float, nullable=True)
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    size: Mapped[int] = mapped_column(Integer, default=0)
    origin_evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    merged_into: Mapped[int | None] = mapped_column(ForeignKey("story.id"), nullable=True)
    needs_trace: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    traced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Article(Base):
    """One ingested page or record."""

    __tablename__ = "article"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    url_norm: Mapped[str] = mapped_column(String(2048), unique=True)
    canonical_url: Mapped[str | None] = mapped_column(Text, nullable=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlet.id"), index=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    byline: Mapped[str | None] = mapped_column(Text, nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    blocks: Mapped[list[Any]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    published_source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    dates: Mapped[list[Any]] = mapped_column(JSON, default=list)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    content_sha256: Mapped[str] = mapped_column(String(64))
    capture_path: Mapped[str | None] = mapped_column(Text, nullable=True)
    capture_offset: Mapped[int | None] = mapped_column(Integer, nullable=True)
    capture_length: Mapped[int | None] = mapped_column(Integer, nullable=True)
    capture_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    declared_sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    links: Mapped[list[Any]] = mapped_column(JSON, default=list)
    read_more: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="ok", index=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("story.id"), nullable=True, index=True)
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class Fingerprint(Base):
    """An article's shingles and document MinHash (passages are derived from the shingles)."""

    __tablename__ = "fingerprint"

    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), primary_key=True)
    scheme: Mapped[str] = mapped_column(String(64))
    num_shingles: Mapped[int] = mapped_column(Integer)
    signature: Mapped[bytes] = mapped_column(LargeBinary)
    shingles: Mapped[bytes] = mapped_column(LargeBinary)


class CopyEdge(Base):
    """Child was most likely copied from parent (one row per non-origin member)."""

    __tablename__ = "copy_edge"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id"), index=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("article.id"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("article.id"), unique=True)
    relation: Mapped[str] = mapped_column(String(16))
    similarity: Mapped[float] = mapped_column(Float)
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    credit: Mapped[str] = mapped_column(String(16), default="uncredited")
    span_start: Mapped[int | None] = mapped_column(Integer, nullable=True)
    span_end: Mapped[int | None] = mapped_column(Integer, nullable=True)


class StoryEvent(Base):
    """One re-trace of a story that changed its verdict: what changed, when, why.

    Story ids stay stable across re-traces and merges; this is their history.
    """

    __tablename__ = "story_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    reason: Mapped[str] = mapped_column(String(255))
    size_before: Mapped[int] = mapped_column(Integer)
    size_after: Mapped[int] = mapped_column(Integer)
    origin_before: Mapped[int | None] = mapped_column(Integer, nullable=True)
    origin_after: Mapped[int | None] = mapped_column(Integer, nullable=True)
    confidence_before: Mapped[float | None] = mapped_column(Float, nullable=True)
    confidence_after: Mapped[float | None] = mapped_column(Float, nullable=True)
    changes: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Feed(Base):
    """A feed or sitemap the crawler polls, with its validators and schedule."""

    __tablename__ = "feed"

    id: Mapped[int] = mapped_column(primary_key=True)
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlet.id"), index=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # rss | atom | sitemap | sitemapindex
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(Text, nullable=True)
    poll_interval_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    last_polled_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class Capture(Base):
    """One archived version of a fetched URL: where its response sits in the WARC files.

    A re-fetch whose payload differs from the last capture of the URL adds a row;
    rows are never rewritten, so every version stays on record.
    """

    __tablename__ = "capture"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("article.id"), nullable=True, index=True
    )
    url: Mapped[str] = mapped_column(Text)  # the final URL, after redirects
    url_norm: Mapped[str] = mapped_column(String(2048), index=True)
    requested_url_norm: Mapped[str] = mapped_column(String(2048), index=True)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(255), nullable=True)
    warc_path: Mapped[str] = mapped_column(Text)
    warc_offset: Mapped[int] = mapped_column(BigInteger)  # WARC files pass 2 GiB
    warc_length: Mapped[int] = mapped_column(BigInteger)
    payload_sha256: Mapped[str] = mapped_column(String(64))
    content_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    purpose: Mapped[str] = mapped_column(String(16))  # page | feed | sitemap | robots


class FetchFailure(Base):
    """The last failure to fetch a URL, with its reason (one row per URL)."""

    __tablename__ = "fetch_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    url_norm: Mapped[str] = mapped_column(String(2048), unique=True)
    purpose: Mapped[str] = mapped_column(String(16))
    feed_id: Mapped[int | None] = mapped_column(ForeignKey("feed.id"), nullable=True)
    error_type: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    retryable: Mapped[bool] = mapped_column(Boolean, default=False)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


# -- API (issue 6): access tokens and submission jobs (migration 0004)


class ApiToken(Base):
    """An API access token: only the SHA-256 of its secret is stored, with its scopes."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class Job(Base):
    """A unit of submitted work (a URL to fetch and ingest) and its outcome.

    ``status`` goes queued -> running -> done | failed; ``result`` is the JSON
    outcome of a done job, ``error`` the reason of a failed one.
    """

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    input: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    token_id: Mapped[int | None] = mapped_column(ForeignKey("api_token.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# -- distributed mode (issue 5): staged records and the shared LSH index (migration 0005)


class IngestItem(Base):
    """A record waiting for a worker, or done: the unit of distributed processing.

    A record is *fetched* when it is staged here (from an import file or the
    crawler), *processed* once its article row exists, or *rejected* with a
    reason. PostgreSQL, not the broker, is the truth: the reconciler re-enqueues
    items left ``fetched`` whatever happened to their message.
    """

    __tablename__ = "ingest_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    url_norm: Mapped[str] = mapped_column(String(2048), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(16), default="fetched", index=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    observed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Stories other than its own whose members its placement moved: their
    #: traces are enqueued with its own, on every delivery (migration 0006).
    regrouped: Mapped[list[Any]] = mapped_column(JSON, default=list)
    article_id: Mapped[int | None] = mapped_column(ForeignKey("article.id"), nullable=True)
    story_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_now)


class LshBand(Base):
    """One LSH band key of one article: the shared index all workers match against."""

    __tablename__ = "lsh_band"

    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("article.id"), primary_key=True)


class BandLock(Base):
    """A row per band key, locked (``ON CONFLICT DO UPDATE``) while an article is matched.

    Row locks live in the tuples, not in PostgreSQL's bounded lock table, so an
    article may hold the ~800 band locks it needs without exhausting it.
    """

    __tablename__ = "band_lock"

    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
