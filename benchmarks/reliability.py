"""Reliability of the distributed mode under kills: nothing lost, nothing doubled.

``python benchmarks/reliability.py`` starts a PostgreSQL, a Redis (AOF,
``appendfsync always``, noeviction) and real ``provenance worker`` processes
(plus ``provenance beat``, which runs the reconciler, where a scenario needs
it), ingests a synthetic syndication network while killing things, and audits
the database afterwards. Each scenario has a fresh database:

* ``reference``: undisturbed, 2 workers: the stories every other run of the same
  corpus must reproduce, and that the embedded service (one process, SQLite)
  makes of it too (``embedded_mismatches``);
* ``child_kills``: SIGKILL a random pool child N times during the ingest (no
  reconciler: ``task_reject_on_worker_lost`` alone must bring the task back);
* ``main_kills``: ``kill -9`` a worker's main process (its pool dies with it, as
  in a container) N times, starting a replacement each time; the delay until
  the work it held is done is the redelivery delay;
* ``redis_kill``: SIGKILL redis-server mid-ingest and restart it on its AOF;
* ``sigterm``: SIGTERM a worker mid-batch (warm shutdown; no reconciler, so
  every task must be finished or handed back by the shutdown itself);
* ``upserts``: 8 processes stage the same 500 URLs at once on PostgreSQL, 4 on SQLite.

After every ingest: ``lost``, ``duplicates``, ``orphan_rows`` (article rows
without their archived capture: here the byte range of the JSON line they were
read from) and ``digest_mismatches``. The last line printed is one JSON object;
the exit code is 1 unless every must-be-zero figure is zero.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from benchmarks.cluster import (
    AofRedis,
    WorkerProcess,
    create_database,
    embedded_partition,
    pending_work,
    story_partition,
    wait_until_done,
    worker_env,
)
from benchmarks.corpus import write_corpus
from benchmarks.reliability_checks import Figures, audit, upsert_race
from provenance.distributed.broker import TaskSender
from provenance.distributed.submit import submit_records
from provenance.ingest import read_records
from provenance.storage.db import connect, migrate
from provenance.storage.tables import IngestItem
from tests.servers import PostgresServer, _free_port, start_postgres

#: Limits small enough that redelivery after a kill takes seconds, not the
#: defaults' hour, and still far above what one batch of this corpus takes.
_LIMITS: dict[str, object] = {
    "task_time_limit": 10,
    "task_soft_time_limit": 8,
    "broker_visibility_timeout": 15,
    "reconcile_grace": 12,
    "reconcile_queue_grace": 300,
    "reconcile_interval": 2,
    "crawl_interval": 3600,
    "worker_soft_shutdown_timeout": 10,
}


@dataclass
class Stack:
    """The servers and corpora shared by the scenarios."""

    postgres: PostgresServer
    broker: AofRedis
    work: Path
    batch: int
    timeout: float
    figures: Figures = field(default_factory=Figures)


@dataclass
class Run:
    """One scenario in progress: its database and processes."""

    stack: Stack
    sessions: sessionmaker[Session]
    env: dict[str, str]
    workers: list[WorkerProcess]
    started: float = field(default_factory=time.monotonic)

    def spawn(self, name: str, *, beat: bool = False) -> WorkerProcess:
        """Start one more worker (or the beat)."""
        log = self.stack.work / f"{name}.log"
        process = WorkerProcess(name, self.env, log_path=log, beat=beat)
        process.start()
        if not beat:
            process.wait_for_pool()
            self.workers.append(process)
        return process

    def busy(self) -> bool:
        """Whether work is still pending."""
        with self.sessions() as session:
            return pending_work(session) != (0, 0)


Disturbance = Callable[[Run], dict[str, object]]


def _scenario(
    stack: Stack, name: str, corpus: Path, disturb: Disturbance | None, *, beat: bool
) -> tuple[dict[str, object], frozenset[frozenset[str]]]:
    url = create_database(stack.postgres)
    engine, sessions = connect(url)
    migrate(engine)
    with redis.Redis.from_url(stack.broker.url) as client:
        client.flushall()  # no message of an earlier scenario may leak in
    env = worker_env(url, stack.broker.url, data_dir=stack.work / name, **_LIMITS)
    run = Run(stack, sessions, env, [])
    beat_process = run.spawn(f"{name}-beat", beat=True) if beat else None
    for n in range(2):
        run.spawn(f"{name}-w{n}")
    sender = TaskSender(stack.broker.url)
    try:
        run.started = time.monotonic()
        staged = submit_records(sessions, read_records(corpus), sender, batch=stack.batch)
        extra = disturb(run) if disturb is not None else {}
        wait_until_done(sessions, timeout=stack.timeout)
        elapsed = time.monotonic() - run.started
    finally:
        sender.close()
        for w in [*run.workers, *([beat_process] if beat_process else [])]:
            w.stop()
    with sessions() as session:
        figures = audit(session, len(staged.ready))
        partition = story_partition(session)
    engine.dispose()
    stack.figures.add(figures)
    result = {"articles": len(staged.ready), "seconds": round(elapsed, 1), **asdict(figures)}
    print(f"{name}: {json.dumps({**result, **extra})}", flush=True)
    return {**result, **extra}, partition


def _kill_children(kills: int, period: float) -> Disturbance:
    def disturb(run: Run) -> dict[str, object]:
        done = 0
        while done < kills and run.busy():
            time.sleep(period)
            children = [pid for w in run.workers for pid in w.children()]
            if children:
                os.kill(random.choice(children), signal.SIGKILL)
                done += 1
        return {"kills": done}

    return disturb


def _in_flight(run: Run) -> set[int]:
    query = select(IngestItem.id).where(
        IngestItem.state == "fetched", IngestItem.claimed_at.is_not(None)
    )
    with run.sessions() as session:
        return set(session.scalars(query))


def _kill_mains(kills: int, period: float) -> Disturbance:
    def disturb(run: Run) -> dict[str, object]:
        held: list[tuple[float, set[int]]] = []
        for n in range(kills):
            time.sleep(period)
            if not run.busy():
                break
            victim = run.workers.pop(random.randrange(len(run.workers)))
            pool = victim.children()
            victim.signal(signal.SIGKILL)
            for pid in pool:  # its pool goes with it, as in a container
                _kill(pid)
            held.append((time.monotonic(), _in_flight(run)))
            run.spawn(f"{victim.name}-r{n}")
        return {"kills": len(held), "max_redelivery_s": _redelivery(run, held)}

    return disturb


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _redelivery(run: Run, held: list[tuple[float, set[int]]]) -> float:
    """Longest wait from a kill until every item in flight at that moment was done."""
    worst = 0.0
    waiting = list(held)
    deadline = time.monotonic() + run.stack.timeout
    while waiting and time.monotonic() < deadline:
        with run.sessions() as session:
            open_ids = set(
                session.scalars(select(IngestItem.id).where(IngestItem.state == "fetched"))
            )
        for entry in list(waiting):
            if not entry[1] & open_ids:
                worst = max(worst, time.monotonic() - entry[0])
                waiting.remove(entry)
        time.sleep(0.2)
    return round(worst, 1) if not waiting else float("inf")


def _kill_broker(after: float, down: float) -> Disturbance:
    def disturb(run: Run) -> dict[str, object]:
        time.sleep(after)
        run.stack.broker.kill()
        time.sleep(down)
        run.stack.broker.start()
        return {"broker_down_s": down}

    return disturb


def _sigterm(after: float) -> Disturbance:
    def disturb(run: Run) -> dict[str, object]:
        time.sleep(after)
        victim = run.workers.pop(0)
        start = time.monotonic()
        victim.signal(signal.SIGTERM)
        assert victim.process is not None
        victim.process.wait(timeout=120)
        return {"warm_shutdown_s": round(time.monotonic() - start, 1)}

    return disturb


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="corpus of the child-kill run")
    parser.add_argument("--small", type=int, default=400, help="corpus of the other kill runs")
    parser.add_argument("--child-kills", type=int, default=20)
    parser.add_argument("--main-kills", type=int, default=5)
    parser.add_argument("--urls", type=int, default=500, help="URLs of the upsert race")
    parser.add_argument("--batch", type=int, default=10, help="items per process task")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0, help="per scenario, seconds")
    return parser.parse_args()


def _kill_runs(stack: Stack, big: Path, small: Path, args: argparse.Namespace) -> dict[str, object]:
    results: dict[str, object] = {}
    reference, partition = _scenario(stack, "reference", big, None, beat=False)
    results["reference"] = reference
    period = float(str(reference["seconds"])) / (args.child_kills + 4)
    child, child_partition = _scenario(
        stack, "child_kills", big, _kill_children(args.child_kills, period), beat=False
    )
    child["story_mismatches"] = _mismatches(partition, child_partition, "child_kills")
    results["child_kills"] = child
    embedded = embedded_partition(stack.work / "embedded.sqlite", big)
    reference["embedded_mismatches"] = _mismatches(partition, embedded, "embedded")
    print(f"embedded: {reference['embedded_mismatches']} stories differ", flush=True)
    small_seconds = float(str(reference["seconds"])) * args.small / max(1, args.articles)
    # Each kill slows the run (a replacement starts, work waits for redelivery):
    # kill often enough that all of them land while work is pending, within the
    # first third of an undisturbed run's time.
    mains = _kill_mains(args.main_kills, small_seconds / (3 * args.main_kills))
    results["main_kills"] = _scenario(stack, "main_kills", small, mains, beat=True)[0]
    broker = _kill_broker(small_seconds / 3, 3.0)
    results["redis_kill"] = _scenario(stack, "redis_kill", small, broker, beat=True)[0]
    results["sigterm"] = _scenario(
        stack, "sigterm", small, _sigterm(small_seconds / 3), beat=False
    )[0]
    return results


def _mismatches(
    reference: frozenset[frozenset[str]], other: frozenset[frozenset[str]], name: str
) -> int:
    """Stories in one partition and not the other; each printed, for whoever looks into one."""
    for group in sorted(reference ^ other, key=sorted):
        side = "reference" if group in reference else name
        print(f"story only in {side}: {sorted(group)}", flush=True)
    return len(reference ^ other)


def _upsert_runs(stack: Stack, urls: int) -> dict[str, object]:
    postgres = upsert_race(create_database(stack.postgres), processes=8, urls=urls)
    sqlite = upsert_race(f"sqlite:///{stack.work / 'race.sqlite'}", processes=4, urls=urls)
    print(f"upserts: postgres {postgres}, sqlite {sqlite}", flush=True)
    return {"postgres": postgres, "sqlite": sqlite}


def _summary(
    stack: Stack, runs: dict[str, object], races: dict[str, object], urls: int
) -> dict[str, object]:
    reference, child = runs["reference"], runs["child_kills"]
    mains = runs["main_kills"]
    pg, lite = races["postgres"], races["sqlite"]
    assert isinstance(reference, dict) and isinstance(child, dict) and isinstance(mains, dict)
    assert isinstance(pg, dict) and isinstance(lite, dict)
    return {
        **asdict(stack.figures),
        "story_mismatches": child["story_mismatches"],
        "embedded_mismatches": reference["embedded_mismatches"],
        "max_redelivery_s": mains["max_redelivery_s"],
        "child_kills": child["kills"],
        "main_kills": mains["kills"],
        "upsert_pg_rows": pg["rows"],
        "upsert_pg_errors": pg["errors"],
        "upsert_sqlite_rows": lite["rows"],
        "upsert_sqlite_locked": lite["locked"],
        "upsert_sqlite_errors": lite["errors"],
        "upsert_urls": urls,
        "runs": runs,
    }


def _ok(summary: dict[str, object], urls: int) -> bool:
    # story_mismatches is gated with the rest: the issue asks for stories
    # identical to an undisturbed run. Stories are settled in canonical order
    # (provenance.settle), and an outlet's stored articles are stripped again
    # whenever its boilerplate model grows (provenance.distributed.restrip), so
    # neither the arrival order nor which worker saw a page first changes them.
    zero = (
        *("lost", "duplicates", "orphan_rows", "digest_mismatches", "story_mismatches"),
        "embedded_mismatches",
        *("upsert_pg_errors", "upsert_sqlite_locked", "upsert_sqlite_errors"),
    )
    redelivery = summary["max_redelivery_s"]
    return (
        all(summary[key] == 0 for key in zero)
        and summary["upsert_pg_rows"] == urls == summary["upsert_sqlite_rows"]
        and isinstance(redelivery, float)
        and redelivery != float("inf")
    )


def main() -> int:
    """Run every scenario; print the figures, the JSON summary last."""
    args = _options()
    random.seed(args.seed)
    work = Path(tempfile.mkdtemp(prefix="provenance-reliability-"))
    big = write_corpus(work, args.articles, args.seed)
    small = write_corpus(work, args.small, args.seed + 1)
    postgres = start_postgres()
    broker = AofRedis(_free_port())
    broker.start()
    stack = Stack(postgres, broker, work, args.batch, args.timeout)
    try:
        runs = _kill_runs(stack, big, small, args)
        races = _upsert_runs(stack, args.urls)
    finally:
        broker.stop()
        postgres.stop()
    summary = _summary(stack, runs, races, args.urls)
    print(json.dumps(summary))
    return 0 if _ok(summary, args.urls) else 1


if __name__ == "__main__":
    sys.exit(main())
