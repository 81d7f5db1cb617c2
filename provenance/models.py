"""Plain data passed between the core modules.

These dataclasses are the vocabulary of the pure core: the extractor produces a
:class:`ExtractedPage`, the fingerprinter a :class:`Fingerprint`, the matcher
:class:`Match` objects, and the tracer a :class:`StoryTrace`. None of them knows
about the database, HTTP or Celery; the storage layer maps them to rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

import numpy as np
import numpy.typing as npt

__all__ = [
    "DateClaim",
    "DateSource",
    "Evidence",
    "ExtractedPage",
    "Match",
    "MatchKind",
    "Member",
    "Relation",
    "StoryTrace",
    "TracedEdge",
]


class DateSource(StrEnum):
    """Where a date came from; the source decides how far it can be trusted."""

    JSONLD = "jsonld"  # JSON-LD NewsArticle.datePublished
    META = "meta"  # <meta property="article:published_time"> and kin
    FEED = "feed"  # RSS pubDate / Atom published, sitemap news:publication_date
    INPUT = "input"  # the importer's own published_at field
    TIME_TAG = "time"  # <time datetime=...> in the article body
    PRINTED_ZONED = "printed_zoned"  # a printed dateline, zone given or learned for its outlet
    PRINTED = "printed"  # a printed dateline without a zone: a wall clock, read as UTC
    HEURISTIC = "heuristic"  # guessed by trafilatura from the page text
    URL = "url"  # a /2024/05/17/ path segment
    COPYRIGHT = "copyright"  # "(c) 2024": a year, never a publication date
    FETCHED = "fetched"  # the crawl clock: when we first saw the page


#: How much each kind of date is trusted as a *publication* date, from 0 to 1.
#: Copyright lines and the crawl clock are not publication dates at all.
DATE_TRUST: dict[DateSource, float] = {
    DateSource.JSONLD: 0.9,
    DateSource.META: 0.85,
    DateSource.FEED: 0.8,
    DateSource.INPUT: 0.75,
    DateSource.TIME_TAG: 0.6,
    DateSource.PRINTED_ZONED: 0.6,
    # Above a URL's day: the same uncertainty of zone, and the time of day.
    DateSource.PRINTED: 0.45,
    DateSource.URL: 0.4,
    DateSource.HEURISTIC: 0.3,
    DateSource.COPYRIGHT: 0.0,
    DateSource.FETCHED: 0.0,
}


@dataclass(frozen=True, slots=True)
class DateClaim:
    """One claimed date of an article and where it came from.

    Attributes:
        value: The instant, timezone-aware (UTC when the page gave no zone).
        source: Where the date was found.
        trust: How far it can be trusted as a publication date, 0..1.
        detail: Free text for the evidence trail (the raw string, the field name).
    """

    value: datetime
    source: DateSource
    trust: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    """What the extractor found in one HTML page (or plain-text record).

    Attributes:
        blocks: The article body as text blocks (paragraphs), in reading order,
            before outlet boilerplate is removed.
        title: The headline, if any.
        byline: The author line, if any.
        site_name: The declared site name (og:site_name, JSON-LD publisher).
        canonical_url: The absolute ``rel=canonical`` / ``og:url`` target.
        language: The declared language (``<html lang>``), lower-case, if any.
        dates: Every date claim found, most trusted first.
        declared_sources: Outlet or agency names the body declares as its source
            ("Source: X", "Originally published by X", "(Reuters) -", ...).
        links: Absolute outbound http(s) links found in the article body.
    """

    blocks: tuple[str, ...]
    title: str | None = None
    byline: str | None = None
    site_name: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    dates: tuple[DateClaim, ...] = ()
    declared_sources: tuple[str, ...] = ()
    links: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The body as one string, blocks separated by blank lines."""
        return "\n\n".join(self.blocks)


class MatchKind(StrEnum):
    """How two articles share text."""

    COPY = "copy"  # one holds most of the other: same story
    PARTIAL = "partial"  # a passage is shared, but neither holds most of the other


class Relation(StrEnum):
    """An article's place in its story, as exported."""

    ORIGIN = "origin"
    COPY = "copy"
    PARTIAL = "partial"


@dataclass(frozen=True, slots=True)
class Match:
    """A verified text match between a new article and a stored one.

    Attributes:
        other_id: The stored article's id.
        kind: Copy or partial.
        jaccard: Jaccard similarity of the two shingle sets.
        containment_new: Share of the new article's shingles found in the other.
        containment_other: Share of the other article's shingles found in the new one.
        shared: Number of shared shingles.
    """

    other_id: int
    kind: MatchKind
    jaccard: float
    containment_new: float
    containment_other: float
    shared: int

    @property
    def similarity(self) -> float:
        """The larger containment: 1.0 when one text lies wholly inside the other."""
        return max(self.containment_new, self.containment_other)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One piece of evidence for a verdict, as exported (``{"kind", "detail"}``).

    Attributes:
        kind: A stable machine name (``declared_source``, ``earlier_date`` ...).
        detail: Plain words an editor understands.
        weight: The weight the tracer gave it (positive supports the verdict).
    """

    kind: str
    detail: str
    weight: float = 0.0


@dataclass(frozen=True, slots=True, eq=False)
class Member:
    """What the tracer needs to know about one article of a story.

    Attributes:
        id: The article id.
        url: The article URL (normalised).
        outlet: The outlet's display name.
        outlet_domain: The outlet's registrable domain.
        dates: Date claims, most trusted first.
        first_seen: When we first saw it (fetched_at), if known.
        declared_sources: Source names the article declares.
        canonical_url: Its canonical link (normalised), if any.
        links: Normalised outbound links.
        shingles: Its distinct shingle hashes, sorted, for similarity between members.
        partial: True when it joined the story only by a shared passage.
        title: Its headline, for evidence text.
        read_more: True when its text ends in a "read more" pointer (a truncated copy).
        leaked_outlets: Domains of other outlets whose own boilerplate blocks
            (promo lines, source lines) appear on its page.
    """

    id: int
    url: str
    outlet: str
    outlet_domain: str
    dates: tuple[DateClaim, ...] = ()
    first_seen: datetime | None = None
    declared_sources: tuple[str, ...] = ()
    canonical_url: str | None = None
    links: frozenset[str] = frozenset()
    shingles: npt.NDArray[np.uint32] = field(default_factory=lambda: np.empty(0, np.uint32))
    partial: bool = False
    title: str | None = None
    read_more: bool = False
    leaked_outlets: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class TracedEdge:
    """The tracer's verdict for one non-origin member: its most likely parent.

    Attributes:
        child_id: The copy.
        parent_id: The article it was most likely copied from.
        relation: Copy or partial.
        similarity: Text similarity between child and parent (0..1).
        confidence: How sure the tracer is of this parent (0..1).
        evidence: Why, strongest first.
        credit: ``"credited"`` (names or links its parent or another ancestor),
            ``"uncredited"`` (names no source), or ``"miscredited"`` (names an
            outlet that is not an ancestor).
    """

    child_id: int
    parent_id: int
    relation: Relation
    similarity: float
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    credit: str = "uncredited"


@dataclass(frozen=True, slots=True)
class StoryTrace:
    """The tracer's verdict for one story.

    Attributes:
        origin_id: The article judged to be the original.
        confidence: How sure the tracer is of the origin (0..1).
        origin_evidence: Why this member is the origin, strongest first.
        edges: One edge per other member.
        first_published_at: The earliest trusted publication date in the story.
    """

    origin_id: int
    confidence: float
    origin_evidence: tuple[Evidence, ...] = ()
    edges: tuple[TracedEdge, ...] = field(default_factory=tuple)
    first_published_at: datetime | None = None
