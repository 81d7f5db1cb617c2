"""The checks of ``benchmarks/reliability.py``: the audit of a database after a
scenario, and the concurrent-upsert race."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance.distributed.staging import stage_records
from provenance.raw_record import RawRecord
from provenance.storage.db import connect, migrate
from provenance.storage.tables import Article, Fingerprint, IngestItem

__all__ = ["Figures", "audit", "upsert_race"]


@dataclass
class Figures:
    """What must be zero after every scenario.

    Attributes:
        lost: Staged records without their stored article.
        duplicates: Rows more than one per URL (articles, fingerprints, items).
        orphan_rows: Article rows whose archived capture is missing or truncated.
        digest_mismatches: Captures whose bytes no longer hash to the recorded SHA-256.
    """

    lost: int = 0
    duplicates: int = 0
    orphan_rows: int = 0
    digest_mismatches: int = 0

    def add(self, other: Figures) -> None:
        """Accumulate another scenario's figures."""
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)


def _count(session: Session, *columns: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(*columns)) or 0)


def _duplicates(session: Session) -> int:
    articles = _count(session, Article)
    urls = int(session.scalar(select(func.count(func.distinct(Article.url_norm)))) or 0)
    prints = _count(session, Fingerprint)
    printed = int(session.scalar(select(func.count(func.distinct(Fingerprint.article_id)))) or 0)
    stored = int(
        session.scalar(
            select(func.count(func.distinct(IngestItem.article_id))).where(
                IngestItem.article_id.is_not(None)
            )
        )
        or 0
    )
    # An article row no item accounts for would be a second copy of some record.
    return (articles - urls) + (prints - printed) + max(0, articles - stored)


def _capture_figures(session: Session) -> tuple[int, int]:
    orphans = mismatches = 0
    query = select(
        Article.capture_path, Article.capture_offset, Article.capture_length, Article.capture_sha256
    )
    for path, offset, length, digest in session.execute(query):
        if path is None or offset is None or length is None or not os.path.exists(path):
            orphans += 1
            continue
        with open(path, "rb") as handle:
            handle.seek(offset)
            raw = handle.read(length)
        if len(raw) != length:
            orphans += 1
        elif hashlib.sha256(raw).hexdigest() != digest:
            mismatches += 1
    return orphans, mismatches


def audit(session: Session, staged: int) -> Figures:
    """Check a database after a scenario in which ``staged`` records were submitted."""
    stored = int(
        session.scalar(
            select(func.count())
            .select_from(IngestItem)
            .join(Article, Article.id == IngestItem.article_id)
            .where(IngestItem.state == "processed")
        )
        or 0
    )
    orphans, mismatches = _capture_figures(session)
    return Figures(
        lost=staged - stored,
        duplicates=_duplicates(session),
        orphan_rows=orphans,
        digest_mismatches=mismatches,
    )


def _records(count: int) -> list[RawRecord]:
    now = datetime.now(UTC)
    return [
        RawRecord(
            n,
            f"https://race{n % 17}.test/story/{n}",
            None,
            f"text {n}",
            None,
            None,
            now,
            None,
            None,
        )
        for n in range(count)
    ]


def _upserter(url: str, count: int, barrier: Barrier, out: Any) -> None:
    errors = locked = 0
    engine, sessions = connect(url)
    records = _records(count)
    barrier.wait()
    try:
        with sessions.begin() as session:
            stage_records(session, records)
    except Exception as exc:  # counted: the figure is the number of failures
        errors += 1
        locked += "database is locked" in str(exc)
    engine.dispose()
    out.put((errors, locked))


def upsert_race(url: str, *, processes: int, urls: int) -> dict[str, int]:
    """``processes`` processes stage the same ``urls`` records at the same instant.

    Returns:
        ``rows`` (item rows afterwards), ``errors`` and ``locked`` (failures
        reading "database is locked").
    """
    engine, sessions = connect(url)
    migrate(engine)
    context = multiprocessing.get_context("fork")
    barrier, out = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=_upserter, args=(url, urls, barrier, out)) for _ in range(processes)
    ]
    for w in workers:
        w.start()
    results = [out.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(60)
    with sessions() as session:
        rows = _count(session, IngestItem)
    engine.dispose()
    return {
        "rows": rows,
        "errors": sum(r[0] for r in results),
        "locked": sum(r[1] for r in results),
    }


def database_file(url: str) -> Path:
    """The file of a ``sqlite:///`` URL."""
    return Path(url.removeprefix("sqlite:///"))
