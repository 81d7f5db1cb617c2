"""How a generated copy credits its source: the origin, its parent, a wrong outlet, or nobody.

Labels follow the tracer's definitions: credited names or links an ancestor
(the parent counts, and :attr:`~provenance.eval.drafts.Draft.intermediate`
marks it), miscredited names an outlet that is not an ancestor. A credit shows
as a source line, a read-more link, a ``rel=canonical`` to the origin, or, for
a wire agency, an ``(Agency) -`` dateline.
"""

from __future__ import annotations

import random

from provenance.eval.drafts import Draft, DraftStory
from provenance.eval.outlets import Outlet, outlets_for
from provenance.eval.phrases import phrase
from provenance.eval.templates import Block

__all__ = ["attribute"]

# Agency datelines are a Latin-script convention; CJK copies credit in a source line.
_CJK_LANGUAGES = ("zh",)


def attribute(rng: random.Random, copy: Draft, story: DraftStory, truncated: bool) -> None:
    """Credit the origin or the parent, name a wrong outlet, or say nothing.

    Sets the copy's attribution label and adds its credit lines, link or
    canonical in place.

    Args:
        rng: The generator's random source.
        copy: The new copy; its parent is set.
        story: The story it belongs to.
        truncated: Whether its body was cut short, which makes a read-more link likely.
    """
    assert copy.parent is not None
    roll, outlet, origin = rng.random(), copy.outlet, story.origin
    if copy.depth == 1:
        mode = "credited" if roll < 0.55 else "miscredited" if roll < 0.6 else "uncredited"
    else:
        mode = (
            "credited"
            if roll < 0.3
            else "intermediate"
            if roll < 0.65
            else "miscredited"
            if roll < 0.7
            else "uncredited"
        )
    copy.attribution = "credited" if mode == "intermediate" else mode
    copy.intermediate = mode == "intermediate"
    if mode == "uncredited":
        return
    if mode == "miscredited":
        _miscredit(rng, copy, story)
        return
    target = origin if mode == "credited" else copy.parent
    channels = ["source"] + (["link"] if outlet.style != "text" else [])
    if mode == "credited" and outlet.style == "semantic":
        channels.append("canonical")
    chosen = [c for c in channels if rng.random() < 0.5] or [rng.choice(channels)]
    if truncated and "link" in channels and rng.random() < 0.7:
        chosen.append("link")
    if "source" in chosen and target.outlet.wire and copy.language not in _CJK_LANGUAGES:
        copy.dateline = target.outlet.name
    elif "source" in chosen:
        line = Block(phrase(outlet.ui, "source", rng.randrange(2), target.outlet.name))
        (copy.head if rng.random() < 0.3 else copy.tail).append(line)
    if "link" in chosen:
        text = phrase(outlet.ui, "more", 0, target.outlet.name)
        copy.tail.append(Block(text, target.url, target.outlet.name))
    if "canonical" in chosen:
        copy.canonical = origin.url


def _miscredit(rng: random.Random, copy: Draft, story: DraftStory) -> None:
    """Name an outlet that is not an ancestor: a sibling copy, or one outside the story."""
    ancestors: set[Outlet] = set()
    node = copy.parent
    while node is not None:
        ancestors.add(node.outlet)
        node = node.parent
    inside = [a.outlet for a in story.members if a.outlet not in ancestors and a is not copy]
    outside = [o for o in outlets_for(copy.language) if o not in ancestors and o is not copy.outlet]
    wrong = rng.choice(inside or outside)
    line = Block(phrase(copy.outlet.ui, "source", rng.randrange(2), wrong.name))
    (copy.head if rng.random() < 0.3 else copy.tail).append(line)
