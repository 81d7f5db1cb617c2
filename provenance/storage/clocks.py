"""Queries behind the outlet clocks: the printed times an outlet's clock is learned from.

An outlet that prints its wall clock without a zone has its clock offset
learned from its own pages (:func:`provenance.printed_dates.learn_clock_offset`);
these queries give those pages, the clocks, and the stories a new clock
places anew. The same on SQLite and PostgreSQL; nothing here writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from provenance.models import DateSource
from provenance.printed_dates import ClockOffset, learn_clock_offset
from provenance.storage.tables import Article, Story

__all__ = ["outlet_clocks", "printed_stories", "printed_times"]


def printed_times(
    session: Session, outlet_ids: Iterable[int], *, per_outlet: int = 200
) -> dict[int, list[tuple[datetime, datetime]]]:
    """(printed wall clock, first seen) of each outlet's latest pages dated so.

    Only pages whose best date is a printed time without a zone count: they
    are what an outlet's clock offset is learned from
    (:func:`provenance.printed_dates.learn_clock_offset`).
    """
    ids = sorted(set(outlet_ids))
    if not ids:
        return {}
    rank = func.row_number().over(partition_by=Article.outlet_id, order_by=Article.id.desc())
    latest = (
        select(Article.outlet_id, Article.published_at, Article.fetched_at, rank.label("rank"))
        .where(
            Article.outlet_id.in_(ids),
            Article.published_source == str(DateSource.PRINTED),
            Article.published_at.is_not(None),
            Article.fetched_at.is_not(None),
        )
        .subquery()
    )
    query = select(latest.c.outlet_id, latest.c.published_at, latest.c.fetched_at).where(
        latest.c.rank <= per_outlet
    )
    found: dict[int, list[tuple[datetime, datetime]]] = {}
    for outlet_id, wall, seen in session.execute(query):
        found.setdefault(int(outlet_id), []).append((wall, seen))
    return found


def outlet_clocks(session: Session, outlet_ids: Iterable[int]) -> dict[int, ClockOffset]:
    """The clock learned for each of these outlets, from its pages with printed times."""
    pages = printed_times(session, outlet_ids)
    return {
        outlet_id: clock
        for outlet_id, times in pages.items()
        if (clock := learn_clock_offset(times)) is not None
    }


def printed_stories(session: Session, outlet_id: int) -> list[int]:
    """The live stories with a member of ``outlet_id`` dated by a zoneless printed time."""
    query = (
        select(Story.id)
        .join(Article, Article.story_id == Story.id)
        .where(
            Article.outlet_id == outlet_id,
            Article.published_source == str(DateSource.PRINTED),
            Story.merged_into.is_(None),
        )
        .distinct()
    )
    return [int(story_id) for story_id in session.scalars(query)]
