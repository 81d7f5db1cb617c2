"""Fit the weights by which the tracer picks each story's origin.

The tracer gives each likely origin r (a member that loses least by having no
parent) the second pass on itself and its best tree under
:data:`provenance.weights.ORIGIN_WEIGHTS`, and takes the candidate whose
tree scores highest (:func:`provenance.trace.choose_origin`). This script
fits those weights by maximum likelihood on generated networks with ground
truth: a softmax over each story's candidate roots of their best-tree scores
should put its mass on the true origin. A tree's score is linear in the
weights once the tree is fixed, so the fit alternates: find every candidate's
best tree under the current weights, fit the weights to those trees
(L-BFGS, every weight >= 0: each kind of evidence can only argue for the
parent it points to), and repeat. ``partial_parent`` is a rule, not fitted.

Paste the printed dictionary into :data:`provenance.weights.ORIGIN_WEIGHTS`,
then refit the origin's calibration (``benchmarks/calibrate.py``) and check
both on other seeds with ``benchmarks/evaluate.py``.

Run: ``python benchmarks/fit_origin.py [--seeds 201,...,208] [--stories 200]
[--check 1,2,3] [--cache FILE]``; ``--check`` prints origin accuracy on those
seeds before and after.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy.optimize import minimize

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.fit_weights import Story, cached_stories, load_stories
from provenance.evidence import StoryEvidence, collect_evidence
from provenance.models import Member
from provenance.trace import CANDIDATE_ORIGINS, best_tree, candidate_origins, choose_origin
from provenance.weights import ORIGIN_WEIGHTS

#: Weights that are rules rather than fitted.
_FIXED = frozenset({"partial_parent"})
#: L2 penalty per weight, as for the parents' weights.
_L2 = 1e-3
#: Rounds of "best trees under the weights, then weights to the trees".
_ROUNDS = 4


@dataclass
class Case:
    """A story with one true origin among its members."""

    members: list[Member]
    evidence: StoryEvidence
    origin: int


@dataclass
class RootSet:
    """One story's candidate roots: their trees' feature sums and fixed parts."""

    x: npt.NDArray[np.float64]  # candidates x fitted features
    fixed: npt.NDArray[np.float64]  # the rules' part of each tree's score
    true: int  # row of the true origin


def cases(stories: Sequence[Story]) -> list[Case]:
    """The stories whose true origin is one of their members, with first-pass evidence."""
    found = []
    for members, truth in stories:
        origins = [i for i, m in enumerate(members) if truth.get(m.url) is None]
        if len(origins) == 1:
            found.append(Case(members, collect_evidence(members), origins[0]))
    return found


def root_sets(
    found: Sequence[Case], weights: Mapping[str, float], names: list[str]
) -> list[RootSet]:
    """Each story's candidate roots (the true one added), with their best trees' features."""
    sets = []
    for case in found:
        ev = case.evidence
        ev.weigh(weights)
        roots = candidate_origins(ev)
        if case.origin not in roots:
            roots.append(case.origin)
        x = np.zeros((len(roots), len(names)))
        fixed = np.zeros(len(roots))
        for row, root in enumerate(roots):
            tree, _ = best_tree(ev, root, weights=weights)
            for child, parent in tree.items():
                x[row] += [ev.features[k][parent, child] for k in names]
                fixed[row] += sum(weights[k] * ev.features[k][parent, child] for k in _FIXED)
        sets.append(RootSet(x, fixed, roots.index(case.origin)))
    return sets


def fit(sets: Sequence[RootSet], start: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Weights minimising the root choices' mean negative log-likelihood (plus L2)."""

    def loss(theta: npt.NDArray[np.float64]) -> tuple[float, npt.NDArray[np.float64]]:
        nll, grad = 0.0, np.zeros_like(theta)
        for s in sets:
            z = s.x @ theta + s.fixed
            top = z.max()
            e = np.exp(z - top)
            p = e / e.sum()
            nll += float(np.log(e.sum()) + top - z[s.true])
            grad += s.x.T @ p - s.x[s.true]
        n = max(len(sets), 1)
        return nll / n + _L2 * float(theta @ theta), grad / n + 2 * _L2 * theta

    bounds = [(0.0, None)] * len(start)
    result = minimize(loss, start, jac=True, method="L-BFGS-B", bounds=bounds)
    return np.asarray(result.x)


def origin_accuracy(found: Sequence[Case], weights: Mapping[str, float]) -> float:
    """Share of stories whose origin, as the tracer picks it under ``weights``, is true."""
    right = sum(choose_origin(c.members, weights=weights).root == c.origin for c in found)
    return right / max(len(found), 1)


def main() -> None:
    """Fit and print the weights."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="201,202,203,204,205,206,207,208")
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument("--check", help="seeds to report origin accuracy on, e.g. 1,2,3")
    parser.add_argument("--cache", type=Path, help="keep the training stories in this file")
    args = parser.parse_args()
    train = cases(cached_stories(args.seeds, args.stories, args.cache))
    check = (
        cases(load_stories([int(s) for s in args.check.split(",")], args.stories))
        if args.check
        else []
    )
    names = [k for k in ORIGIN_WEIGHTS if k not in _FIXED]
    weights = dict(ORIGIN_WEIGHTS)
    theta = np.array([weights[k] for k in names])
    print(f"{len(train)} training stories, {CANDIDATE_ORIGINS} candidate roots each")
    for round_ in range(_ROUNDS):
        theta = fit(root_sets(train, weights, names), theta)
        weights = dict(ORIGIN_WEIGHTS) | {
            k: round(float(w), 3) for k, w in zip(names, theta, strict=True)
        }
        print(
            f"round {round_ + 1}: origin accuracy on training seeds "
            f"{origin_accuracy(train, weights):.3f}",
            flush=True,
        )
    for label, found in (("training", train), ("check", check)):
        if found:
            before = origin_accuracy(found, ORIGIN_WEIGHTS)
            after = origin_accuracy(found, weights)
            print(f"origin accuracy on {label} seeds: {before:.3f} now, {after:.3f} fitted")
    print(json.dumps(weights, indent=1))


if __name__ == "__main__":
    main()
