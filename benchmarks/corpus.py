"""The generated corpus that the story-stability benchmarks ingest.

``benchmarks/reliability.py`` (distributed, with kills) and
``benchmarks/order.py`` (embedded, in shuffled orders) compare the stories of
one corpus across runs; both build it here, so that equal ``articles`` and
``seed`` give them the same records.
"""

from __future__ import annotations

from pathlib import Path

from provenance.eval.generator import generate_network

__all__ = ["write_corpus"]

#: The generator makes about this many articles per story.
_ARTICLES_PER_STORY = 3.5


def write_corpus(work: Path, articles: int, seed: int) -> Path:
    """Write a generated syndication network of about ``articles`` records as JSON Lines.

    Args:
        work: Directory that receives ``corpus-<articles>/articles.jsonl``.
        articles: The wanted number of records (the generator is asked for
            stories, so the count is approximate: 2,000 gives 2,173).
        seed: The generator's seed.

    Returns:
        The path of the records file.
    """
    network = generate_network(seed=seed, stories=max(2, round(articles / _ARTICLES_PER_STORY)))
    path, _truth = network.write(work / f"corpus-{articles}")
    return path
