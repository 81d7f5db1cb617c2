"""What a worker does with staged items: extract, learn boilerplate, place, trace.

Every step is idempotent, because the broker delivers at least once: an item is
placed only while it is still ``fetched`` (checked under its row lock, in the
transaction that stores its article), an outlet's boilerplate model counts a
page only once (the item's ``observed`` flag flips in the same transaction as
the model), re-stripping an outlet's articles clears its flag in the transaction
that does it (:mod:`provenance.distributed.restrip`), and tracing a story that
needs no trace does nothing. Each article commits on its own, so a killed
worker loses at most the article in flight, and that one is still ``fetched``
for the next delivery or the reconciler.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from provenance.distributed.index_store import require_postgresql
from provenance.distributed.placement import place_article
from provenance.distributed.restrip import hold_placement_lock, restrip_pending_outlets
from provenance.distributed.staging import record_from_json
from provenance.errors import ExtractionError, StorageError
from provenance.fingerprint import FingerprintOptions
from provenance.outlet import outlet_domain, outlet_name
from provenance.printed_dates import dated_by_print
from provenance.records import (
    MIN_SHINGLES,
    PendingArticle,
    article_row,
    body_blocks,
    extract_record,
    outlet_boilerplate,
)
from provenance.shingle import shingle_hashes
from provenance.storage import crawl_repository as crawl_repo
from provenance.storage.tables import Article, IngestItem, Outlet, Story
from provenance.stories import outlet_clocks, retrace_on_new_clocks, trace_stored_story

__all__ = ["ProcessResult", "process_items", "trace_story", "transient_errors"]

#: SQLSTATEs of failures that a retry cures: serialization failure, deadlock.
_RETRYABLE_STATES = frozenset({"40001", "40P01"})


@dataclass
class ProcessResult:
    """What a ``process`` task did.

    Attributes:
        stored: Articles stored (empty and boilerplate-only pages included).
        skipped: Items already processed, or whose URL was stored already.
        rejected: Items whose page could not be read.
        stories: Stories of the batch's articles that need tracing (including
            those placed by an earlier, interrupted delivery of the batch).
    """

    stored: int = 0
    skipped: int = 0
    rejected: int = 0
    stories: set[int] = field(default_factory=set)


@contextmanager
def transient_errors() -> Iterator[None]:
    """Turn a deadlock, serialization failure or lost connection into StorageError.

    Those pass on retry; the tasks retry only StorageError (STYLE.md §5).
    """
    try:
        yield
    except DBAPIError as exc:
        state = getattr(exc.orig, "sqlstate", None)
        if exc.connection_invalidated or state in _RETRYABLE_STATES:
            raise StorageError(f"transient database failure: {exc.orig}") from exc
        raise


def _now() -> datetime:
    return datetime.now(UTC)


def _claim(
    sessions: sessionmaker[Session], ids: Sequence[int]
) -> list[tuple[int, str, dict[str, Any]]]:
    with sessions.begin() as session:
        require_postgresql(session)
        rows = session.execute(
            update(IngestItem)
            .where(IngestItem.id.in_(list(ids)), IngestItem.state == "fetched")
            .values(attempts=IngestItem.attempts + 1, claimed_at=_now())
            .returning(IngestItem.id, IngestItem.url_norm, IngestItem.payload)
        ).all()
    return sorted((int(r[0]), str(r[1]), dict(r[2])) for r in rows)


def _outlet(session: Session, domain: str, name: str) -> Outlet:
    # Two workers may meet a new outlet at once: insert-or-nothing, then read.
    session.execute(
        postgresql.insert(Outlet)
        .values(domain=domain, name=name, boilerplate={}, restrip_pending=False, created_at=_now())
        .on_conflict_do_nothing(index_elements=["domain"])
    )
    return session.execute(select(Outlet).where(Outlet.domain == domain)).scalar_one()


def _finish(session: Session, item_id: int, outcome: str, **values: object) -> None:
    session.execute(
        update(IngestItem)
        .where(IngestItem.id == item_id)
        .values(
            state="rejected" if outcome == "rejected" else "processed",
            outcome=outcome,
            processed_at=_now(),
            **values,
        )
    )


@dataclass
class _Work:
    item_id: int
    pending: PendingArticle


def _extract_items(
    sessions: sessionmaker[Session],
    items: list[tuple[int, str, dict[str, Any]]],
    result: ProcessResult,
) -> list[_Work]:
    """Extract every claimed item (no transaction is open meanwhile: it is CPU work)."""
    extracted = []
    for item_id, url_norm, payload in items:
        record = record_from_json(payload)
        try:
            page = extract_record(record)
        except ExtractionError as exc:
            with sessions.begin() as session:
                _finish(session, item_id, "rejected", error=str(exc))
            result.rejected += 1
            continue
        extracted.append((item_id, url_norm, record, page))
    work = []
    with sessions.begin() as session:
        for item_id, url_norm, record, page in extracted:
            name = record.outlet or outlet_name(url_norm, page.site_name)
            outlet = _outlet(session, outlet_domain(url_norm), name)
            sha = hashlib.sha256((record.html or record.text or "").encode("utf-8")).hexdigest()
            work.append(_Work(item_id, PendingArticle(record, url_norm, page, outlet, sha)))
    return work


def _observe(session: Session, outlet_id: int, work: list[_Work]) -> None:
    """Count the pages not counted yet into the outlet's model; flag it if it grew."""
    outlet = session.execute(
        select(Outlet).where(Outlet.id == outlet_id).with_for_update()
    ).scalar_one()
    model = outlet_boilerplate(outlet)
    known = model.boilerplate_keys()
    ids = [w.item_id for w in work]
    fresh = set(
        session.scalars(
            update(IngestItem)
            .where(IngestItem.id.in_(ids), IngestItem.observed.is_(False))
            .values(observed=True)
            .returning(IngestItem.id)
        )
    )
    for w in work:
        if w.item_id in fresh:
            model.observe(w.pending.page.blocks)
    outlet.boilerplate = model.to_dict()
    if model.boilerplate_keys() != known:
        # Its stored articles may carry the new blocks (restrip_pending_outlets).
        outlet.restrip_pending = True


def _learn_boilerplate(sessions: sessionmaker[Session], work: list[_Work]) -> None:
    """Let each outlet's model observe this batch's pages, once each.

    As in the embedded chunk, the whole batch is observed before any page is
    stripped. The outlet rows are locked in id order, so concurrent batches add
    their counts one after the other instead of overwriting each other's. A page
    is stripped with its outlet's model as it is when the page is stored;
    whatever the model learns later is stripped from it afterwards, so the text
    does not depend on which worker got there first.
    """
    by_outlet: dict[int, list[_Work]] = {}
    for w in work:
        by_outlet.setdefault(w.pending.outlet.id, []).append(w)
    with sessions.begin() as session:
        for outlet_id in sorted(by_outlet):
            _observe(session, outlet_id, by_outlet[outlet_id])


def _store(
    sessions: sessionmaker[Session],
    w: _Work,
    options: FingerprintOptions,
    result: ProcessResult,
) -> None:
    p = w.pending
    with sessions.begin() as session:
        item = session.execute(
            select(IngestItem).where(IngestItem.id == w.item_id).with_for_update()
        ).scalar_one()
        if item.state != "fetched":  # a duplicate delivery got here first
            result.skipped += 1
            return
        stored = session.scalar(select(Article).where(Article.url_norm == p.url_norm))
        if stored is not None:
            same = stored.content_sha256 == p.sha256
            _finish(session, w.item_id, "unchanged" if same else "changed", article_id=stored.id)
            result.skipped += 1
            return
        hold_placement_lock(session)  # before reading the model: see restrip
        outlet = session.execute(select(Outlet).where(Outlet.id == p.outlet.id)).scalar_one()
        model = outlet_boilerplate(outlet)
        blocks = body_blocks(model.strip(p.page.blocks), p.record.title or p.page.title)
        text = "\n\n".join(blocks)
        shingles = shingle_hashes(text)
        article = article_row(p, blocks, text)
        story_id: int | None = None
        regrouped: list[int] = []
        if len(shingles) < MIN_SHINGLES:
            article.status = "empty" if not p.page.blocks else "boilerplate"
            session.add(article)
            session.flush()
        else:
            placement = place_article(session, article, shingles, options=options)
            story_id = placement.story_id
            regrouped = sorted(placement.retrace - {story_id})
            result.stories |= placement.retrace
        crawl_repo.link_captures(session, [p.url_norm])
        _finish(
            session,
            w.item_id,
            "stored",
            article_id=article.id,
            story_id=story_id,
            regrouped=regrouped,
        )
        result.stored += 1


def process_items(
    sessions: sessionmaker[Session],
    item_ids: Sequence[int],
    *,
    options: FingerprintOptions | None = None,
) -> ProcessResult:
    """Process staged items into articles and stories.

    Args:
        sessions: Session factory of the PostgreSQL database.
        item_ids: Ids of ``ingest_item`` rows; done or unknown ones are skipped.
        options: Signature parameters (the defaults are the embedded mode's).

    Returns:
        What was done, with the stories to trace.

    Raises:
        StorageError: A transient database failure (retry the task).
        ConfigError: The database is not PostgreSQL.
    """
    opts = options or FingerprintOptions()
    result = ProcessResult()
    with transient_errors():
        items = _claim(sessions, item_ids)
        result.skipped += len(set(item_ids)) - len(items)
        work = _extract_items(sessions, items, result)
        _learn_boilerplate(sessions, work)
        printed = {w.pending.outlet.id for w in work if dated_by_print(w.pending.page.dates)}
        with sessions() as session:
            clocks = outlet_clocks(session, printed)
        for w in work:
            _store(sessions, w, opts, result)
        # Any outlet's, not only this batch's: a delivery killed after its
        # observation left the flag for whoever comes next.
        restripped = restrip_pending_outlets(sessions, options=opts)
        result.stories = _untraced(sessions, item_ids) | restripped
        if printed:
            with sessions.begin() as session:
                result.stories |= set(retrace_on_new_clocks(session, clocks, printed))
    return result


def _untraced(sessions: sessionmaker[Session], item_ids: Sequence[int]) -> set[int]:
    """Stories the batch's placements changed that still wait for a trace.

    Read from the database rather than collected while placing: a delivery
    killed after placing some articles is redelivered, skips those, and must
    still enqueue their traces. Those are the stories of the batch's articles
    and the other stories their placements regrouped (recorded on each item).
    """
    own = (
        select(Story.id)
        .join(Article, Article.story_id == Story.id)
        .join(IngestItem, IngestItem.article_id == Article.id)
        .where(IngestItem.id.in_(list(item_ids)), Story.needs_trace.is_(True))
        .distinct()
    )
    regrouped = select(IngestItem.regrouped).where(IngestItem.id.in_(list(item_ids)))
    with sessions() as session:
        found = set(session.scalars(own))
        others = {int(s) for ids in session.scalars(regrouped) for s in ids or ()}
        if others:
            pending = select(Story.id).where(
                Story.id.in_(sorted(others)),
                Story.needs_trace.is_(True),
                Story.merged_into.is_(None),
            )
            found |= set(session.scalars(pending))
        return found


def trace_story(sessions: sessionmaker[Session], story_id: int) -> bool:
    """Trace a story if it still needs it; returns whether it was traced.

    The story row is locked first, so no member can join while its trace is
    computed: a trace never saves a verdict (and clears ``needs_trace``) for a
    membership that has already changed.

    Raises:
        StorageError: A transient database failure (retry the task).
    """
    with transient_errors(), sessions.begin() as session:
        story = session.execute(
            select(Story).where(Story.id == story_id).with_for_update()
        ).scalar_one_or_none()
        if story is None or not story.needs_trace or story.merged_into is not None:
            return False
        trace_stored_story(session, story_id)
        return True
