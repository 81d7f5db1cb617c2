"""Score a story export against the ground truth of a generated network.

:func:`score` is pure: it reads the export (the JSONL objects the system writes,
one per story) and a :class:`~provenance.eval.truth.Truth`, and returns
:class:`Scores`, overall and broken down per language and per difficulty tag.

Definitions (articles are matched by normalised URL; an article of the truth
that is missing from the export counts as a predicted singleton, and as wrong
for every origin and parent question):

* pairwise precision / recall / F1: over article pairs placed in one predicted
  story versus pairs in one true story. In a breakdown, precision counts the
  predicted pairs with at least one member in the subset, recall the true pairs
  of the subset's stories.
* ARI: adjusted Rand index of the two partitions restricted to the subset.
* origin accuracy: per true story of two or more articles, correct when the
  predicted story that holds the true origin names that article as its origin.
* parent accuracy: per true non-origin article, predicted ``parent_url`` equals
  the true parent. Depth-3 parent accuracy: the same for copies of copies.
* credit accuracy: per non-origin article, the export's optional ``credit``
  label equals the true attribution; None when the export has no labels.
* hard-negative false links: share of hard-negative story pairs with any two
  articles in one predicted story.
* roundup merges: roundups whose two quoted stories ended up sharing a predicted
  story (the roundup itself not counted as the bridge).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from math import comb
from urllib.parse import urlsplit, urlunsplit

from provenance.eval.truth import Truth

__all__ = ["Metrics", "Scores", "adjusted_rand_index", "normalize_url", "score"]


@dataclass(frozen=True, slots=True)
class Metrics:
    """The figures for one set of true stories (all, one language, one tag).

    Rates are None when there is nothing to measure; the ``*_n`` fields say
    how many cases each rate is over.
    """

    articles: int
    stories: int
    pair_precision: float
    pair_recall: float
    pair_f1: float
    ari: float
    origin_accuracy: float | None
    origin_n: int
    parent_accuracy: float | None
    parent_n: int
    depth3_parent_accuracy: float | None
    depth3_n: int
    credit_accuracy: float | None
    credit_n: int
    hard_negative_false_links: float | None
    hard_negative_n: int
    roundup_merges: int
    roundup_n: int


@dataclass(frozen=True, slots=True)
class Scores:
    """All figures of one evaluation.

    Attributes:
        overall: Over every true story.
        by_language: Per story language.
        by_tag: Per difficulty tag.
        unknown_urls: Exported articles the truth does not know.
        missing_urls: True articles absent from the export.
    """

    overall: Metrics
    by_language: dict[str, Metrics] = field(default_factory=dict)
    by_tag: dict[str, Metrics] = field(default_factory=dict)
    unknown_urls: int = 0
    missing_urls: int = 0

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {
            "overall": asdict(self.overall),
            "by_language": {k: asdict(v) for k, v in self.by_language.items()},
            "by_tag": {k: asdict(v) for k, v in self.by_tag.items()},
            "unknown_urls": self.unknown_urls,
            "missing_urls": self.missing_urls,
        }

    def format(self) -> str:
        """A plain-text table: one row overall, then per language, then per tag."""
        header = f"{'subset':<27}" + "".join(f"{name:>9}" for name, _ in _COLUMNS)
        rows = [header, "-" * len(header), _row("overall", self.overall)]
        rows += [_row(f"lang {k}", m) for k, m in sorted(self.by_language.items())]
        rows += [_row(f"tag {k}", m) for k, m in sorted(self.by_tag.items())]
        rows.append(f"unknown urls in export: {self.unknown_urls}; ")
        rows[-1] += f"true articles missing from export: {self.missing_urls}"
        return "\n".join(rows)


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


_COLUMNS: tuple[tuple[str, Callable[[Metrics], str]], ...] = (
    ("articles", lambda m: str(m.articles)),
    ("stories", lambda m: str(m.stories)),
    ("P", lambda m: _rate(m.pair_precision)),
    ("R", lambda m: _rate(m.pair_recall)),
    ("F1", lambda m: _rate(m.pair_f1)),
    ("ARI", lambda m: _rate(m.ari)),
    ("origin", lambda m: _rate(m.origin_accuracy)),
    ("parent", lambda m: _rate(m.parent_accuracy)),
    ("par@d3", lambda m: _rate(m.depth3_parent_accuracy)),
    ("credit", lambda m: _rate(m.credit_accuracy)),
    ("hn-link", lambda m: _rate(m.hard_negative_false_links)),
    ("roundup", lambda m: f"{m.roundup_merges}/{m.roundup_n}"),
)


def _row(name: str, metrics: Metrics) -> str:
    return f"{name:<27}" + "".join(f"{cell(metrics):>9}" for _, cell in _COLUMNS)


def normalize_url(url: str) -> str:
    """Lower-case scheme and host, drop the fragment and a trailing slash (not the root's)."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


@dataclass(slots=True)
class _Prediction:
    story: dict[str, str] = field(default_factory=dict)  # article url -> predicted story
    origin: dict[str, str | None] = field(default_factory=dict)  # story -> origin url
    parent: dict[str, str | None] = field(default_factory=dict)  # article url -> parent url
    credit: dict[str, object] = field(default_factory=dict)  # article url -> credit label
    has_credit: bool = False
    unknown: int = 0


def _read_export(export: Iterable[Mapping[str, object]], known: set[str]) -> _Prediction:
    pred = _Prediction()
    for index, story in enumerate(export):
        story_id = f"p{index}:{story.get('story_id')}"
        origin = story.get("origin_url")
        pred.origin[story_id] = normalize_url(str(origin)) if origin else None
        for article in _articles(story):
            url = normalize_url(str(article["url"]))
            if url not in known:
                pred.unknown += 1
                continue
            pred.story.setdefault(url, story_id)
            parent = article.get("parent_url")
            pred.parent.setdefault(url, normalize_url(str(parent)) if parent else None)
            if "credit" in article:
                pred.has_credit = True
                pred.credit.setdefault(url, article["credit"])
    return pred


def _articles(story: Mapping[str, object]) -> list[Mapping[str, object]]:
    articles = story.get("articles")
    if not isinstance(articles, list):
        raise ValueError(f"export story {story.get('story_id')!r} has no articles list")
    return articles


def score(export: Iterable[Mapping[str, object]], truth: Truth) -> Scores:
    """Score an export against the truth.

    Args:
        export: The exported stories (the dicts of the export JSONL).
        truth: The truth of the network the export was built from.

    Returns:
        The scores, overall and per language and tag.

    Raises:
        ValueError: A story in the export has no ``articles`` list.
    """
    context = _Context(truth, export)
    languages = sorted({s.language for s in truth.stories.values()})
    tags = sorted({t for s in truth.stories.values() for t in s.tags})
    return Scores(
        overall=context.metrics(set(truth.stories)),
        by_language={
            lang: context.metrics({s.id for s in truth.stories.values() if s.language == lang})
            for lang in languages
        },
        by_tag={
            tag: context.metrics({s.id for s in truth.stories.values() if tag in s.tags})
            for tag in tags
        },
        unknown_urls=context.pred.unknown,
        missing_urls=sum(1 for url in context.true_story if url not in context.pred.story),
    )


class _Context:
    """The truth and the prediction, indexed once for every breakdown."""

    def __init__(self, truth: Truth, export: Iterable[Mapping[str, object]]) -> None:
        self.truth = truth
        self.articles = {normalize_url(a.url): a for a in truth.articles.values()}
        self.true_story = {url: a.story for url, a in self.articles.items()}
        self.pred = _read_export(export, set(self.articles))
        # A true article missing from the export is its own predicted singleton.
        self.assigned = {url: self.pred.story.get(url, f"missing:{url}") for url in self.articles}
        self.pred_sizes = Counter(self.assigned.values())
        self.story_preds: dict[str, set[str]] = {}
        for url, story in self.true_story.items():
            self.story_preds.setdefault(story, set()).add(self.assigned[url])

    def metrics(self, stories: set[str]) -> Metrics:
        urls = [url for url, story in self.true_story.items() if story in stories]
        cells = Counter((self.true_story[url], self.assigned[url]) for url in urls)
        precision, recall = self._pairwise(cells)
        origin = self._origins(stories)
        parent = self._parents(urls, depth=1)
        deep = self._parents(urls, depth=2)
        credit = self._credits(urls)
        pairs = [p for p in self.truth.hard_negatives if p[0] in stories or p[1] in stories]
        linked = [self._linked(a, b) for a, b in pairs]
        rounds = [r for r in self.truth.roundups if set(r.stories) & stories]
        merged = sum(self._linked(*r.stories, exclude=normalize_url(r.url)) for r in rounds)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return Metrics(
            articles=len(urls),
            stories=len(stories),
            pair_precision=precision,
            pair_recall=recall,
            pair_f1=f1,
            ari=adjusted_rand_index(cells),
            origin_accuracy=_mean(origin),
            origin_n=len(origin),
            parent_accuracy=_mean(parent),
            parent_n=len(parent),
            depth3_parent_accuracy=_mean(deep),
            depth3_n=len(deep),
            credit_accuracy=_mean(credit) if self.pred.has_credit else None,
            credit_n=len(credit) if self.pred.has_credit else 0,
            hard_negative_false_links=_mean(linked),
            hard_negative_n=len(linked),
            roundup_merges=merged,
            roundup_n=len(rounds),
        )

    def _pairwise(self, cells: Counter[tuple[str, str]]) -> tuple[float, float]:
        together = sum(comb(n, 2) for n in cells.values())
        true_sizes = Counter[str]()
        in_subset = Counter[str]()
        for (story, pred), n in cells.items():
            true_sizes[story] += n
            in_subset[pred] += n
        true_pairs = sum(comb(n, 2) for n in true_sizes.values())
        # Predicted pairs touching the subset: all pairs of the predicted story
        # minus those made only of articles from outside the subset.
        pred_pairs = sum(
            comb(self.pred_sizes[p], 2) - comb(self.pred_sizes[p] - n, 2)
            for p, n in in_subset.items()
        )
        precision = together / pred_pairs if pred_pairs else 1.0
        recall = together / true_pairs if true_pairs else 1.0
        return precision, recall

    def _origins(self, stories: set[str]) -> list[bool]:
        results = []
        for story_id in sorted(stories):
            story = self.truth.stories[story_id]
            if story.size < 2:
                continue
            origin = normalize_url(story.origin_url)
            predicted = self.pred.story.get(origin)
            results.append(predicted is not None and self.pred.origin.get(predicted) == origin)
        return results

    def _parents(self, urls: list[str], *, depth: int) -> list[bool]:
        results = []
        for url in urls:
            article = self.articles[url]
            if article.is_origin or article.depth < depth or article.parent_url is None:
                continue
            found = url in self.pred.story
            parent = self.pred.parent.get(url)
            results.append(found and parent == normalize_url(article.parent_url))
        return results

    def _credits(self, urls: list[str]) -> list[bool]:
        return [
            self.pred.credit.get(url) == self.articles[url].attribution
            for url in urls
            if self.articles[url].attribution is not None
        ]

    def _linked(self, first: str, second: str, *, exclude: str | None = None) -> bool:
        def preds(story: str) -> set[str]:
            return {
                self.assigned[url]
                for url, s in self.true_story.items()
                if s == story and url != exclude and url in self.pred.story
            }

        if exclude is None:
            return bool(self.story_preds[first] & self.story_preds[second])
        return bool(preds(first) & preds(second))


def _mean(values: list[bool]) -> float | None:
    return sum(values) / len(values) if values else None


def adjusted_rand_index(cells: Mapping[tuple[str, str], int]) -> float:
    """Adjusted Rand index from a contingency table ``{(true, predicted): count}``.

    Written here rather than taken from scikit-learn, which the project does not
    depend on: the Hubert-Arabie formula is a few sums of binomials.

    Returns:
        1.0 for identical partitions, about 0 for chance agreement; 1.0 also
        when both partitions are trivially equal (all singletons, or one block).
    """
    n = sum(cells.values())
    rows, cols = Counter[str](), Counter[str]()
    for (row, col), count in cells.items():
        rows[row] += count
        cols[col] += count
    index = sum(comb(c, 2) for c in cells.values())
    sum_rows = sum(comb(c, 2) for c in rows.values())
    sum_cols = sum(comb(c, 2) for c in cols.values())
    total = comb(n, 2)
    if total == 0:
        return 1.0
    expected = sum_rows * sum_cols / total
    maximum = (sum_rows + sum_cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)
