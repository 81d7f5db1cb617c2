"""Run one evaluation end to end: generate, ingest, export, score.

This is an edge module: it writes files and drives the service against a real
database. The service is imported inside :func:`evaluate` so that the rest of the
harness (generator, scorer) imports without the storage stack.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from provenance.eval.generator import generate_network
from provenance.eval.scorer import Scores, score

__all__ = ["evaluate"]


def evaluate(
    *,
    seed: int,
    stories: int,
    db_url: str,
    workdir: Path,
    languages: Sequence[str] | None = None,
    echo: Callable[[str], object] = print,
) -> Scores:
    """Generate a network, ingest it into ``db_url``, export the stories and score them.

    The records, the truth and the export are left in ``workdir`` for inspection
    (``articles.jsonl``, ``truth.json``, ``export.jsonl``).

    Args:
        seed: Generator seed.
        stories: Number of true stories to generate.
        db_url: SQLAlchemy URL of the database to ingest into (use a fresh one).
        workdir: Folder for the generated files; created if missing.
        languages: Restrict the generated stories to these languages.
        echo: Where progress lines go.

    Returns:
        The scores.
    """
    from provenance.export import export_stories
    from provenance.service import ingest_path

    started = time.perf_counter()
    network = generate_network(seed=seed, stories=stories, languages=languages)
    articles_path, _ = network.write(workdir)
    count = len(network.records)
    echo(
        f"generated {len(network.truth.stories)} stories, {count} articles "
        f"in {time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    report = ingest_path(articles_path, db_url=db_url)
    elapsed = time.perf_counter() - started
    rate = count / elapsed if elapsed > 0 else float("inf")
    echo(f"ingested {count} articles in {elapsed:.1f} s ({rate:.1f} articles/s); {report}")
    export = list(export_stories(db_url=db_url))
    with (workdir / "export.jsonl").open("w", encoding="utf-8") as handle:
        for story in export:
            handle.write(json.dumps(story, ensure_ascii=False, default=str) + "\n")
    return score(export, network.truth)
