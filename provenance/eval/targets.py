"""The quality targets the tracer is held to, checked against one evaluation's figures.

Each :class:`Target` reads one figure from the :class:`~provenance.eval.Scores`
and the reliability tables of an evaluation and says whether it meets its
bound. The figures are the scorer's own; this module only names the bounds
and prints them beside the figures, so that a shortfall is stated, not
inferred from a wide table.

"Parent accuracy on depth-3 trees" can be read two ways, and both are printed:
over every copy in a story whose tree has three levels (the ``depth3`` tag's
parent accuracy, the row the bound applies to), and over the third-level
copies alone (copies of copies, ``par@d3``), which is the harder figure and
has no bound of its own.

Over several seeds, :func:`pooled_checks` gives each target its figure over
every seed's cases together (the rates of :mod:`provenance.eval.pooled`, the
calibration error of all verdicts in one table), the verdict to quote; pair
F1 is no rate over cases and is judged per seed only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from provenance.eval.calibration import Reliability
from provenance.eval.pooled import PooledRate, pool
from provenance.eval.scorer import Scores

__all__ = [
    "TARGETS",
    "Target",
    "TargetCheck",
    "check_targets",
    "format_checks",
    "pooled_checks",
]

_Pooled = Mapping[str, Mapping[str, PooledRate]]


@dataclass(frozen=True, slots=True)
class Target:
    """One bound on one figure.

    Attributes:
        name: What is measured, in words.
        bound: The bound; None for a figure reported without one.
        at_most: The figure must be at most ``bound`` (else at least).
        read: Reads the figure (None when there is nothing to measure).
        pooled: Reads the figure over several runs pooled, from the pooled
            rates and the reliability tables of all their verdicts; None for
            a figure that does not pool.
    """

    name: str
    bound: float | None
    at_most: bool
    read: Callable[[Scores, Mapping[str, Reliability]], float | None]
    pooled: Callable[[_Pooled, Mapping[str, Reliability]], float | None] | None = None


@dataclass(frozen=True, slots=True)
class TargetCheck:
    """A target and the figure one evaluation gave for it."""

    target: Target
    value: float | None

    @property
    def met(self) -> bool | None:
        """Whether the figure meets the bound; None without a bound or a figure."""
        if self.target.bound is None or self.value is None:
            return None
        if self.target.at_most:
            return self.value <= self.target.bound
        return self.value >= self.target.bound


def _tag_parent(scores: Scores, tag: str) -> float | None:
    metrics = scores.by_tag.get(tag)
    return None if metrics is None else metrics.parent_accuracy


def _ece(tables: Mapping[str, Reliability], name: str) -> float | None:
    table = tables.get(name)
    return None if table is None or not table.count else table.ece


def _calibration(name: str) -> Callable[[object, Mapping[str, Reliability]], float | None]:
    """A reader of one calibration error, per run or pooled alike (it reads only the tables)."""

    def read(_: object, tables: Mapping[str, Reliability]) -> float | None:
        return _ece(tables, name)

    return read


def _rate(subset: str, column: str) -> Callable[[_Pooled, Mapping[str, Reliability]], float | None]:
    """A reader of one pooled rate (None where no run had a case)."""

    def read(pooled: _Pooled, _: Mapping[str, Reliability]) -> float | None:
        rate = pooled.get(subset, {}).get(column)
        return None if rate is None else rate.rate

    return read


#: The targets of the tracer, in the order they are printed.
TARGETS: tuple[Target, ...] = (
    Target("same-story pair F1", 0.98, False, lambda s, _: s.overall.pair_f1),
    Target(
        "origin accuracy",
        0.95,
        False,
        lambda s, _: s.overall.origin_accuracy,
        _rate("overall", "origin"),
    ),
    Target(
        "parent accuracy",
        0.90,
        False,
        lambda s, _: s.overall.parent_accuracy,
        _rate("overall", "parent"),
    ),
    Target(
        "parent accuracy, stories with 3-level trees",
        0.85,
        False,
        lambda s, _: _tag_parent(s, "depth3"),
        _rate("tag depth3", "parent"),
    ),
    Target(
        "parent accuracy, third-level copies only",
        None,
        False,
        lambda s, _: s.overall.depth3_parent_accuracy,
        _rate("overall", "par@d3"),
    ),
    Target(
        "credited/uncredited label accuracy",
        0.95,
        False,
        lambda s, _: s.overall.credit_accuracy,
        _rate("overall", "credit"),
    ),
    Target(
        "hard-negative false links",
        0.01,
        True,
        lambda s, _: s.overall.hard_negative_false_links,
        _rate("overall", "hn links"),
    ),
    Target(
        "origin calibration error (ECE)",
        0.05,
        True,
        _calibration("origin"),
        _calibration("origin"),
    ),
    Target(
        "parent calibration error (ECE)",
        0.05,
        True,
        _calibration("parent"),
        _calibration("parent"),
    ),
)


def check_targets(
    scores: Scores, tables: Sequence[Reliability], targets: Sequence[Target] = TARGETS
) -> list[TargetCheck]:
    """Each target with the figure this evaluation gave for it."""
    by_name = {table.name: table for table in tables}
    return [TargetCheck(target, target.read(scores, by_name)) for target in targets]


def pooled_checks(
    runs: Sequence[Scores], tables: Sequence[Reliability], targets: Sequence[Target] = TARGETS
) -> list[TargetCheck]:
    """Each target with its figure over every run pooled (None where it does not pool).

    Args:
        runs: The runs' scores.
        tables: Reliability tables of all the runs' verdicts together.
        targets: The targets.
    """
    rates = pool(runs)
    by_name = {table.name: table for table in tables}
    return [
        TargetCheck(target, None if target.pooled is None else target.pooled(rates, by_name))
        for target in targets
    ]


def format_checks(
    runs: Mapping[str, Sequence[TargetCheck]], pooled: Sequence[TargetCheck] | None = None
) -> str:
    """A table of targets by run (e.g. by seed): each figure, and how many runs meet its bound.

    ``runs`` maps a run's label to its checks, all of the same targets in the
    same order; ``pooled`` (of :func:`pooled_checks`) adds the pooled figure
    and whether it meets the bound.
    """
    labels = list(runs)
    if not labels:
        return ""
    first = runs[labels[0]]
    width = max(len(check.target.name) for check in first) + 2
    header = f"{'target':<{width}}{'bound':>8}" + "".join(f"{label:>9}" for label in labels)
    header += "      met" + ("   pooled   verdict" if pooled is not None else "")
    lines = [header, "-" * len(header)]
    for row, check in enumerate(first):
        target = check.target
        bound = (
            "-" if target.bound is None else f"{'<=' if target.at_most else '>='}{target.bound:g}"
        )
        cells = [runs[label][row] for label in labels]
        values = "".join(f"{'-' if c.value is None else f'{c.value:.3f}':>9}" for c in cells)
        verdicts = [c.met for c in cells if c.met is not None]
        met = "" if target.bound is None else f"{sum(verdicts)}/{len(verdicts)}"
        line = f"{target.name:<{width}}{bound:>8}{values}{met:>9}"
        if pooled is not None:
            line += _pooled_cells(pooled[row])
        lines.append(line.rstrip())
    return "\n".join(lines)


def _pooled_cells(check: TargetCheck) -> str:
    value = "-" if check.value is None else f"{check.value:.3f}"
    verdict = {True: "met", False: "NOT MET", None: ""}[check.met]
    return f"{value:>9}{verdict:>10}"
