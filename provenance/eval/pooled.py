"""Accuracy rates pooled over several evaluations (seeds), per language and difficulty.

One seed holds few stories of some languages and tags (a few dozen Arabic
copies, a dozen stories with inverted first-seen order), so a per-seed rate
there swings widely. Pooling adds the counts behind each rate: a rate over
``n`` cases contributes ``rate * n`` right answers, so the pooled rate is the
rate of all cases together, exactly. Pair precision, recall and F1 are not
rates over cases and are not pooled here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from provenance.eval.scorer import Metrics, Scores

__all__ = ["POOLED_RATES", "PooledRate", "format_pooled", "pool"]

#: The pooled rates: (column, rate field, count field) of :class:`Metrics`.
POOLED_RATES = (
    ("origin", "origin_accuracy", "origin_n"),
    ("parent", "parent_accuracy", "parent_n"),
    ("par@d3", "depth3_parent_accuracy", "depth3_n"),
    ("credit", "credit_accuracy", "credit_n"),
    ("hn links", "hard_negative_false_links", "hard_negative_n"),
)


@dataclass(frozen=True, slots=True)
class PooledRate:
    """One rate over the cases of every evaluation pooled."""

    right: float
    count: int

    @property
    def rate(self) -> float | None:
        """The share right; None when no evaluation had a case."""
        return self.right / self.count if self.count else None


def _subsets(scores: Scores) -> dict[str, Metrics]:
    return {
        "overall": scores.overall,
        **{f"lang {k}": m for k, m in scores.by_language.items()},
        **{f"tag {k}": m for k, m in scores.by_tag.items()},
    }


def pool(runs: Sequence[Scores]) -> dict[str, dict[str, PooledRate]]:
    """Each subset's pooled rates (by column of :data:`POOLED_RATES`) over ``runs``."""
    pooled: dict[str, dict[str, PooledRate]] = {}
    for scores in runs:
        for name, metrics in _subsets(scores).items():
            row = pooled.setdefault(name, {})
            for column, rate_field, count_field in POOLED_RATES:
                rate, count = getattr(metrics, rate_field), getattr(metrics, count_field)
                before = row.get(column, PooledRate(0.0, 0))
                if rate is not None:
                    before = PooledRate(before.right + rate * count, before.count + count)
                row[column] = before
    ordered = sorted(pooled, key=lambda name: (name != "overall", name))
    return {name: pooled[name] for name in ordered}


def format_pooled(runs: Sequence[Scores]) -> str:
    """A table of the pooled rates, each with the number of cases behind it."""
    columns = [column for column, _, _ in POOLED_RATES]
    header = f"{'subset':<27}" + "".join(f"{column:>16}" for column in columns)
    lines = [header, "-" * len(header)]
    for name, row in pool(runs).items():
        cells = []
        for column in columns:
            value = row[column]
            cells.append("-" if value.rate is None else f"{value.rate:.3f} ({value.count})")
        lines.append(f"{name:<27}" + "".join(f"{cell:>16}" for cell in cells))
    return "\n".join(lines)
