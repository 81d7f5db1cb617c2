"""The origin-weight fitter recovers the weights that generated its root choices."""

from __future__ import annotations

import numpy as np

from benchmarks.fit_origin import RootSet, fit


def _root_sets(theta: np.ndarray, sets: int, seed: int) -> list[RootSet]:
    """Stories whose true origin is drawn from a softmax of tree features under ``theta``."""
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(sets):
        roots = int(rng.integers(2, 7))
        x = rng.gamma(2.0, 1.0, size=(roots, len(theta)))  # feature sums are >= 0
        fixed = np.where(rng.random(roots) < 0.1, -8.0, 0.0)  # a rule, not fitted
        z = x @ theta + fixed
        p = np.exp(z - z.max())
        p /= p.sum()
        found.append(RootSet(x, fixed, int(rng.choice(roots, p=p))))
    return found


def test_fit_recovers_generating_weights() -> None:
    truth = np.array([1.2, 0.4, 2.0])
    fitted = fit(_root_sets(truth, sets=4000, seed=5), np.zeros(3))
    assert np.allclose(fitted, truth, atol=0.2), fitted


def test_fit_keeps_every_weight_non_negative() -> None:
    # Generated with a negative weight: evidence for a root never argues against
    # it, so the fit stops at zero.
    fitted = fit(_root_sets(np.array([1.0, -1.0]), sets=2000, seed=3), np.zeros(2))
    assert fitted[1] == 0.0 and fitted[0] > 0.5
