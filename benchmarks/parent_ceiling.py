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
against it.

Run: ``python benchmarks/parent_ceiling.py [--seeds 1,2,3] [--stories 200]``.
The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from provenance.eval.drafts import Draft
from provenance.eval.generator import ORIGIN_PARENT_WEIGHT, generate_drafts
from provenance.eval.timing import delay_density


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


def _odds(copy: Draft, candidate: Draft) -> float:
    """The generator's odds that ``candidate`` is the copy's parent, given the times."""
    prior = ORIGIN_PARENT_WEIGHT if candidate.depth == 0 else 1.0
    return prior * delay_density((copy.published - candidate.published).total_seconds() / 60)


def ceiling(seeds: list[int], stories: int) -> dict[str, float | int]:
    """Copies, ambiguous copies and timing-only misses per depth, and the ceilings."""
    count: Counter[str] = Counter()
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
                best = max(alike, key=lambda u: _odds(copy, u))
                count[f"{depth}_missed"] += best is not copy.parent
    figures: dict[str, float | int] = dict(sorted(count.items()))
    for depth in ("depth2", "depth3"):
        copies = count[f"{depth}_copies"]
        figures[f"{depth}_ceiling"] = round(1 - count[f"{depth}_missed"] / max(copies, 1), 3)
    copies = count["depth2_copies"] + count["depth3_copies"]
    missed = count["depth2_missed"] + count["depth3_missed"]
    figures["parent_ceiling"] = round(1 - missed / max(copies, 1), 3)
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
            f"{figures.get(f'{depth}_ambiguous', 0)} with look-alike candidates, "
            f"{figures.get(f'{depth}_missed', 0)} missed by the best timing choice: "
            f"ceiling {figures[f'{depth}_ceiling']:.3f}"
        )
    print(f"parent accuracy ceiling (full copies): {figures['parent_ceiling']:.3f}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
