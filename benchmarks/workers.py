"""Distributed-mode speed: throughput with 1, 2 and 4 worker processes, and broker overhead.

``python benchmarks/workers.py`` starts PostgreSQL and Redis, generates a
synthetic syndication network, and ingests it:

* embedded (``Service.ingest_records``, in one process, on SQLite: the default
  mode) and on PostgreSQL, for the ratios;
* with the distributed step functions called directly in one process, without a
  broker (``process_items`` over the same batches): the baseline of the broker's
  cost;
* through Redis with 1, 2 and 4 ``provenance worker`` processes (one pool
  process each), each on a fresh database, after a warm-up batch per process
  (a fresh pool process spends seconds loading date-parsing tables once).

The broker overhead per article is (1-worker time - direct time) / articles.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.cluster import (
    AofRedis,
    WorkerProcess,
    create_database,
    wait_until_done,
    worker_env,
)
from provenance.distributed.broker import TaskSender
from provenance.distributed.process import process_items, trace_story
from provenance.distributed.staging import stage_records
from provenance.distributed.submit import submit_records
from provenance.eval.generator import generate_network
from provenance.ingest import read_records
from provenance.raw_record import RawRecord
from provenance.service import Service
from provenance.storage.db import connect, migrate
from tests.servers import PostgresServer, _free_port, start_postgres


def _records(path: Path) -> list[RawRecord]:
    return [r for r in read_records(path) if isinstance(r, RawRecord)]


def _embedded(url: str, records: list[RawRecord]) -> float:
    service = Service(url)
    start = time.perf_counter()
    service.ingest_records(records)
    elapsed = time.perf_counter() - start
    service.close()
    return elapsed


def _direct(url: str, records: list[RawRecord], warm: list[RawRecord], batch: int) -> float:
    engine, sessions = connect(url)
    migrate(engine)
    with sessions.begin() as session:
        process_items(sessions, stage_records(session, warm).ready)
    start = time.perf_counter()
    with sessions.begin() as session:
        ids = stage_records(session, records).ready
    stories: set[int] = set()
    for at in range(0, len(ids), batch):
        stories |= process_items(sessions, ids[at : at + batch]).stories
    for story in sorted(stories):
        trace_story(sessions, story)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def _distributed(
    postgres: PostgresServer,
    broker: AofRedis,
    records: list[RawRecord],
    warm: list[RawRecord],
    *,
    processes: int,
    batch: int,
    work: Path,
) -> float:
    url = create_database(postgres)
    engine, sessions = connect(url)
    migrate(engine)
    env = worker_env(url, broker.url, process_batch=batch, data_dir=work)
    workers = [WorkerProcess(f"speed{processes}-{n}", env) for n in range(processes)]
    sender = TaskSender(broker.url)
    try:
        for w in workers:
            w.start()
        for w in workers:
            w.wait_for_pool()
        # One small batch per process first: every pool process pays its one-off
        # start-up costs before the clock starts.
        submit_records(sessions, warm[: processes * 2], sender, batch=2)
        wait_until_done(sessions, timeout=300, poll=0.05)
        start = time.perf_counter()
        submit_records(sessions, records, sender, batch=batch)
        wait_until_done(sessions, timeout=1200, poll=0.05)
        return time.perf_counter() - start
    finally:
        sender.close()
        for w in workers:
            w.stop()
        engine.dispose()


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=170, help="about 3.5 articles each")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--batch", type=int, default=20, help="items per process task")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


def main() -> None:
    """Run the measurements; print a table, the JSON summary last."""
    args = _options()
    work = Path(tempfile.mkdtemp(prefix="provenance-workers-"))
    path, _ = generate_network(seed=args.seed, stories=args.stories).write(work / "corpus")
    warm_path, _ = generate_network(seed=args.seed + 100, stories=12).write(work / "warm")
    records, warm = _records(path), _records(warm_path)
    postgres = start_postgres()
    broker = AofRedis(_free_port())
    broker.start()
    try:
        embedded = _embedded(f"sqlite:///{work / 'embedded.sqlite'}", records)
        embedded_pg = _embedded(create_database(postgres), records)
        direct = _direct(create_database(postgres), records, warm, args.batch)
        runs = {
            n: _distributed(
                postgres, broker, records, warm, processes=n, batch=args.batch, work=work
            )
            for n in args.processes
        }
    finally:
        broker.stop()
        postgres.stop()
    _report(len(records), embedded, embedded_pg, direct, runs)


def _report(
    articles: int, embedded: float, embedded_pg: float, direct: float, runs: dict[int, float]
) -> None:
    rate = {n: articles / t for n, t in runs.items()}
    print(f"articles: {articles}")
    print(f"embedded (SQLite):     {articles / embedded:7.1f} articles/s")
    print(f"embedded (PostgreSQL): {articles / embedded_pg:7.1f} articles/s")
    print(f"direct steps, no broker: {articles / direct:7.1f} articles/s")
    for n, r in rate.items():
        print(
            f"{n} worker process(es): {r:7.1f} articles/s,"
            f" x{r / (articles / embedded):.2f} embedded"
        )
    one = runs.get(1)
    summary = {
        "articles": articles,
        "embedded_per_s": round(articles / embedded, 1),
        "embedded_pg_per_s": round(articles / embedded_pg, 1),
        "direct_per_s": round(articles / direct, 1),
        "workers_per_s": {str(n): round(r, 1) for n, r in rate.items()},
        "ratio_to_embedded": {str(n): round(r * embedded / articles, 2) for n, r in rate.items()},
        "speedup_2_vs_1": round(rate[2] / rate[1], 2) if 1 in rate and 2 in rate else None,
        "broker_overhead_ms_per_article": round((one - direct) / articles * 1000, 2)
        if one
        else None,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
