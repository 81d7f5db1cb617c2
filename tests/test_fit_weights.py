"""The evidence-weight fitter recovers the weights that generated its choices."""

from __future__ import annotations

import numpy as np

from benchmarks.fit_weights import Choices, fit


def _choices(theta: np.ndarray, sets: int, seed: int) -> Choices:
    rng = np.random.default_rng(seed)
    rows, chosen, starts, count = [], [], [], 0
    for _ in range(sets):
        size = int(rng.integers(2, 6))
        x = rng.normal(size=(size, len(theta)))
        z = x @ theta
        p = np.exp(z - z.max())
        p /= p.sum()
        pick = np.zeros(size, dtype=bool)
        pick[rng.choice(size, p=p)] = True
        rows.append(x)
        chosen.append(pick)
        starts.append(count)
        count += size
    return Choices(np.concatenate(rows), np.concatenate(chosen), np.array(starts))


def test_fit_recovers_generating_weights() -> None:
    truth = np.array([1.5, 0.5, -1.0])
    data = _choices(truth, sets=4000, seed=7)
    fitted = fit(data, ["similarity", "link", "surplus"], np.zeros(3))
    assert np.allclose(fitted, truth, atol=0.2), fitted


def test_fit_keeps_signs_where_evidence_points_one_way() -> None:
    # Choices generated with a negative weight on a feature that may only
    # argue for a parent: the fit stops at zero instead of going negative.
    data = _choices(np.array([1.0, -1.0]), sets=2000, seed=3)
    fitted = fit(data, ["similarity", "link"], np.zeros(2))
    assert fitted[1] == 0.0 and fitted[0] > 0.5
