"""Fit the tracer's confidence calibration on generated networks with ground truth.

For each training seed: generate a network, ingest it with the calibration set
to identity, export, and collect every origin and parent verdict with its raw
confidence and whether the truth agrees. A logistic regression on the logit of
the raw confidence (Platt scaling) gives ``a`` and ``b`` for origins and for
edges; paste them into :data:`provenance.trace.CALIBRATION`, then check the
calibration error on *other* seeds with ``benchmarks/evaluate.py``.

Run: ``python benchmarks/calibrate.py [--seeds 201,202,203,204,205,206] [--stories 200]``;
``--check 1,2,3`` also prints the pooled reliability on those held-out seeds
under the fitted constants.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

from provenance import trace
from provenance.eval.calibration import chance_line, confidence_pairs, reliability
from provenance.eval.generator import generate_network
from provenance.export import export_stories
from provenance.service import ingest_path

_CLIP = 1e-6
#: Raw confidences of 1.0 (no rival origin at all) carry no margin; they are
#: clipped to this logit.
_MAX_LOGIT = 12.0


def _logit(p: float) -> float:
    p = min(max(p, _CLIP), 1 - _CLIP)
    return max(-_MAX_LOGIT, min(_MAX_LOGIT, math.log(p / (1 - p))))


def platt(pairs: list[tuple[float, bool]]) -> tuple[float, float]:
    """``(a, b)`` minimising the log-loss of ``sigmoid(a * logit(p) + b)``."""
    x = np.array([_logit(p) for p, _ in pairs])
    y = np.array([1.0 if right else 0.0 for _, right in pairs])

    def loss(params: np.ndarray) -> float:
        z = params[0] * x + params[1]
        return float(np.mean(np.logaddexp(0.0, z) - y * z))

    result = minimize(loss, x0=np.array([1.0, 0.0]), method="Nelder-Mead")
    return float(result.x[0]), float(result.x[1])


def scaled(pairs: list[tuple[float, bool]], a: float, b: float) -> list[tuple[float, bool]]:
    """The pairs with their confidence mapped through ``sigmoid(a * logit(p) + b)``."""
    return [(1.0 / (1.0 + math.exp(-(a * _logit(p) + b))), right) for p, right in pairs]


def best_scaling(name: str, pairs: list[tuple[float, bool]]) -> tuple[float, float]:
    """Platt scaling, unless the raw confidences are better calibrated without it.

    Platt scaling minimises log-loss, which is not the calibration error: when
    the raw figure is already a fitted probability (the parent softmax over
    fitted weights), the scaling can lower log-loss and still raise the error.
    """
    a, b = platt(pairs)
    platt_ece = reliability(name, scaled(pairs, a, b)).ece
    raw_ece = reliability(name, pairs).ece
    print(f"{name}: ECE {raw_ece:.3f} raw, {platt_ece:.3f} with Platt a={a:.3f} b={b:.3f}")
    return (a, b) if platt_ece < raw_ece else (1.0, 0.0)


def verdicts(
    seeds: list[int], stories: int
) -> tuple[list[tuple[float, bool]], list[tuple[float, bool]]]:
    """Every origin and parent verdict of the seeds' networks, with whether it is right.

    The confidences are those of the calibration in force
    (:data:`provenance.trace.CALIBRATION`).
    """
    origins: list[tuple[float, bool]] = []
    parents: list[tuple[float, bool]] = []
    for seed in seeds:
        workdir = Path(tempfile.mkdtemp(prefix=f"provenance-calibrate-{seed}-"))
        network = generate_network(seed=seed, stories=stories)
        articles, _ = network.write(workdir)
        db_url = f"sqlite:///{workdir / 'db.sqlite'}"
        ingest_path(articles, db_url=db_url)
        o, p = confidence_pairs(list(export_stories(db_url=db_url)), network.truth)
        origins += o
        parents += p
        print(f"seed {seed}: {len(o)} origin and {len(p)} parent verdicts")
    return origins, parents


def main() -> None:
    """Fit and print the calibration constants."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="201,202,203,204,205,206")
    parser.add_argument("--stories", type=int, default=200)
    parser.add_argument(
        "--check", help="held-out seeds, e.g. 1,2,3: their pooled reliability under the fit"
    )
    args = parser.parse_args()
    trace.CALIBRATION.update({"origin_a": 1.0, "origin_b": 0.0, "edge_a": 1.0, "edge_b": 0.0})
    origins, parents = verdicts([int(s) for s in args.seeds.split(",")], args.stories)
    print(reliability("origin (raw)", origins).format())
    print(reliability("parent (raw)", parents).format())
    origin_a, origin_b = best_scaling("origin", origins)
    edge_a, edge_b = best_scaling("parent", parents)
    constants = {
        "origin_a": round(origin_a, 3),
        "origin_b": round(origin_b, 3),
        "edge_a": round(edge_a, 3),
        "edge_b": round(edge_b, 3),
    }
    if args.check:
        # One seed holds about 120 origins, too few for its error alone to say
        # much: the held-out seeds are pooled, and each figure is printed
        # beside what sampling alone gives a perfectly calibrated tracer.
        trace.CALIBRATION.update(constants)
        held_out = verdicts([int(s) for s in args.check.split(",")], args.stories)
        for name, pairs in zip(("origin", "parent"), held_out, strict=True):
            print(reliability(f"{name} (held-out seeds {args.check})", pairs).format())
            print(chance_line(pairs))
    print(json.dumps(constants))


if __name__ == "__main__":
    main()
