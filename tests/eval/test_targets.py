"""The quality targets, read from hand-built scores (no data sets needed)."""

from __future__ import annotations

import pytest

from provenance.eval.calibration import reliability
from provenance.eval.scorer import score
from provenance.eval.targets import TargetCheck, check_targets, format_checks, pooled_checks
from tests.eval.test_scorer import _skipping_intermediate, _truth


def _by_name(checks: list[TargetCheck]) -> dict[str, tuple[float | None, bool | None]]:
    return {c.target.name: (c.value, c.met) for c in checks}


def test_a_perfect_export_meets_every_bound() -> None:
    truth = _truth()
    tables = [reliability("origin", [(1.0, True)] * 4), reliability("parent", [(1.0, True)] * 4)]
    checks = check_targets(score(truth.as_export(), truth), tables)
    assert all(c.met for c in checks if c.target.bound is not None)
    # The third-level figure is reported, with no bound to meet.
    third = _by_name(checks)["parent accuracy, third-level copies only"]
    assert third == (1.0, None)


def test_a_skipped_intermediate_fails_both_parent_bounds_and_a_bad_calibration_fails() -> None:
    truth = _truth()
    tables = [
        reliability("origin", [(0.9, False)] * 2 + [(0.9, True)] * 8),  # ECE 0.1
        reliability("parent", [(1.0, True)] * 4),
    ]
    found = _by_name(check_targets(score(_skipping_intermediate(truth), truth), tables))
    assert found["parent accuracy"] == (pytest.approx(3 / 4), False)
    # Story A has a three-level tree: a1, a2 and the quote r; a2 is wrong.
    assert found["parent accuracy, stories with 3-level trees"] == (pytest.approx(2 / 3), False)
    assert found["parent accuracy, third-level copies only"] == (0.0, None)
    assert found["origin calibration error (ECE)"] == (pytest.approx(0.1), False)
    assert found["parent calibration error (ECE)"] == (0.0, True)
    assert found["origin accuracy"] == (1.0, True)


def test_missing_figures_are_neither_met_nor_failed_and_the_table_counts_runs() -> None:
    truth = _truth()
    good = check_targets(score(truth.as_export(), truth), [])
    bad = check_targets(score(_skipping_intermediate(truth), truth), [])
    assert _by_name(good)["origin calibration error (ECE)"] == (None, None)
    table = format_checks({"seed 1": good, "seed 2": bad})
    parent_row = next(line for line in table.splitlines() if line.startswith("parent accuracy "))
    assert parent_row.split()[-3:] == ["1.000", "0.750", "1/2"]
    ece_row = next(line for line in table.splitlines() if line.startswith("origin calibration"))
    assert ece_row.split()[-3:] == ["-", "-", "0/0"]


def test_pooled_checks_count_every_run_s_cases_and_the_table_gives_the_verdict() -> None:
    truth = _truth()
    good = score(truth.as_export(), truth)
    bad = score(_skipping_intermediate(truth), truth)
    tables = [reliability("origin", [(0.9, False)] * 2 + [(0.9, True)] * 8)]  # ECE 0.1
    pooled = _by_name(pooled_checks([good, bad], tables))
    # 4 copies in each run: all right, then 3 of 4.
    assert pooled["parent accuracy"] == (pytest.approx(7 / 8), False)
    assert pooled["origin accuracy"] == (1.0, True)
    assert pooled["hard-negative false links"] == (0.0, True)
    assert pooled["origin calibration error (ECE)"] == (pytest.approx(0.1), False)
    assert pooled["parent calibration error (ECE)"] == (None, None)
    # Pair F1 is no rate over cases: judged per run only.
    assert pooled["same-story pair F1"] == (None, None)
    runs = {"seed 1": check_targets(good, []), "seed 2": check_targets(bad, [])}
    table = format_checks(runs, pooled_checks([good, bad], tables))
    parent_row = next(line for line in table.splitlines() if line.startswith("parent accuracy "))
    assert parent_row.split()[-5:] == ["0.750", "1/2", "0.875", "NOT", "MET"]
    origin_row = next(line for line in table.splitlines() if line.startswith("origin accuracy"))
    assert origin_row.split()[-2:] == ["1.000", "met"]
