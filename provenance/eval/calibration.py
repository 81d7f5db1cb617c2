"""Do the confidences mean what they say? Reliability tables and calibration error.

For every exported verdict with a confidence we know from the truth whether it
was right: a story's origin (stories with two or more members), and each
copy's parent. Binned by confidence, the share right in each bin should match
the bin's mean confidence; the expected calibration error (ECE) is the
count-weighted mean gap.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from provenance.eval.scorer import normalize_url
from provenance.eval.truth import Truth

__all__ = ["Reliability", "chance_ece", "chance_line", "confidence_pairs", "reliability"]


@dataclass(frozen=True, slots=True)
class Reliability:
    """A reliability table.

    Attributes:
        name: What was judged ("origin", "parent").
        rows: ``(low, high, count, mean confidence, share right)`` per bin.
        ece: Expected calibration error.
        count: Verdicts judged.
    """

    name: str
    rows: tuple[tuple[float, float, int, float, float], ...]
    ece: float
    count: int

    def format(self) -> str:
        """A plain-text table."""
        lines = [
            f"reliability of {self.name} confidence: ECE {self.ece:.3f} over {self.count}",
            f"{'bin':>11} {'n':>6} {'mean conf':>10} {'right':>7}",
        ]
        lines += [
            f"{lo:4.1f}-{hi:4.1f}  {n:>6} {conf:>10.3f} {acc:>7.3f}"
            for lo, hi, n, conf, acc in self.rows
            if n
        ]
        return "\n".join(lines)


def chance_ece(pairs: Sequence[tuple[float, bool]], draws: int = 1000) -> tuple[float, float]:
    """Median and 90th percentile ECE of a perfectly calibrated tracer with these confidences.

    Each draw keeps the confidences and makes every verdict right with exactly
    its confidence: the error that sampling alone gives on so many verdicts
    (about 120 origins per generated network of 200 stories are few).
    """
    rng = random.Random(0)
    eces = sorted(
        reliability("chance", [(p, rng.random() < p) for p, _ in pairs]).ece for _ in range(draws)
    )
    return eces[draws // 2], eces[draws * 9 // 10]


def chance_line(pairs: Sequence[tuple[float, bool]]) -> str:
    """:func:`chance_ece` in words, to print beside a reliability table."""
    median, p90 = chance_ece(pairs)
    return f"  a calibrated tracer, by chance alone: ECE {median:.3f} median, {p90:.3f} p90"


def reliability(name: str, pairs: Sequence[tuple[float, bool]], *, bins: int = 10) -> Reliability:
    """Bin ``(confidence, right)`` pairs and compute the ECE."""
    rows = []
    gap = 0.0
    for i in range(bins):
        low, high = i / bins, (i + 1) / bins
        inside = [(c, r) for c, r in pairs if low <= c < high or (i == bins - 1 and c == 1.0)]
        if inside:
            conf = sum(c for c, _ in inside) / len(inside)
            acc = sum(1 for _, r in inside if r) / len(inside)
            gap += len(inside) * abs(conf - acc)
            rows.append((low, high, len(inside), conf, acc))
        else:
            rows.append((low, high, 0, 0.0, 0.0))
    return Reliability(name, tuple(rows), gap / len(pairs) if pairs else 0.0, len(pairs))


def _articles(story: Mapping[str, object]) -> list[Mapping[str, object]]:
    articles = story.get("articles")
    return [a for a in articles if isinstance(a, Mapping)] if isinstance(articles, list) else []


def confidence_pairs(
    export: Iterable[Mapping[str, object]], truth: Truth
) -> tuple[list[tuple[float, bool]], list[tuple[float, bool]]]:
    """``(confidence, right)`` for every origin and every parent verdict of an export.

    An origin verdict is judged for exported stories of two or more members
    whose origin the truth knows; it is right when the exported origin is the
    true origin of that article's story. A parent verdict is judged for every
    exported copy the truth knows.
    """
    origins: list[tuple[float, bool]] = []
    parents: list[tuple[float, bool]] = []
    known = truth.articles
    for story in export:
        articles = _articles(story)
        origin_url = story.get("origin_url")
        if (
            len(articles) >= 2
            and isinstance(origin_url, str)
            and normalize_url(origin_url) in known
        ):
            truth_origin = known[normalize_url(origin_url)]
            true_story = truth.stories[truth_origin.story]
            right = normalize_url(true_story.origin_url) == normalize_url(origin_url)
            origins.append((float(story.get("confidence") or 0.0), right))  # type: ignore[arg-type]
        for article in articles:
            url = normalize_url(str(article.get("url")))
            parent = article.get("parent_url")
            if url not in known or parent is None:
                continue
            expected = known[url].parent_url
            right = expected is not None and normalize_url(expected) == normalize_url(str(parent))
            parents.append((float(article.get("confidence") or 0.0), right))  # type: ignore[arg-type]
    return origins, parents
