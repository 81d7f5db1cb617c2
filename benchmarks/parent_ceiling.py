"""How much of the generator's parent truth any tracer could recover.

A copy of a verbatim copy holds the same text as the origin, and it may not
name whom it took it from. Its true parent is then one of several candidates
its page gives no reason to tell apart, and only timing can choose. This
script counts those copies in generated networks and picks their parents the
best way timing allows, with what only the generator knows: the true
publication times, the delay profile of copying and the prior by which the
generator picks parents (:func:`provenance.eval.timing.delay_density`,
:data:`~provenance.eval.generator.ORIGIN_PARENT_WEIGHT`).

A candidate u is indistinguishable from v's true parent p when it appeared
before v and is no partial quote, v's sentences found in p are exactly those
found in u, and v's headline matches p's exactly when it matches u's; copies
that name their parent (an intermediate credit) or carry its promo line are
told apart by that and count as recoverable. Every other copy also counts as
recoverable, so the figure is a ceiling: a tracer that gets the origin
and all text evidence right, and chooses by timing as well as the generator's
own odds allow, reaches it; the evaluation's parent accuracy should be read
against it. Where several look-alikes tie at the best odds (the delay profile
is flat within each of its parts), the choice among them is a guess, and a
tie counts as the share of it a guess gets right.

Two ceilings are printed. By true times: the choice knows when every article
really appeared, which no tracer does. By first-seen times: it knows what
the crawler knows, when it first saw each page (1 to 20 minutes after the
page appeared, the delay integrated out), except that an origin the crawler
found late is timed by its true publication, as if its own date were always
trusted. The second is nearer what a tracer can reach.

Run: ``python benchmarks/parent_ceiling.py [--seeds 1,2,3] [--stories 200]``.
The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from provenance.eval.drafts import Draft
from provenance.eval.generator import ORIGIN_PARENT_WEIGHT, generate_drafts
from provenance.eval.timing import delay_density

#: Minutes between an article's appearance and the crawler's first sight of
#: it, over which the first-seen odds are averaged (the generator's
#: :func:`~provenance.eval.timing.fetch_time` draws 1 to 20 minutes).
_SIGHTING_DELAYS = range(1, 21, 2)


def _sentences(draft: Draft) -> set[str]:
    return {sentence for paragraph in draft.body for sentence in paragraph}


def _told_apart(copy: Draft, parent: Draft) -> bool:
    """The copy names its parent, or carries the parent's own promo line."""
    own = {b.text for b in parent.tail if parent.outlet.name in b.text}
    return copy.intermediate or any(b.text in own for b in copy.tail)


def _lookalikes(copy: Draft, parent: Draft, members: list[Draft]) -> list[Draft]:
    """Earlier members the copy's page gives no reason to tell from its parent."""
    held = _sentences(copy) & _sentences(parent)
    titled = copy.title == parent.title
    return [
        u
        for u in members
        if u is parent
        or (
            u is not copy
            and u.relation != "partial"
            and u.published < copy.published
            and _sentences(copy) & _sentences(u) == held
            and (copy.title == u.title) == titled
        )
    ]


def _prior(candidate: Draft) -> float:
    """The generator's weight for taking ``candidate`` as a parent, before timing."""
    return ORIGIN_PARENT_WEIGHT if candidate.depth == 0 else 1.0


def _odds(copy: Draft, candidate: Draft) -> float:
    """The generator's odds that ``candidate`` is the copy's parent, given the true times."""
    minutes = (copy.published - candidate.published).total_seconds() / 60
    return _prior(candidate) * delay_density(minutes)


def _seen_odds(copy: Draft, candidate: Draft) -> float:
    """The same odds from first-seen times, the sighting delays averaged out.

    An origin the crawler found after a copy is timed by its true publication.
    """
    late_origin = candidate.depth == 0 and candidate.fetched > copy.fetched
    if late_origin:
        starts = [candidate.published.timestamp() / 60]
    else:
        starts = [candidate.fetched.timestamp() / 60 - d for d in _SIGHTING_DELAYS]
    ends = [copy.fetched.timestamp() / 60 - d for d in _SIGHTING_DELAYS]
    total = sum(delay_density(end - start) for start in starts for end in ends)
    return _prior(candidate) * total / (len(starts) * len(ends))


def _share_right(copy: Draft, alike: list[Draft], weigh: Callable[[Draft, Draft], float]) -> float:
    """How often choosing the look-alike with the best odds gets the parent (ties guessed)."""
    scores = [weigh(copy, u) for u in alike]
    top = max(scores)
    tied = [u for u, score in zip(alike, scores, strict=True) if score >= top * (1 - 1e-9)]
    return 1.0 / len(tied) if copy.parent in tied else 0.0


def ceiling(seeds: list[int], stories: int) -> dict[str, float | int]:
    """Copies, ambiguous copies and expected timing-only misses per depth, and the ceilings."""
    count: Counter[str] = Counter()
    missed: dict[str, float] = defaultdict(float)  # expected misses: ties count in part
    for seed in seeds:
        for story in generate_drafts(seed=seed, stories=stories):
            for copy in story.members:
                if copy.parent is None or copy.relation != "copy":
                    continue
                depth = f"depth{copy.depth + 1}"  # the tree level, as the evaluation names it
                count[f"{depth}_copies"] += 1
                if _told_apart(copy, copy.parent):
                    continue
                alike = _lookalikes(copy, copy.parent, story.members)
                if len(alike) < 2:
                    continue
                count[f"{depth}_ambiguous"] += 1
                missed[f"{depth}_missed"] += 1 - _share_right(copy, alike, _odds)
                missed[f"{depth}_seen_missed"] += 1 - _share_right(copy, alike, _seen_odds)
    figures: dict[str, float | int] = dict(sorted(count.items()))
    figures |= {key: round(value, 1) for key, value in sorted(missed.items())}
    copies = count["depth2_copies"] + count["depth3_copies"]
    for kind in ("", "seen_"):
        for depth in ("depth2", "depth3"):
            share = missed[f"{depth}_{kind}missed"] / max(count[f"{depth}_copies"], 1)
            figures[f"{depth}_{kind}ceiling"] = round(1 - share, 3)
        total = missed[f"depth2_{kind}missed"] + missed[f"depth3_{kind}missed"]
        figures[f"parent_{kind}ceiling"] = round(1 - total / max(copies, 1), 3)
    return figures


def main() -> None:
    """Print the ceilings for the chosen seeds."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--stories", type=int, default=200)
    args = parser.parse_args()
    figures = ceiling([int(s) for s in args.seeds.split(",")], args.stories)
    for depth, label in (("depth2", "copies of the origin"), ("depth3", "copies of copies")):
        print(
            f"{label}: {figures[f'{depth}_copies']} copies, "
            f"{figures.get(f'{depth}_ambiguous', 0)} with look-alike candidates; "
            f"expected misses of the best timing choice "
            f"{figures.get(f'{depth}_missed', 0)} by true times, "
            f"{figures.get(f'{depth}_seen_missed', 0)} by first-seen times: ceilings "
            f"{figures[f'{depth}_ceiling']:.3f} and {figures[f'{depth}_seen_ceiling']:.3f}"
        )
    print(
        f"parent accuracy ceiling (full copies): {figures['parent_ceiling']:.3f} by true times, "
        f"{figures['parent_seen_ceiling']:.3f} by first-seen times"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
