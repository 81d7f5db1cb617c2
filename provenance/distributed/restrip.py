"""Stripping an outlet's stored articles again, on the shared index, when its model grows.

The embedded service does this in the chunk that teaches the model a block
(:meth:`provenance.service.Service._restrip`); without it, an article's text,
and so its story, would depend on how much of its outlet the worker that stored
it had seen. Here the observation (:mod:`provenance.distributed.process`) sets
``outlet.restrip_pending`` and :func:`restrip_pending_outlets` does the work.

Why one lock for all placements. Placement (:mod:`.placement`) relies on what
it reads of stored articles (shingles, band keys, matches) not changing under
it. Stripping an article again changes exactly that: its band keys, its
matches, and every component it was or now is in. Rather than extend the
placement's locking to articles that change, a re-strip takes a PostgreSQL
advisory lock in exclusive mode and every placement takes it in shared mode
(:func:`hold_placement_lock`): placements still run side by side, a re-strip
runs alone. Models change early in an outlet's life and rarely later, so the
pauses are rare and short.

Why nothing is missed. A placement takes the shared lock and only then reads
the outlet's model, so it strips its page with the model as committed at that
time. A re-strip takes the exclusive lock (waiting for every placement in
flight to commit) and then reads the model. So a page stripped with a model
older than the one a re-strip reads was committed before that re-strip began,
and is stripped again by it; and every model change after the read sets the
flag again for the next. Once all work is done, every article is stripped with
its outlet's final model, as in the embedded mode, whatever the order.
"""

from __future__ import annotations

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session, sessionmaker

from provenance.boilerplate import BoilerplateModel
from provenance.distributed.bands import band_keys
from provenance.distributed.graph import MatchGraph
from provenance.distributed.index_store import insert_bands
from provenance.fingerprint import FingerprintOptions
from provenance.models import Match
from provenance.records import outlet_boilerplate, restripped
from provenance.settle import find_component, settle_component
from provenance.storage import grouping_repository as grouping_repo
from provenance.storage import repository as repo
from provenance.storage.tables import Article, LshBand, Outlet, Story

__all__ = ["hold_placement_lock", "restrip_pending_outlets"]

#: The advisory lock key shared by placements and re-strips ("prov" in ASCII).
_LOCK_KEY = 0x70726F76
_SHARED = text("SELECT pg_advisory_xact_lock_shared(:key)").bindparams(key=_LOCK_KEY)
_EXCLUSIVE = text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=_LOCK_KEY)


def hold_placement_lock(session: Session) -> None:
    """Hold the placement lock (shared) until the transaction ends; call before reading a model."""
    session.execute(_SHARED)


def restrip_pending_outlets(
    sessions: sessionmaker[Session], *, options: FingerprintOptions | None = None
) -> set[int]:
    """Strip again the stored articles of every outlet marked ``restrip_pending``.

    One transaction per outlet, holding the placement lock exclusively. A worker
    killed meanwhile rolls back and leaves the flag set for the next caller.

    Args:
        sessions: Session factory of the PostgreSQL database.
        options: Signature parameters (the defaults are the embedded mode's).

    Returns:
        The live stories that now need a trace.
    """
    opts = options or FingerprintOptions()
    with sessions() as session:
        pending = list(
            session.scalars(
                select(Outlet.id).where(Outlet.restrip_pending.is_(True)).order_by(Outlet.id)
            )
        )
    touched: set[int] = set()
    for outlet_id in pending:
        with sessions.begin() as session:
            session.execute(_EXCLUSIVE)
            outlet = session.execute(
                select(Outlet).where(Outlet.id == outlet_id).with_for_update()
            ).scalar_one()
            if not outlet.restrip_pending:  # another worker did it meanwhile
                continue
            model = outlet_boilerplate(outlet)
            for article in repo.outlet_articles(session, outlet_id):
                touched |= _restrip_article(session, article, model, opts)
            outlet.restrip_pending = False
    if not touched:
        return set()
    with sessions() as session:
        live = select(Story.id).where(
            Story.id.in_(sorted(touched)),
            Story.needs_trace.is_(True),
            Story.merged_into.is_(None),
        )
        return set(session.scalars(live))


def _restrip_article(
    session: Session, article: Article, model: BoilerplateModel, options: FingerprintOptions
) -> set[int]:
    """Re-strip one article, re-file it and settle every component it was or is in.

    Returns the stories whose members or text changed.
    """
    change = restripped(article, model, options)
    if change is None:
        return set()
    former = [m.other_id for m in MatchGraph(session, options).neighbours([article.id])[article.id]]
    touched = {article.story_id} if article.story_id is not None else set()
    session.execute(delete(LshBand).where(LshBand.article_id == article.id))
    repo.store_restripped(session, article, change)
    starts = former
    if change.fingerprint is not None:
        insert_bands(session, article.id, band_keys(change.fingerprint))
        starts = [article.id, *former]
    session.flush()
    graph = MatchGraph(session, options)  # a new one: the article's shingles changed
    settled: set[int] = set()
    for start in starts:
        if start not in settled:
            component = find_component(start, graph.neighbours([start])[start], graph.neighbours)
            touched |= _settle(session, graph, component)
            settled |= component.keys()
    return touched


def _settle(session: Session, graph: MatchGraph, component: dict[int, list[Match]]) -> set[int]:
    """Settle a component of stored articles (as a placement does); returns the stories changed."""
    rows = session.execute(
        select(Article.id, Article.story_id, Article.partial).where(
            Article.id.in_(sorted(component))
        )
    ).all()
    story_of = {int(r[0]): (int(r[1]) if r[1] is not None else None) for r in rows}
    partial = {int(r[0]) for r in rows if r[2]}
    members = [known.placed() for known in graph.known(component).values()]
    groups = settle_component(members, component)
    grouping = grouping_repo.apply_grouping(session, groups, story_of=story_of, partial=partial)
    return set(grouping.retrace)
