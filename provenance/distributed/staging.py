"""Staging: records become ``ingest_item`` rows before any worker sees them.

An item is written (and committed) first and only its id travels through the
broker, so a lost message loses nothing: the reconciler finds the item still
``fetched``. Staging is an upsert on the normalised URL, safe to run from many
processes at once on PostgreSQL and on SQLite; a URL staged twice keeps its
first record, as an ingest never overwrites a stored article.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from provenance.errors import InputError
from provenance.raw_record import CaptureRef, RawRecord
from provenance.storage import repository as repo
from provenance.storage.tables import IngestItem
from provenance.urls import normalize_url

__all__ = ["StageReport", "record_from_json", "record_to_json", "stage_records"]

_CHUNK = 500  # rows per statement, under every backend's bound-parameter limit


@dataclass
class StageReport:
    """What a staging did.

    Attributes:
        ready: Ids of the items for these records still waiting to be processed
            (new ones and ones staged before): the ids to enqueue.
        rejected: Records whose URL could not be normalised.
    """

    ready: list[int] = field(default_factory=list)
    rejected: list[InputError] = field(default_factory=list)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _when(value: object) -> datetime | None:
    return datetime.fromisoformat(str(value)) if value else None


def record_to_json(record: RawRecord) -> dict[str, Any]:
    """A record as JSON-ready data (the inverse of :func:`record_from_json`)."""
    capture = record.capture
    return {
        "line": record.line,
        "url": record.url,
        "html": record.html,
        "text": record.text,
        "title": record.title,
        "published_at": _iso(record.published_at),
        "fetched_at": _iso(record.fetched_at),
        "outlet": record.outlet,
        "capture": [capture.path, capture.offset, capture.length, capture.sha256]
        if capture
        else None,
        "content_type": record.content_type,
        "http_charset": record.http_charset,
        "dates": repo.claims_to_json(record.dates),
    }


def record_from_json(data: dict[str, Any]) -> RawRecord:
    """Rebuild a record saved by :func:`record_to_json`."""
    capture = data.get("capture")
    return RawRecord(
        line=int(data["line"]),
        url=str(data["url"]),
        html=data.get("html"),
        text=data.get("text"),
        title=data.get("title"),
        published_at=_when(data.get("published_at")),
        fetched_at=_when(data.get("fetched_at")),
        outlet=data.get("outlet"),
        capture=CaptureRef(str(capture[0]), int(capture[1]), int(capture[2]), str(capture[3]))
        if capture
        else None,
        content_type=data.get("content_type"),
        http_charset=data.get("http_charset"),
        dates=repo.claims_from_json(data.get("dates") or []),
    )


def _upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    dialect = session.get_bind().dialect.name
    statement: Insert
    if dialect == "postgresql":
        statement = postgresql.insert(IngestItem).on_conflict_do_nothing(
            index_elements=["url_norm"]
        )
    elif dialect == "sqlite":
        statement = sqlite.insert(IngestItem).on_conflict_do_nothing(index_elements=["url_norm"])
    else:  # pragma: no cover - connect() accepts only the two
        raise ValueError(f"no upsert for {dialect}")
    session.execute(statement, rows)


def stage_records(session: Session, records: Iterable[RawRecord]) -> StageReport:
    """Stage records as ingest items (the caller commits, then enqueues ``ready``).

    Args:
        session: An open session (in a transaction).
        records: The records.

    Returns:
        The ids to enqueue and the records refused.
    """
    report = StageReport()
    now = datetime.now(UTC)
    rows: dict[str, dict[str, Any]] = {}
    for record in records:
        try:
            url_norm = normalize_url(record.url)
        except ValueError as exc:
            report.rejected.append(InputError(str(exc), line=record.line))
            continue
        rows.setdefault(url_norm, _row(url_norm, record, now))
    # Sorted, so that concurrent stagings lock the same keys in the same order.
    urls: Sequence[str] = sorted(rows)
    for start in range(0, len(urls), _CHUNK):
        chunk = urls[start : start + _CHUNK]
        _upsert(session, [rows[u] for u in chunk])
        query = select(IngestItem.id).where(
            IngestItem.url_norm.in_(chunk), IngestItem.state == "fetched"
        )
        report.ready.extend(session.scalars(query.order_by(IngestItem.id)))
    return report


def _row(url_norm: str, record: RawRecord, now: datetime) -> dict[str, Any]:
    return {
        "url_norm": url_norm,
        "payload": record_to_json(record),
        "state": "fetched",
        "observed": False,
        "attempts": 0,
        "enqueued_at": now,
        "created_at": now,
    }
