"""Calibration figures: the reliability table and what chance alone gives."""

from __future__ import annotations

import pytest

from provenance.eval.calibration import chance_ece, reliability


def test_reliability_bins_and_error() -> None:
    pairs = [(0.95, True)] * 9 + [(0.95, False)] + [(0.55, True)] * 2 + [(0.55, False)] * 2
    table = reliability("origin", pairs)
    assert table.count == 14
    rows = {(low, high): (n, conf, right) for low, high, n, conf, right in table.rows if n}
    assert rows[(0.9, 1.0)] == pytest.approx((10, 0.95, 0.9))
    assert rows[(0.5, 0.6)] == pytest.approx((4, 0.55, 0.5))
    assert table.ece == pytest.approx((10 * 0.05 + 4 * 0.05) / 14)


def test_chance_error_is_zero_for_certain_verdicts_and_shrinks_with_more_of_them() -> None:
    assert chance_ece([(1.0, True)] * 50, draws=50) == (0.0, 0.0)
    few = chance_ece([(0.8, True)] * 100, draws=300)
    many = chance_ece([(0.8, True)] * 2500, draws=300)
    assert 0.0 < few[0] <= few[1]
    # Sampling error falls as 1/sqrt(n): 25 times the verdicts, a fifth the error.
    assert many[0] < few[0] / 3
