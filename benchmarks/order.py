"""Story groups must not depend on the order articles arrive in.

``python benchmarks/order.py`` ingests one generated corpus (the one
``benchmarks/reliability.py`` uses, from :mod:`benchmarks.corpus`) into a fresh
SQLite database in embedded mode, first in the file's order and then in
``--shuffles`` seeded random orders, and compares each run's stories (as sets
of member URLs, since ids differ between runs) with the in-order run. A story
group that only one of the two runs has counts as one difference, so one
article landing elsewhere usually counts two or three. The last line printed
is one JSON object of the figures; the exit code is 1 unless every shuffle
gives the in-order groups.

Run: ``python benchmarks/order.py [--articles 2000] [--shuffles 3] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.cluster import story_partition
from benchmarks.corpus import write_corpus
from provenance.ingest import read_records
from provenance.raw_record import RawRecord
from provenance.service import Service

Partition = frozenset[frozenset[str]]


def _ingest(records: list[RawRecord], db_path: Path) -> tuple[Partition, float]:
    """Ingest ``records`` in this order into a new database; its stories and the seconds taken."""
    start = time.perf_counter()
    service = Service(f"sqlite:///{db_path}")
    try:
        service.ingest_records(records)
        with service.sessions() as session:
            partition = story_partition(session)
    finally:
        service.close()
    return partition, time.perf_counter() - start


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--articles", type=int, default=2000, help="corpus size, as reliability.py's --articles"
    )
    parser.add_argument("--shuffles", type=int, default=3, help="shuffled orders to compare")
    parser.add_argument("--seed", type=int, default=1, help="seed of the corpus and the shuffles")
    parser.add_argument("--show", action="store_true", help="print every differing group")
    return parser.parse_args()


def main() -> int:
    """Ingest in order and shuffled; print the differing groups per shuffle, JSON last."""
    args = _options()
    work = Path(tempfile.mkdtemp(prefix="provenance-order-"))
    corpus = write_corpus(work, args.articles, args.seed)
    records = [r for r in read_records(corpus) if isinstance(r, RawRecord)]
    reference, seconds = _ingest(records, work / "in-order.sqlite")
    print(f"in order: {len(records)} articles, {len(reference)} stories, {seconds:.0f} s")
    differing: list[int] = []
    for n in range(args.shuffles):
        shuffled = list(records)
        random.Random(f"{args.seed}/{n}").shuffle(shuffled)
        partition, seconds = _ingest(shuffled, work / f"shuffle-{n}.sqlite")
        groups = partition ^ reference
        differing.append(len(groups))
        print(f"shuffle {n}: {len(groups)} differing story groups, {seconds:.0f} s", flush=True)
        for group in sorted(groups, key=sorted) if args.show else ():
            side = "in order" if group in reference else f"shuffle {n}"
            print(f"  only {side}: {sorted(group)}")
    summary = {
        "articles": len(records),
        "stories": len(reference),
        "shuffles": args.shuffles,
        "differing_groups": differing,
        "total_differing_groups": sum(differing),
    }
    print(json.dumps(summary))
    return 0 if sum(differing) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
