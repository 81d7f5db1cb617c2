"""The ground truth of a generated network, shared by the generator and the scorer.

A :class:`Network` pairs the ingest records with their :class:`Truth`.

Truth is kept apart from the ingest records on purpose: records carry only what
a crawler could see, and this module is the only place that knows which story an
article belongs to and whom it was copied from.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["Network", "Roundup", "Truth", "TruthArticle", "TruthStory"]

#: Every difficulty tag a story can carry (besides its language).
TAGS = (
    "backdated",
    "copied_dates",
    "depth3",
    "hard_negative",
    "intermediate_attribution",
    "inverted_first_seen",
    "no_dates",
    "partial",
    "roundup",
    "singleton",
    "template",
)


@dataclass(frozen=True, slots=True)
class TruthArticle:
    """What is true about one generated article.

    Attributes:
        url: The article URL, normalised as the export writes it.
        story: The id of the story it belongs to.
        parent_url: The article it was copied or quoted from; None for the origin.
        is_origin: True for the story's original.
        relation: ``origin``, ``copy`` or ``partial``.
        attribution: ``credited`` (it names or links an ancestor: the origin or
            its own parent), ``miscredited`` (it names an outlet that is not an
            ancestor), ``uncredited`` (no attribution), or None for the origin.
        language: ISO 639-1 code.
        depth: Edges from the origin: 0 origin, 1 copy, 2 copy of a copy (the
            third level of the tree, the deepest the generator makes).
        outlet: The publishing outlet's name.
        published_at: The date the page claims (ISO 8601), None when it shows none.
        fetched_at: When the crawler first saw it (ISO 8601).
    """

    url: str
    story: str
    parent_url: str | None
    is_origin: bool
    relation: str
    attribution: str | None
    language: str
    depth: int
    outlet: str
    published_at: str | None
    fetched_at: str


@dataclass(frozen=True, slots=True)
class TruthStory:
    """What is true about one story.

    Attributes:
        id: The story id (``s0001``...).
        origin_url: Its original article.
        language: The story's language.
        tags: Difficulty tags (see ``TAGS``), sorted.
        size: Number of articles, partial quotes included.
    """

    id: str
    origin_url: str
    language: str
    tags: tuple[str, ...]
    size: int


@dataclass(frozen=True, slots=True)
class Roundup:
    """An article quoting two stories; it belongs to ``stories[0]``, quoted most."""

    url: str
    stories: tuple[str, str]


@dataclass(slots=True)
class Truth:
    """The ground truth of one network.

    Attributes:
        articles: Per article URL.
        stories: Per story id.
        hard_negatives: Pairs of story ids that look alike but are distinct
            stories (independent write-ups of one event, template briefs).
        roundups: Articles quoting two stories, which must not merge them.
        seed: The generator seed.
    """

    articles: dict[str, TruthArticle]
    stories: dict[str, TruthStory]
    hard_negatives: list[tuple[str, str]]
    roundups: list[Roundup]
    seed: int

    def members(self) -> dict[str, list[str]]:
        """Map each story id to the URLs of its articles."""
        groups: dict[str, list[str]] = {story: [] for story in self.stories}
        for article in self.articles.values():
            groups[article.story].append(article.url)
        return groups

    def __iter__(self) -> Iterator[TruthArticle]:
        return iter(self.articles.values())

    def as_export(self) -> list[dict[str, object]]:
        """The truth written as a perfect system would export it (for tests and baselines).

        Returns:
            One export story per true story, in the export contract's shape, with
            a ``credit`` label per article.
        """
        groups = self.members()
        stories = []
        for story in self.stories.values():
            articles = [self.articles[url] for url in groups[story.id]]
            stories.append(
                {
                    "story_id": story.id,
                    "origin_url": story.origin_url,
                    "origin_outlet": self.articles[story.origin_url].outlet,
                    "confidence": 1.0,
                    "first_published_at": self.articles[story.origin_url].published_at,
                    "size": len(articles),
                    "articles": [_exported(a) for a in articles],
                }
            )
        return stories

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict (lists, not tuples)."""
        return {
            "seed": self.seed,
            "articles": [asdict(a) for a in self.articles.values()],
            "stories": [{**asdict(s), "tags": list(s.tags)} for s in self.stories.values()],
            "hard_negatives": [list(pair) for pair in self.hard_negatives],
            "roundups": [{"url": r.url, "stories": list(r.stories)} for r in self.roundups],
        }

    def save(self, path: Path) -> None:
        """Write the truth as JSON to ``path``."""
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=1), "utf-8")

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Truth:
        """Rebuild a truth from :meth:`to_dict` output.

        Raises:
            ValueError: The data is not a truth document.
        """
        try:
            articles = [TruthArticle(**a) for a in _list(data["articles"])]
            stories = [
                TruthStory(**{**s, "tags": tuple(s["tags"])}) for s in _list(data["stories"])
            ]
            pairs = [(str(p[0]), str(p[1])) for p in _list(data["hard_negatives"])]
            roundups = [
                Roundup(str(r["url"]), (str(r["stories"][0]), str(r["stories"][1])))
                for r in _list(data["roundups"])
            ]
            seed = int(str(data["seed"]))
        except (KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"not a truth document: {exc}") from exc
        return cls({a.url: a for a in articles}, {s.id: s for s in stories}, pairs, roundups, seed)

    @classmethod
    def load(cls, path: Path) -> Truth:
        """Read a truth file written by :meth:`save`.

        Raises:
            ValueError: The file is not a truth document.
        """
        return cls.from_dict(json.loads(path.read_text("utf-8")))


def _exported(article: TruthArticle) -> dict[str, object]:
    return {
        "url": article.url,
        "outlet": article.outlet,
        "title": None,
        "published_at": article.published_at,
        "fetched_at": article.fetched_at,
        "parent_url": article.parent_url,
        "relation": article.relation,
        "similarity": 1.0,
        "confidence": 1.0,
        "evidence": [],
        "credit": article.attribution,
    }


def _list(value: object) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"expected a list, got {type(value).__name__}")
    return value


@dataclass(slots=True)
class Network:
    """A generated network: what the system reads, and what is true.

    Attributes:
        records: Ingest records (one dict per article), in arrival order.
        truth: The ground truth.
    """

    records: list[dict[str, object]]
    truth: Truth

    def write(self, directory: Path) -> tuple[Path, Path]:
        """Write ``articles.jsonl`` and ``truth.json`` into ``directory``.

        Args:
            directory: Created if missing.

        Returns:
            The paths of the records file and the truth file.
        """
        directory.mkdir(parents=True, exist_ok=True)
        articles, truth = directory / "articles.jsonl", directory / "truth.json"
        with articles.open("w", encoding="utf-8") as handle:
            for record in self.records:
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        self.truth.save(truth)
        return articles, truth
