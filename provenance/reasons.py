"""The tracer's evidence in plain words an editor understands.

:func:`describe` words the evidence that one member copied another, with the
weight the tracer gave each piece; :func:`origin_evidence` words why the
origin is the origin. The weights are what the tracer used; the words say
what the evidence is, so an analyst can check it against the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np

from provenance.evidence import NAMING_KINDS, StoryEvidence
from provenance.models import DateSource, Evidence, Member
from provenance.timing_evidence import LAG_BANDS
from provenance.weights import ORIGIN_WEIGHTS

__all__ = ["describe", "origin_evidence"]

#: Plain words for each kind of pair evidence that needs no more than a template.
#: Functions, so that only the words of evidence actually shown are formatted.
_WORDS: dict[str, Callable[[StoryEvidence, int, int, Member, Member], str]] = {
    "declared_source": lambda ev, u, v, source, copy: (
        f"{copy.outlet} names {source.outlet} as its source"
    ),
    "canonical": lambda ev, u, v, source, copy: (
        f"{copy.outlet}'s canonical link points to {source.url}"
    ),
    "link": lambda ev, u, v, source, copy: f"{copy.outlet} links to {source.url}",
    "outlet_link": lambda ev, u, v, source, copy: f"{copy.outlet} links to {source.outlet_domain}",
    "leaked_boilerplate": lambda ev, u, v, source, copy: (
        f"{copy.outlet}'s page carries {source.outlet}'s own boilerplate"
    ),
    "similarity": lambda ev, u, v, source, copy: f"text similarity {ev.similarity[u, v]:.2f}",
    "nearest_text": lambda ev, u, v, source, copy: (
        f"holds {int(ev.shared[u, v])} of the copy's {len(copy.shingles)} "
        f"shingles, as many as any member"
    ),
    "truncated": lambda ev, u, v, source, copy: (
        f"{copy.outlet}'s text is cut short with a 'read more' pointer"
    ),
    "shared_edits": lambda ev, u, v, source, copy: (
        f"shares {int(ev.edits[u, v]) if ev.edits is not None else 0} edited "
        f"shingles with {source.outlet} that the origin lacks"
    ),
    "from_origin": lambda ev, u, v, source, copy: "copies are most often taken from the origin",
    "origin_seen_late": lambda ev, u, v, source, copy: (
        f"the crawler found {source.outlet} only after a copy, so its "
        "first-seen time says nothing of who copied whom"
    ),
    "seen_proximity": lambda ev, u, v, source, copy: (
        "the crawler found the two close together "
        f"({(ev.seen[v] - ev.seen[u]) / 3600:.1f} h apart): copies follow soon"
    ),
    "held": lambda ev, u, v, source, copy: (
        f"{ev.features['held'][u, v]:.0%} of the copy's text is in {source.outlet}'s"
    ),
    "shared_omissions": lambda ev, u, v, source, copy: (
        f"leaves out {ev.features['shared_omissions'][u, v]:.0%} of what "
        f"{source.outlet} also leaves out of the origin"
    ),
    "surplus": lambda ev, u, v, source, copy: (
        f"holds {ev.features['surplus'][u, v]:.0%} of its origin text that {source.outlet} lacks"
    ),
    "names_intermediate": lambda ev, u, v, source, copy: (
        f"{copy.outlet} names or links {source.outlet}, itself a copy"
    ),
    "same_title": lambda ev, u, v, source, copy: (
        f"{copy.outlet} runs {source.outlet}'s headline word for word"
    ),
    "shared_title_edit": lambda ev, u, v, source, copy: (
        f"{copy.outlet} runs {source.outlet}'s reworded headline"
    ),
    "partial_parent": lambda ev, u, v, source, copy: f"{source.outlet} only quotes a passage",
    "credits_member": lambda ev, u, v, source, copy: (
        f"{copy.outlet} names or links another member as its source, so it is no origin"
    ),
}


def describe(ev: StoryEvidence, u: int, v: int) -> list[Evidence]:
    """The evidence that v copied u, in plain words, strongest first."""
    source, copy = ev.members[u], ev.members[v]
    found = []
    for kind, matrix in ev.features.items():
        if matrix[u, v] == 0.0:
            continue
        weight = float(ev.kinds[kind][u, v]) if kind in ev.kinds else 0.0
        # Attribution is always shown, even where it does not sway the choice
        # of parent (a canonical link names the original, not the source).
        if weight != 0.0 or kind in NAMING_KINDS:
            found.append(Evidence(kind, _detail(ev, kind, u, v, source, copy), round(weight, 3)))
    return sorted(found, key=lambda e: -abs(e.weight))


def _placed(member: Member) -> str:
    """What a member's date says of itself, if it is a printed time placed by a clock."""
    best = next((d for d in member.dates if d.trust > 0), None)
    if best is None or best.source is not DateSource.PRINTED_ZONED:
        return ""
    return f"{member.outlet}'s date: {best.detail}"


def _when(seconds: float, source: str) -> str:
    return f"{source} {datetime.fromtimestamp(seconds, tz=UTC):%Y-%m-%d %H:%M}"


def _band_words(band: str) -> str:
    """A lag band's range in words: ``"2h"`` is "a lag of 1-2 h"."""
    if band == "more":
        return f"a lag of over {LAG_BANDS[-1][1]:g} h"
    index = [name for name, _ in LAG_BANDS].index(band)
    low = LAG_BANDS[index - 1][1] if index else 0.0
    high = LAG_BANDS[index][1]
    if high < 1:
        return f"a lag of under {high * 60:.0f} min"
    low_words = f"{low * 60:.0f} min" if low < 1 else f"{low:g}"
    return f"a lag of {low_words}-{high:g} h"


def _detail(ev: StoryEvidence, kind: str, u: int, v: int, source: Member, copy: Member) -> str:
    if kind == "date_order":
        word = "before" if ev.features[kind][u, v] > 0 else "after"
        return (
            f"{source.outlet} dates its article {word} {copy.outlet}'s "
            f"({_when(ev.published[u], ev.sources[u])} vs {_when(ev.published[v], ev.sources[v])})"
        )
    if kind == "proximity":
        hours = (ev.published[v] - ev.published[u]) / 3600
        return f"the two are dated close together ({hours:.1f} h apart): copies follow soon"
    if kind.startswith("seen_lag_"):
        hours = (ev.seen[v] - ev.seen[u]) / 3600
        return (
            f"the crawler found {copy.outlet} {hours:.1f} h after {source.outlet} "
            f"({_band_words(kind.removeprefix('seen_lag_'))} by first-seen times)"
        )
    if kind.startswith("lag_"):
        timed = (
            "by dates where both are trusted"
            if ev.lag_dated[u, v]
            else "by first-seen times, as one of them gives no date to the minute"
        )
        # A printed time placed by its outlet's learned clock says how it was placed.
        placed = [_placed(m) for m in (source, copy)] if ev.lag_dated[u, v] else []
        clocks = "".join(f"; {words}" for words in placed if words)
        return (
            f"{copy.outlet} appeared {ev.lag_hours[u, v]:.1f} h after {source.outlet} "
            f"({_band_words(kind.removeprefix('lag_'))} {timed}{clocks})"
        )
    if kind == "first_seen":
        word = "before" if ev.features[kind][u, v] > 0 else "after"
        return f"the crawler saw {source.outlet} {word} {copy.outlet}"
    words = _WORDS.get(kind)
    return words(ev, u, v, source, copy) if words else kind


def origin_evidence(
    ev: StoryEvidence, parents: dict[int, int], root: int, margin: float
) -> list[Evidence]:
    """The evidence that ``root`` is the origin, in plain words, strongest first.

    Args:
        ev: The story's evidence.
        parents: The copy tree (parent of each other member).
        root: The origin.
        margin: How far its best tree leads the best tree under another root.
    """
    me = ev.members[root]
    found: list[Evidence] = []
    trusted = (ev.trust > 0) & ~np.isnan(ev.published)
    if trusted[root] and ev.published[root] <= ev.published[trusted].min():
        found.append(
            Evidence(
                "earliest_date",
                "earliest trusted publication date "
                f"({_when(ev.published[root], ev.sources[root])})",
                float(ev.trust[root]),
            )
        )
    seen = ev.seen[~np.isnan(ev.seen)]
    if not np.isnan(ev.seen[root]) and seen.size and ev.seen[root] <= seen.min():
        found.append(
            Evidence("first_seen", "the first copy the crawler saw", ORIGIN_WEIGHTS["first_seen"])
        )
    credits = int(np.count_nonzero(ev.features["declared_source"][root]))
    if credits:
        found.append(
            Evidence(
                "credited",
                f"named as the source by {credits} other article(s)",
                ORIGIN_WEIGHTS["declared_source"] * credits,
            )
        )
    links = int(np.count_nonzero(ev.features["link"][root] + ev.features["canonical"][root]))
    if links:
        found.append(
            Evidence(
                "linked",
                f"linked or canonical target of {links} other article(s)",
                ORIGIN_WEIGHTS["link"] * links,
            )
        )
    children = sum(1 for p in parents.values() if p == root)
    found.append(
        Evidence(
            "tree",
            f"the best copy tree has it at the root, with {children} "
            f"direct copies; {me.outlet} is the origin by a margin of "
            f"{margin:.2f} over the next-best origin",
            0.0,
        )
    )
    return sorted(found, key=lambda e: -e.weight)
