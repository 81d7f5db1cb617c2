"""A throw-away distributed stack for tests and benchmarks: PostgreSQL, Redis, workers.

Everything runs on loopback in temporary directories and is stopped by its
owner. PostgreSQL comes from ``tests/servers.py``; Redis is started here with
AOF (``appendfsync always``) and ``noeviction``, as in production, so that a
SIGKILLed broker can be restarted on its data. Workers are real ``provenance
worker`` processes (Celery's prefork pool), whose pool children can be found
and killed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psycopg
import redis
from psycopg import sql
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from provenance.ingest import read_records
from provenance.service import Service
from provenance.storage.tables import Article, IngestItem, Story
from tests.servers import PostgresServer

__all__ = [
    "AofRedis",
    "WorkerProcess",
    "create_database",
    "pending_work",
    "stop_all",
    "story_partition",
    "wait_until_done",
    "worker_env",
]

_PROVENANCE = Path(sys.executable).with_name("provenance")


def create_database(server: PostgresServer) -> str:
    """Create an empty database on ``server``; return its SQLAlchemy URL."""
    name = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.conninfo(), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return server.url(name)


@dataclass
class AofRedis:
    """A redis-server with AOF and noeviction on a fixed port, restartable on its data."""

    port: int
    base_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="prov-redis-")))
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The ``redis://`` URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start (or restart) the server and wait until it answers."""
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        args = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.base_dir),
        ]
        args += ["--appendonly", "yes", "--appendfsync", "always", "--save", ""]
        args += ["--maxmemory-policy", "noeviction", "--daemonize", "no"]
        with (self.base_dir / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                with redis.Redis.from_url(self.url, socket_connect_timeout=1) as client:
                    client.ping()
                return
            except redis.RedisError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"redis-server did not start: see {self.base_dir}") from None
                time.sleep(0.05)

    def kill(self) -> None:
        """SIGKILL the server (its AOF stays on disk)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        """Stop the server and remove its data."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        shutil.rmtree(self.base_dir, ignore_errors=True)


def worker_env(database_url: str, broker_url: str, **settings: object) -> dict[str, str]:
    """The environment of a worker: this one's, with the given ``PROVENANCE_*`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVENANCE_")}
    env["PROVENANCE_DATABASE_URL"] = database_url
    env["PROVENANCE_BROKER_URL"] = broker_url
    env["PYTHONHASHSEED"] = "0"
    for key, value in settings.items():
        env[f"PROVENANCE_{key.upper()}"] = str(value)
    return env


@dataclass
class WorkerProcess:
    """One ``provenance worker`` (a Celery main process and its prefork pool)."""

    name: str
    env: dict[str, str]
    concurrency: int = 1
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    beat: bool = False  # run `provenance beat` instead

    def start(self) -> None:
        """Start the worker; it begins consuming once its pool is up."""
        argv = [str(_PROVENANCE), "worker", "-c", str(self.concurrency)]
        argv += ["-n", f"{self.name}@%h", "--loglevel", "WARNING"]
        if self.beat:
            argv = [str(_PROVENANCE), "beat", "--loglevel", "WARNING"]
        if self.log_path is None:
            out: int | IO[bytes] = subprocess.DEVNULL
            self.process = subprocess.Popen(
                argv, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
            return
        with self.log_path.open("ab") as log:  # the child keeps its own descriptor
            self.process = subprocess.Popen(
                argv, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )

    @property
    def pid(self) -> int:
        """The main process id."""
        assert self.process is not None
        return self.process.pid

    def children(self) -> list[int]:
        """Pids of the pool processes."""
        try:
            raw = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in raw.split()]

    def wait_for_pool(self, timeout: float = 60.0) -> None:
        """Block until all pool processes exist."""
        deadline = time.monotonic() + timeout
        while len(self.children()) < self.concurrency:
            if time.monotonic() > deadline:
                raise RuntimeError(f"worker {self.name} has no pool after {timeout} s")
            time.sleep(0.05)

    def signal(self, sig: signal.Signals) -> None:
        """Send ``sig`` to the main process."""
        if self.process is not None and self.process.poll() is None:
            os.kill(self.pid, sig)

    def stop(self, timeout: float = 60.0) -> None:
        """Warm shutdown (SIGTERM); SIGKILL the process group if it does not end."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            for pid in [*self.children(), self.pid]:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            self.process.wait()


def pending_work(session: Session) -> tuple[int, int]:
    """Items not yet processed, and live stories still needing a trace."""
    items = session.scalar(select(func.count()).where(IngestItem.state == "fetched")) or 0
    stories = session.scalar(
        select(func.count()).where(Story.needs_trace.is_(True), Story.merged_into.is_(None))
    )
    return int(items), int(stories or 0)


def wait_until_done(
    sessions: sessionmaker[Session],
    *,
    timeout: float,
    poll: float = 0.2,
    during: Callable[[], None] | None = None,
) -> float:
    """Block until no work is pending; returns the seconds waited.

    Raises:
        TimeoutError: Work is still pending after ``timeout`` seconds.
    """
    start = time.monotonic()
    while True:
        with sessions() as session:
            if pending_work(session) == (0, 0):
                return time.monotonic() - start
        if time.monotonic() - start > timeout:
            with sessions() as session:
                raise TimeoutError(f"work still pending after {timeout} s: {pending_work(session)}")
        if during is not None:
            during()
        time.sleep(poll)


def story_partition(session: Session) -> frozenset[frozenset[str]]:
    """The stories as sets of member URLs (ids differ between runs; members do not)."""
    groups: dict[int, set[str]] = {}
    for url, story in session.execute(select(Article.url_norm, Article.story_id)):
        if story is not None:
            groups.setdefault(int(story), set()).add(str(url))
    return frozenset(frozenset(g) for g in groups.values())


def embedded_partition(path: Path, corpus: Path) -> frozenset[frozenset[str]]:
    """The stories the embedded service makes of a corpus (SQLite file ``path``, one process)."""
    service = Service(f"sqlite:///{path}")
    try:
        service.ingest_records(read_records(corpus))
        with service.sessions() as session:
            return story_partition(session)
    finally:
        service.close()


def stop_all(workers: Iterable[WorkerProcess]) -> None:
    """Stop every worker."""
    for w in workers:
        w.stop()
