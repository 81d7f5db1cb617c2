"""Rates pooled over evaluations, from hand-built scores (no data sets needed)."""

from __future__ import annotations

import pytest

from provenance.eval.pooled import format_pooled, pool
from provenance.eval.scorer import score
from tests.eval.test_scorer import _skipping_intermediate, _truth


def test_pooled_rates_count_every_case_once() -> None:
    truth = _truth()
    good = score(truth.as_export(), truth)
    bad = score(_skipping_intermediate(truth), truth)
    pooled = pool([good, bad])
    # 4 copies each: 4 right, then 3 right.
    parent = pooled["overall"]["parent"]
    assert (parent.count, parent.rate) == (8, pytest.approx(7 / 8))
    assert pooled["overall"]["par@d3"].rate == pytest.approx(1 / 2)
    # German has one copy per run, both right; its story has no third level.
    assert pooled["lang de"]["parent"].rate == 1.0
    assert pooled["lang de"]["par@d3"].rate is None
    assert next(iter(pooled)) == "overall"


def test_pooled_table_shows_rates_with_their_counts() -> None:
    truth = _truth()
    scores = score(truth.as_export(), truth)
    table = format_pooled([scores, scores])
    row = next(line for line in table.splitlines() if line.startswith("overall"))
    assert row.split()[1:] == [
        *("1.000", "(4)", "1.000", "(8)", "1.000", "(2)", "1.000", "(8)"),
        *("0.000", "(2)"),  # the hard-negative pair of each run, not linked
    ]
    german = next(line for line in table.splitlines() if line.startswith("lang de"))
    assert "-" in german.split()
