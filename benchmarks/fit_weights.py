"""Fit the weights by which the tracer picks each copy's parent.

The tracer first settles the origin with hand-set weights
(:data:`provenance.weights.ORIGIN_WEIGHTS`), then picks every copy's parent
as the best tree under that origin, scoring each candidate edge u -> v as a
weighted sum of evidence features (:data:`provenance.weights.WEIGHTS`).
This script fits those weights by maximum likelihood on generated networks
with ground truth: for every copy in a traced story, a softmax over its
candidate parents should put its mass on the true one. That is multinomial
logistic regression with one choice set per copy, L2-regularised, with the
sign of each weight fixed where the evidence can only point one way (a link
to u never argues against u); the lag bands are free, since a lag can argue
either way. ``partial_parent`` is a rule, not fitted.

The penalty is chosen by leave-one-seed-out cross-validation on the training
seeds (:data:`L2_GRID`): fit on all seeds but one, count the parent accuracy
on that one, and keep the penalty with the best mean. The penalty matters for
rare but decisive evidence: another outlet's promo line inside a copy shows up
in a few percent of copies and points at the true parent nearly every time; a
strong penalty holds its weight down to where timing and the from-origin prior
outvote it.

Paste the printed dictionary into :data:`provenance.weights.WEIGHTS`, then
refit the confidence calibration (``benchmarks/calibrate.py``) and check both
on other seeds with ``benchmarks/evaluate.py``.

Run: ``python benchmarks/fit_weights.py [--seeds 201,...,208] [--stories 200]``;
``--check 1,2,3`` also prints parent accuracy on those seeds before and after;
``--l2 X`` skips the cross-validation and fits with penalty ``X``.
"""

from __future__ import annotations

import argparse
import json
import pickle
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

from provenance import evidence
from provenance.arborescence import best_arborescence
from provenance.eval.generator import generate_network
from provenance.eval.scorer import normalize_url
from provenance.models import Member
from provenance.service import Service, ingest_path
from provenance.storage import repository as repo
from provenance.stories import story_members
from provenance.trace import choose_origin
from provenance.weights import WEIGHTS

#: Weights that can only be >= 0 (evidence for u) or <= 0 (evidence against u).
_NEGATIVE = frozenset({"surplus"})
#: Weights that are rules rather than fitted.
_FIXED = frozenset({"partial_parent"})
#: L2 penalties per weight that the cross-validation tries. Without any, the
#: weight of evidence that never misled on the training seeds runs off.
L2_GRID = (1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6)

Story = tuple[list[Member], dict[str, str | None]]  # members, true parent by url


@dataclass
class Traced:
    """A story's evidence after the tracer settled its origin."""

    members: list[Member]
    truth: dict[str, str | None]
    evidence: evidence.StoryEvidence
    root: int


@dataclass
class Choices:
    """Every copy's choice set, stacked: one row per candidate parent."""

    x: npt.NDArray[np.float64]  # candidates x features
    chosen: npt.NDArray[np.bool_]  # the true parent of each set
    starts: npt.NDArray[np.intp]  # first row of each set


def load_stories(seeds: Sequence[int], stories: int) -> list[Story]:
    """Generate, ingest and read back the traced stories of each seed."""
    return [story for group in load_seeds(seeds, stories).values() for story in group]


def load_seeds(seeds: Sequence[int], stories: int) -> dict[int, list[Story]]:
    """:func:`load_stories`, kept apart by seed (for cross-validation)."""
    by_seed: dict[int, list[Story]] = {}
    for seed in seeds:
        found = by_seed.setdefault(seed, [])
        workdir = Path(tempfile.mkdtemp(prefix=f"provenance-fit-{seed}-"))
        network = generate_network(seed=seed, stories=stories)
        articles, _ = network.write(workdir)
        db_url = f"sqlite:///{workdir / 'db.sqlite'}"
        ingest_path(articles, db_url=db_url)
        truth = {
            normalize_url(a.url): normalize_url(a.parent_url) if a.parent_url else None
            for a in network.truth.articles.values()
        }
        service = Service(db_url)
        with service.sessions() as session:
            for story in repo.live_stories(session):
                members = story_members(session, story.id)
                if len(members) > 1:
                    found.append((members, {m.url: truth.get(m.url) for m in members}))
        service.close()
        print(f"seed {seed}: {len(found)} traced stories", flush=True)
    return by_seed


def settle(stories: Sequence[Story]) -> list[Traced]:
    """The tracer's origin of each story, and its evidence with both passes."""
    traced = []
    for members, truth in stories:
        chosen = choose_origin(members)
        traced.append(Traced(members, truth, chosen.evidence, chosen.root))
    return traced


def choices(traced: Sequence[Traced], names: list[str]) -> Choices:
    """The choice sets of every copy whose true parent is a candidate in its story."""
    rows: list[npt.NDArray[np.float64]] = []
    chosen: list[npt.NDArray[np.bool_]] = []
    starts: list[int] = []
    count = 0
    for story in traced:
        index = {m.url: i for i, m in enumerate(story.members)}
        features = np.stack([story.evidence.features[k] for k in names])  # k x u x v
        for v, member in enumerate(story.members):
            parent = index.get(story.truth.get(member.url) or "")
            if parent is None or v == story.root:
                continue  # an origin, or its parent landed in another story
            # Quotes never source a full copy (a rule): they are no candidates.
            others = [
                u
                for u, m in enumerate(story.members)
                if u != v and (member.partial or not m.partial)
            ]
            if parent not in others:
                continue
            rows.append(features[:, others, v].T)
            truth_row = np.zeros(len(others), dtype=bool)
            truth_row[others.index(parent)] = True
            chosen.append(truth_row)
            starts.append(count)
            count += len(others)
    return Choices(np.concatenate(rows), np.concatenate(chosen), np.array(starts))


def fit(
    data: Choices, names: list[str], start: npt.NDArray[np.float64], l2: float = L2_GRID[0]
) -> npt.NDArray[np.float64]:
    """Weights minimising the choice sets' mean negative log-likelihood plus ``l2 * |w|^2``."""
    sizes = np.diff(np.append(data.starts, len(data.x)))
    group = np.repeat(np.arange(len(data.starts)), sizes)
    sets = len(data.starts)

    def loss(theta: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        z = data.x @ theta
        top = np.maximum.reduceat(z, data.starts)
        e = np.exp(z - top[group])
        total = np.add.reduceat(e, data.starts)
        p = e / total[group]
        nll = float(np.sum(np.log(total) + top) - z[data.chosen].sum())
        grad = data.x.T @ (p - data.chosen)
        return nll / sets + l2 * float(theta @ theta), grad / sets + 2 * l2 * theta

    bounds = [
        (None, 0.0) if n in _NEGATIVE else (None, None) if _is_lag(n) else (0.0, None)
        for n in names
    ]
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    return np.asarray(result.x)


def _is_lag(name: str) -> bool:
    """Lag bands are a profile: a band may argue for a parent or against it."""
    return name.startswith(("lag_", "seen_lag_"))


def parent_accuracy(traced: Sequence[Traced], weights: Mapping[str, float]) -> float:
    """Share of copies whose parent, in the best tree under the settled origin, is true."""
    right = total = 0
    for story in traced:
        story.evidence.weigh(weights)
        parents = best_arborescence(story.evidence.scores(), root=story.root)
        for v, member in enumerate(story.members):
            parent = story.truth.get(member.url)
            if parent is not None:
                total += 1
                right += v in parents and story.members[parents[v]].url == parent
    return right / max(total, 1)


def fitted_weights(traced: Sequence[Traced], names: list[str], l2: float) -> dict[str, float]:
    """:data:`WEIGHTS` with ``names`` refitted on ``traced`` under penalty ``l2``."""
    start = np.array([WEIGHTS[k] for k in names])
    theta = fit(choices(traced, names), names, start, l2)
    return dict(WEIGHTS) | {k: round(float(w), 3) for k, w in zip(names, theta, strict=True)}


def choose_l2(by_seed: Mapping[int, Sequence[Traced]], names: list[str]) -> float:
    """The penalty of :data:`L2_GRID` with the best leave-one-seed-out parent accuracy."""
    means: dict[float, float] = {}
    for l2 in L2_GRID:
        held_out = []
        for seed, stories in by_seed.items():
            rest = [s for other, group in by_seed.items() if other != seed for s in group]
            held_out.append(parent_accuracy(stories, fitted_weights(rest, names, l2)))
        means[l2] = float(np.mean(held_out))
        folds = " ".join(f"{a:.4f}" for a in held_out)
        print(f"l2 {l2:g}: held-out parent accuracy {means[l2]:.4f} ({folds})", flush=True)
    return max(means, key=lambda l2: means[l2])


def cached_stories(seeds: str, count: int, cache: Path | None) -> list[Story]:
    """:func:`cached_seeds`, every seed's stories in one list."""
    return [story for group in cached_seeds(seeds, count, cache).values() for story in group]


def cached_seeds(seeds: str, count: int, cache: Path | None) -> dict[int, list[Story]]:
    """:func:`load_seeds` of comma-separated ``seeds``, kept in ``cache`` if given."""
    if cache and cache.exists():
        loaded: dict[int, list[Story]] = pickle.loads(cache.read_bytes())
        return loaded
    by_seed = load_seeds([int(s) for s in seeds.split(",")], count)
    if cache:
        cache.write_bytes(pickle.dumps(by_seed))
    return by_seed


def main() -> None:
    """Fit and print the weights."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="201,202,203,204,205,206,207,208")
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--check", help="seeds to report parent accuracy on, e.g. 1,2,3")
    parser.add_argument("--cache", type=Path, help="keep the training stories in this file")
    parser.add_argument("--l2", type=float, help="fit with this penalty (default: cross-validate)")
    args = parser.parse_args()
    by_seed = {
        seed: settle(group)
        for seed, group in cached_seeds(args.seeds, args.stories, args.cache).items()
    }
    train = [story for group in by_seed.values() for story in group]
    check = (
        settle(load_stories([int(s) for s in args.check.split(",")], args.stories))
        if args.check
        else []
    )
    names = [k for k in WEIGHTS if k not in _FIXED]
    l2 = args.l2 if args.l2 is not None else choose_l2(by_seed, names)
    print(f"fitting with l2 {l2:g}")
    fitted = fitted_weights(train, names, l2)
    for label, stories in (("training", train), ("check", check)):
        if stories:
            before = parent_accuracy(stories, WEIGHTS)
            after = parent_accuracy(stories, fitted)
            print(f"parent accuracy on {label} seeds: {before:.3f} now, {after:.3f} fitted")
    print(json.dumps(fitted, indent=1))


if __name__ == "__main__":
    main()
