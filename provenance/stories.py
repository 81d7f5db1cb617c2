"""Stored stories: tracing them and reading them back.

The glue between storage and :mod:`provenance.trace`: load a story's members
as :class:`~provenance.models.Member` values (with the evidence that needs the
database: which other outlets' boilerplate leaked onto a page, and each
outlet's clock, which places the times its pages print without a zone), trace them,
save the verdict with its history; and read a story back as a report for the
CLI, the export and the API.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session

from provenance.boilerplate import MAX_BOILERPLATE_LENGTH, BoilerplateModel, block_key
from provenance.dates import rank_dates
from provenance.declared import edge_indices, find_declared_sources, is_credit_line
from provenance.match import shingle_set
from provenance.models import DateSource, Member, Relation, StoryTrace
from provenance.normalize import is_read_more, normalize_text
from provenance.printed_dates import ClockOffset, place_printed
from provenance.shingle import shingle_hashes
from provenance.storage import repository as repo
from provenance.storage.clocks import outlet_clocks, printed_stories
from provenance.storage.tables import Article, CopyEdge, Outlet, Story, StoryEvent
from provenance.trace import trace_story

__all__ = [
    "StoryReport",
    "load_story",
    "outlet_clocks",
    "retrace_on_new_clocks",
    "reused_span",
    "shown_publication",
    "trace_stored_story",
]

#: Share of a block's shingles found in the parent for the block to count as reused.
_REUSED = 0.5


@dataclass(frozen=True, slots=True)
class _Leak:
    """Other outlets' boilerplate found on one page: whose, and the blocks."""

    domains: frozenset[str]
    blocks: frozenset[str]


def _leaks(rows: Sequence[tuple[Article, Outlet, bytes]]) -> dict[int, _Leak]:
    """For each member, the other outlets whose own boilerplate its page carries.

    A block counts as outlet u's own only if it is boilerplate of u alone (a
    phrase several outlets repeat is a stock phrase), names u, and is not an
    attribution line: an outlet that often credits X repeats "Source: X", and
    that line is X's name, not X's page.
    """
    outlets = {o.id: o for _, o, _ in rows}
    owners: dict[str, set[int]] = {}
    for outlet in outlets.values():
        if outlet.boilerplate:
            for key in BoilerplateModel.from_dict(outlet.boilerplate).boilerplate_keys():
                owners.setdefault(key, set()).add(outlet.id)
    found: dict[int, _Leak] = {}
    for article, outlet, _ in rows:
        domains, leaked = set(), []
        for block in article.blocks:
            owner = owners.get(block_key(block)) if len(block) <= MAX_BOILERPLATE_LENGTH else None
            if not owner or len(owner) != 1 or outlet.id in owner:
                continue
            source = outlets[next(iter(owner))]
            if _names(block, source) and not find_declared_sources([block]):
                domains.add(source.domain)
                leaked.append(block)
        found[article.id] = _Leak(frozenset(domains), frozenset(leaked))
    return found


def _names(block: str, outlet: Outlet) -> bool:
    text = normalize_text(block)
    label = outlet.domain.split(".")[0]
    return normalize_text(outlet.name) in text or label in text.replace(" ", "")


def retrace_on_new_clocks(
    session: Session, before: Mapping[int, ClockOffset], outlet_ids: Iterable[int]
) -> dict[int, str]:
    """Mark for tracing the stories that outlets' new clocks place anew.

    An outlet's clock is learned once it has enough pages, and may shift as
    more arrive; the times its pages print then fall elsewhere, which is late
    evidence for every story they are in.

    Args:
        session: The open session, with the new pages flushed.
        before: The outlets' clocks before the new pages (:func:`outlet_clocks`).
        outlet_ids: The outlets whose pages were added.

    Returns:
        Why each newly marked story is due: its id, and the reason for its history.
    """
    due: dict[int, str] = {}
    for outlet_id, clock in outlet_clocks(session, outlet_ids).items():
        old = before.get(outlet_id)
        if old is not None and old.same_clock(clock):
            continue
        name = session.get_one(Outlet, outlet_id).name
        for story_id in printed_stories(session, outlet_id):
            story = session.get_one(Story, story_id)
            if not story.needs_trace:  # else traced anyway, for the reason already noted
                story.needs_trace = True
                due[story_id] = f"late evidence: {name}'s clock is {clock.describe()}"
    return due


def _clocks(
    session: Session, rows: Sequence[tuple[Article, Outlet, bytes]]
) -> dict[int, ClockOffset]:
    """The learned clock of each outlet with a member dated by a zoneless printed time."""
    printed = str(DateSource.PRINTED)
    wanted = {o.id for a, o, _ in rows if any(c.get("source") == printed for c in a.dates)}
    return outlet_clocks(session, wanted)


def _member(
    article: Article, outlet: Outlet, shingles: bytes, leak: _Leak, clock: ClockOffset | None
) -> Member:
    blocks = article.text.split("\n\n") if article.text else []
    kept = _story_blocks(blocks, leak.blocks)
    if len(kept) < len(blocks):
        hashes = shingle_hashes("\n\n".join(kept))
    else:
        hashes = repo.shingles_from_bytes(shingles)
    return Member(
        id=article.id,
        url=article.url_norm,
        outlet=outlet.name,
        outlet_domain=outlet.domain,
        dates=rank_dates(place_printed(repo.claims_from_json(article.dates), clock)),
        first_seen=article.fetched_at,
        declared_sources=tuple(article.declared_sources),
        canonical_url=article.canonical_url,
        links=frozenset(article.links),
        shingles=shingle_set(hashes),
        partial=article.partial,
        title=article.title,
        read_more=article.read_more,
        leaked_outlets=leak.domains,
    )


def _story_blocks(blocks: Sequence[str], leaked: frozenset[str]) -> list[str]:
    """The blocks that are the story's text, for comparing members with each other.

    Page furniture is left out: another outlet's boilerplate (``leaked``),
    credit lines and "read more" pointers near either end. Each is evidence
    of its own (leaked boilerplate, a declared source, a truncated copy), and
    as text it misleads: two copies that both carry the source's promo line,
    or both say "Source: X" in the same language, would look closer to each
    other than to the page they came from.
    """
    edge = set(edge_indices(len(blocks)))
    return [
        block
        for i, block in enumerate(blocks)
        if block not in leaked
        and not (i in edge and (is_credit_line(block) or is_read_more(block)))
    ]


def story_members(session: Session, story_id: int) -> list[Member]:
    """A stored story's members, ready for :func:`provenance.trace.trace_story`."""
    rows = repo.story_members(session, story_id)
    leaks = _leaks(rows)
    clocks = _clocks(session, rows)
    return [_member(a, o, s, leaks[a.id], clocks.get(o.id)) for a, o, s in rows]


def reused_span(text: str, parent: npt.NDArray[np.uint32]) -> tuple[int, int] | None:
    """Character span of ``text`` made of blocks mostly found in the parent's shingles.

    Args:
        text: The quoting article's body (blocks separated by blank lines).
        parent: The quoted article's shingle set (sorted, distinct).

    Returns:
        ``(start, end)`` offsets into ``text``, or ``None`` if no block is reused.
    """
    start = end = None
    offset = 0
    for block in text.split("\n\n"):
        hashes = shingle_set(shingle_hashes(block))
        if len(hashes):
            inside = len(np.intersect1d(hashes, parent, assume_unique=True)) / len(hashes)
            if inside >= _REUSED:
                start = offset if start is None else start
                end = offset + len(block)
        offset += len(block) + 2
    return (start, end) if start is not None and end is not None else None


def trace_stored_story(
    session: Session, story_id: int, *, reason: str = "membership changed"
) -> None:
    """Trace one stored story, save its origin, tree and evidence, and log what changed.

    A story left without members (all moved by a merge) is marked empty.
    """
    story = session.get_one(Story, story_id)
    members = story_members(session, story_id)
    if not members:
        story.size = 0
        story.needs_trace = False
        return
    trace = trace_story(members)
    before = _verdict(session, story)
    spans = _spans(session, members, trace)
    repo.save_trace(session, story, trace, size=len(members), spans=spans)
    _log_change(session, story, before, trace, len(members), reason)


def _spans(
    session: Session, members: list[Member], trace: StoryTrace
) -> dict[int, tuple[int, int]]:
    by_id = {m.id: m for m in members}
    spans: dict[int, tuple[int, int]] = {}
    for edge in trace.edges:
        if edge.relation is Relation.PARTIAL:
            child = session.get_one(Article, edge.child_id)
            span = reused_span(child.text, by_id[edge.parent_id].shingles)
            if span is not None:
                spans[edge.child_id] = span
    return spans


def _verdict(
    session: Session, story: Story
) -> tuple[int | None, float | None, int, dict[int, int]]:
    edges = session.scalars(select(CopyEdge).where(CopyEdge.story_id == story.id))
    return (
        story.origin_article_id,
        story.confidence,
        story.size,
        {e.child_id: e.parent_id for e in edges},
    )


def _log_change(
    session: Session,
    story: Story,
    before: tuple[int | None, float | None, int, dict[int, int]],
    trace: StoryTrace,
    size: int,
    reason: str,
) -> None:
    origin, confidence, old_size, old_parents = before
    new_parents = {e.child_id: e.parent_id for e in trace.edges}
    changes = [
        {"article_id": child, "parent_before": old_parents.get(child), "parent_after": parent}
        for child, parent in sorted(new_parents.items())
        if old_parents.get(child) != parent
    ]
    if origin == trace.origin_id and not changes and old_size == size:
        return
    session.add(
        StoryEvent(
            story_id=story.id,
            reason=reason,
            size_before=old_size,
            size_after=size,
            origin_before=origin,
            origin_after=trace.origin_id,
            confidence_before=confidence,
            confidence_after=trace.confidence,
            changes=changes,
        )
    )


@dataclass(frozen=True, slots=True)
class StoryReport:
    """A stored story with its members, edges and outlets, ready to show."""

    story: Story
    articles: dict[int, Article]
    outlets: dict[int, Outlet]
    edges: dict[int, CopyEdge]
    clocks: dict[int, ClockOffset] = field(default_factory=dict)

    def published_at(self, article: Article) -> datetime | None:
        """When a member was published, as best known (:func:`shown_publication`)."""
        return shown_publication(article, self.clocks.get(article.outlet_id))

    def parent_of(self, article_id: int) -> Article | None:
        """The article's traced parent, or ``None`` for the origin."""
        edge = self.edges.get(article_id)
        return self.articles.get(edge.parent_id) if edge else None

    def ordered(self) -> list[Article]:
        """Members in tree order: origin first, each parent before its copies."""
        children: dict[int | None, list[Article]] = {}
        for article in self.articles.values():
            edge = self.edges.get(article.id)
            children.setdefault(edge.parent_id if edge else None, []).append(article)
        out: list[Article] = []
        stack = sorted(children.get(None, []), key=lambda a: a.id != self.story.origin_article_id)
        while stack:
            article = stack.pop(0)
            out.append(article)
            stack = sorted(children.get(article.id, []), key=lambda a: a.id) + stack
        return out


def load_story(session: Session, story_id: int) -> StoryReport | None:
    """The story ``story_id`` (following merges), or ``None`` if there is none."""
    story = session.get(Story, story_id)
    while story is not None and story.merged_into is not None:
        story = session.get(Story, story.merged_into)
    if story is None:
        return None
    articles = {
        a.id: a for a in session.scalars(select(Article).where(Article.story_id == story.id))
    }
    outlet_ids = {a.outlet_id for a in articles.values()}
    outlets = {o.id: o for o in session.scalars(select(Outlet).where(Outlet.id.in_(outlet_ids)))}
    edges = {
        e.child_id: e
        for e in session.scalars(select(CopyEdge).where(CopyEdge.story_id == story.id))
    }
    printed = str(DateSource.PRINTED)
    clocks = outlet_clocks(
        session, {a.outlet_id for a in articles.values() if a.published_source == printed}
    )
    return StoryReport(story=story, articles=articles, outlets=outlets, edges=edges, clocks=clocks)


def shown_publication(article: Article, clock: ClockOffset | None) -> datetime | None:
    """An article's publication time as it should be shown.

    A time its page printed without a zone is placed by its outlet's clock;
    with no clock learned yet it is given as the wall clock it is, without a
    zone (naive), rather than as a UTC time it is not.
    """
    if article.published_at is None or article.published_source != str(DateSource.PRINTED):
        return article.published_at
    if clock is None:
        return article.published_at.replace(tzinfo=None)
    return clock.place(article.published_at)


def story_history(session: Session, story_id: int) -> list[StoryEvent]:
    """Every recorded change of a story's verdict, oldest first."""
    query = select(StoryEvent).where(StoryEvent.story_id == story_id).order_by(StoryEvent.id)
    return list(session.scalars(query))
