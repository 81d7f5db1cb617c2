"""SQLAlchemy models of the stored data.

``article`` holds every page or record we ingested (one row per normalised
URL), with the reference to its raw capture; ``fingerprint`` its shingles and
MinHash; ``story`` the groups of copies with their traced origin; ``copy_edge``
the who-copied-whom tree. JSON columns hold evidence lists, which are read and
written whole and never queried inside.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
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

__all__ = ["Article", "Base", "CopyEdge", "Fingerprint", "Outlet", "Story"]


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
