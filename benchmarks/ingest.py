"""End-to-end ingest throughput on the embedded default (SQLite, in-process).

Generates a syndication network (real texts from ``../shared/data``: HTML pages
of several outlet templates and plain-text records), writes it as JSON Lines,
and ingests it into a fresh SQLite database, as ``provenance ingest`` does:
extraction, boilerplate learning, shingling, MinHash, LSH, verification,
clustering, storage and tracing. It prints articles/s and where the time went.

Baseline in the same run: the extraction alone (trafilatura + metadata) over
the same records, the floor no pipeline built on it can go below.

Run: ``python benchmarks/ingest.py [--stories 300] [--seed 7]``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import provenance.article_index as article_index
import provenance.service as service_module
from provenance.eval.generator import generate_network
from provenance.fingerprint import LSHIndex
from provenance.ingest import read_records
from provenance.raw_record import RawRecord
from provenance.records import extract_record
from provenance.service import Service

_SPENT: dict[str, float] = defaultdict(float)


@contextmanager
def _timed(name: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        _SPENT[name] += time.perf_counter() - start


def _wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _timed(name):
            return function(*args, **kwargs)

    return wrapper


def _instrument() -> None:
    """Time the pipeline's stages by wrapping the functions the service calls."""
    # Each name is patched in the module that calls it: the service imports
    # extract_record from provenance.records, and patching it there would miss
    # the service's calls.
    for stage, module, names in (
        ("extract", service_module, ("extract_record",)),
        ("fingerprint", service_module, ("shingle_hashes", "fingerprint_shingles")),
        # Matching and settling stories happen in the service's article index.
        ("match", article_index, ("compare_shingles", "settle_component")),
        ("trace", service_module, ("trace_stored_story",)),
    ):
        for name in names:
            setattr(module, name, _wrap(stage, getattr(module, name)))
    LSHIndex.candidates = _wrap("match", LSHIndex.candidates)  # type: ignore[method-assign]


def main() -> None:
    """Print ingest throughput and the share of each stage."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stories", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="provenance-bench-"))
    network = generate_network(seed=args.seed, stories=args.stories)
    articles, _ = network.write(workdir)
    records = [r for r in read_records(articles) if isinstance(r, RawRecord)]

    start = time.perf_counter()
    for record in records:
        extract_record(record)
    extract_only = time.perf_counter() - start

    _instrument()
    service = Service(f"sqlite:///{workdir / 'bench.sqlite'}")
    start = time.perf_counter()
    with _timed("total"):
        report = service.ingest_records(read_records(articles))
    total = time.perf_counter() - start
    service.close()

    count = report.stored
    stages = {k: v for k, v in _SPENT.items() if k != "total"}
    stages["storage and rest"] = total - sum(stages.values())
    traced = report.stories_traced
    print(f"articles: {count} ({len(network.records)} records), stories traced: {traced}")
    print(f"extraction alone (baseline): {len(records) / extract_only:8.1f} articles/s")
    print(f"end-to-end ingest          : {count / total:8.1f} articles/s  ({total:.2f} s)")
    for name, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {name:18} {seconds:7.2f} s  {100 * seconds / total:5.1f} %")
    print(
        json.dumps(
            {
                "articles": count,
                "ingest_articles_per_s": round(count / total, 1),
                "extract_only_articles_per_s": round(len(records) / extract_only, 1),
                "share": {k: round(v / total, 3) for k, v in stages.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
