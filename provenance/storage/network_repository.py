"""Read-only queries behind the outlet copy network, the same on SQLite and PostgreSQL.

:func:`copy_records` turns every stored copy edge into a
:class:`~provenance.network.CopyRecord` and :func:`outlet_counts` counts each
outlet's articles, copies and originals; the aggregation itself is pure
(:func:`provenance.network.build_network`). Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping, Select, and_, case, func, select
from sqlalchemy.orm import Session, aliased

from provenance.models import DateSource
from provenance.network import CopyRecord, OutletCounts, build_network, is_credited
from provenance.network_graph import OutletNetwork, OutletRef
from provenance.printed_dates import ClockOffset
from provenance.storage.clocks import outlet_clocks
from provenance.storage.repository import known_time
from provenance.storage.tables import Article, CopyEdge, Outlet, Story

__all__ = ["copy_records", "outlet_counts", "outlet_network"]


_Time = tuple[datetime | None, str | None, datetime | None]  # published, its source, first seen
_PRINTED = str(DateSource.PRINTED)


def _placed(time: _Time, clock: ClockOffset | None) -> _Time:
    """A printed wall-clock time placed in UTC by its outlet's learned clock, if any."""
    published, source, seen = time
    if source != _PRINTED or published is None or clock is None:
        return time
    return clock.place(published), str(DateSource.PRINTED_ZONED), seen


def _lag_s(parent: _Time, child: _Time) -> float | None:
    """Child time minus parent time; each time is a trusted date not after first-seen."""
    start, end = known_time(*parent), known_time(*child)
    if start is None or end is None:
        return None
    return (end - start).total_seconds()


def _copy_query() -> Select[Any]:
    parent, child = aliased(Article), aliased(Article)
    source, copier = aliased(Outlet), aliased(Outlet)
    columns: list[Any] = [CopyEdge.relation.label("relation"), CopyEdge.evidence.label("evidence")]
    for role, outlet in (("source", source), ("copier", copier)):
        columns += [
            outlet.id.label(f"{role}_id"),
            outlet.domain.label(f"{role}_domain"),
            outlet.name.label(f"{role}_name"),
        ]
    for role, article in (("parent", parent), ("child", child)):
        columns += [
            article.published_at.label(f"{role}_published"),
            article.published_source.label(f"{role}_source"),
            article.fetched_at.label(f"{role}_fetched"),
        ]
    # The tracer is gaining a credit label per edge; use the column once it exists.
    credit = getattr(CopyEdge, "credit", None)
    if credit is not None:
        columns.append(credit.label("credit"))
    return (
        select(*columns)
        .select_from(CopyEdge)
        .join(parent, parent.id == CopyEdge.parent_id)
        .join(child, child.id == CopyEdge.child_id)
        .join(source, source.id == parent.outlet_id)
        .join(copier, copier.id == child.outlet_id)
        # A child that moved to another story keeps its old edge until that story is traced.
        .where(child.story_id == CopyEdge.story_id)
        .order_by(CopyEdge.id)
    )


def _record(row: RowMapping, clocks: Mapping[int, ClockOffset]) -> CopyRecord:
    parent, child = (
        _placed(
            (row[f"{role}_published"], row[f"{role}_source"], row[f"{role}_fetched"]),
            clocks.get(row[f"{outlet}_id"]),
        )
        for role, outlet in (("parent", "source"), ("child", "copier"))
    )
    return CopyRecord(
        source=OutletRef(row["source_id"], row["source_domain"], row["source_name"]),
        copier=OutletRef(row["copier_id"], row["copier_domain"], row["copier_name"]),
        relation=str(row["relation"]),
        lag_s=_lag_s(parent, child),
        credited=is_credited(row["evidence"] or [], row.get("credit")),
    )


def _clocks(session: Session, rows: Sequence[RowMapping]) -> dict[int, ClockOffset]:
    """The learned clocks of the outlets whose pages in ``rows`` print their wall clock."""
    printing = {
        row[f"{outlet}_id"]
        for row in rows
        for role, outlet in (("parent", "source"), ("child", "copier"))
        if row[f"{role}_source"] == _PRINTED
    }
    return outlet_clocks(session, printing)


def copy_records(session: Session) -> list[CopyRecord]:
    """Every stored copy edge as a :class:`~provenance.network.CopyRecord`, oldest first.

    An edge whose child has since moved to another story (it waits for that
    story's next trace) is left out. A time printed without a zone is placed
    by its outlet's learned clock, as when the story was traced; one whose
    outlet has no clock yet times nothing, and the lag falls back to the
    first-seen time.
    """
    rows = list(session.execute(_copy_query()).mappings())
    clocks = _clocks(session, rows)
    return [_record(row, clocks) for row in rows]


def outlet_counts(session: Session) -> list[OutletCounts]:
    """Each outlet's articles in stories, copies among them and originals, by domain.

    A copy is a member that is not its story's origin; an original is the origin
    of a story with two or more members. A story not traced yet has no origin,
    so its members count as neither.
    """
    is_copy = case(
        (and_(Story.origin_article_id.is_not(None), Story.origin_article_id != Article.id), 1),
        else_=0,
    )
    is_original = case((and_(Story.origin_article_id == Article.id, Story.size >= 2), 1), else_=0)
    query = (
        select(
            Outlet.id,
            Outlet.domain,
            Outlet.name,
            func.count(Article.id),
            func.coalesce(func.sum(is_copy), 0),
            func.coalesce(func.sum(is_original), 0),
        )
        .select_from(Outlet)
        .outerjoin(Article, and_(Article.outlet_id == Outlet.id, Article.story_id.is_not(None)))
        .outerjoin(Story, Story.id == Article.story_id)
        .group_by(Outlet.id, Outlet.domain, Outlet.name)
        .order_by(Outlet.domain)
    )
    return [
        OutletCounts(OutletRef(int(i), str(d), str(n)), int(a), int(c), int(o))
        for i, d, n, a, c, o in session.execute(query).all()
    ]


def outlet_network(session: Session, *, min_count: int = 1, top: int = 5) -> OutletNetwork:
    """The outlet copy network of the stored data (see :func:`~provenance.network.build_network`).

    Raises:
        ValueError: For ``min_count`` below 1 or a negative ``top``.
    """
    return build_network(
        copy_records(session), outlet_counts(session), min_count=min_count, top=top
    )
