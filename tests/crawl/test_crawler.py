"""The Crawler itself, on named outlets (an injected resolver), SQLite and PostgreSQL.

The outlets here are host names (``wire.test`` ...) that a resolver maps to their
loopback addresses, as a user's /etc/hosts would; the crawler runs in-process
with its clock injected, so schedules can be checked without waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from provenance.crawl import Crawler
from provenance.crawl_report import CrawlEvent, CrawlOptions, CrawlReport
from provenance.export import export_stories
from provenance.fetch import Fetcher, FetchOptions, WarcArchive
from provenance.registration import register_feed, register_outlet
from provenance.schedule import PollPolicy
from provenance.service import Service
from provenance.storage import crawl_repository as crawl_repo
from tests.crawl.conftest import crawler_env
from tests.crawl.outlets import NewsWeb, build
from tests.fetch.web import Web

HOSTS = [f"127.0.0.{n}" for n in range(31, 40)]
NAMES = [
    "wire.test",
    "courier.test",
    "metro.test",
    "post.test",
    "gazette.test",
    "bomb.test",
    "loop.test",
    "robots.test",
    "laughs.test",
]
POLICY = PollPolicy(min_interval=60, max_interval=3600, initial_interval=600, spread=0)


class HostsFile:
    """A resolver that knows only the fixture web's names, like an /etc/hosts file."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    async def resolve(self, host: str) -> list[str]:
        if host not in self.mapping:
            raise OSError(f"unknown host {host}")
        return [self.mapping[host]]


@pytest.fixture(scope="module")
def named() -> Iterator[NewsWeb]:
    web = Web()
    web.start()
    try:
        yield build(web, HOSTS, NAMES)
    finally:
        web.stop()
        web.loop.close()


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@contextlib.asynccontextmanager
async def _fetcher(tmp_path: Path) -> AsyncIterator[Fetcher]:
    options = FetchOptions(
        allow_networks=(ipaddress.ip_network("127.0.0.0/8"),),
        host_delay=0.0,
        retry_backoff=0.01,
        max_retries=1,
        deadline=10.0,
        max_decoded_bytes=4 * 1024 * 1024,
    )
    resolver = HostsFile(dict(zip(NAMES, HOSTS, strict=True)))
    archive = WarcArchive(tmp_path / "warc")
    try:
        async with Fetcher(options, archive=archive, resolver=resolver) as fetcher:
            yield fetcher
    finally:
        archive.close()


async def _register(service: Service, fetcher: Fetcher, news: NewsWeb) -> None:
    for outlet in news.good:
        await register_outlet(service, fetcher, outlet.url("/"), name=outlet.name)
    await register_feed(service, fetcher, news.bomb.url("/rss.xml"))


def test_crawl_named_outlets_and_adapt_the_schedule(
    named: NewsWeb, db_url: str, tmp_path: Path
) -> None:
    service, clock = Service(db_url), Clock()
    events: list[CrawlEvent] = []
    options = CrawlOptions(policy=POLICY)

    async def run() -> tuple[CrawlReport, CrawlReport]:
        async with _fetcher(tmp_path) as fetcher:
            await _register(service, fetcher, named)
            crawler = Crawler(
                service, fetcher, options=options, progress=events.append, clock=clock
            )
            first = await crawler.crawl_once()
            clock.now += timedelta(hours=2)
            second = await crawler.crawl_once()
            return first, second

    try:
        first, second = asyncio.run(run())
        assert first.ingest.stored == 8 and first.pages_fetched == 8
        assert [f.url for f in first.failures] == [named.bomb.url("/bomb.html")]
        assert second.pages_fetched == 0 and second.feeds_not_modified >= 6
        stories = {doc["origin_url"]: doc for doc in export_stories(db_url=db_url)}
        flood = stories[named.wire.url("/2024/05/17/flood.html")]
        assert flood["origin_outlet"] == "Wire Service" and flood["size"] == 3
        with service.sessions() as session:
            feeds = {f.url: f for f, _ in crawl_repo.feeds_with_outlets(session)}
        rss = feeds[named.wire.url("/rss.xml")]
        # First poll brought new items (600 s halved), the second nothing (x1.5).
        assert rss.poll_interval_s == pytest.approx(450)
        assert rss.next_poll_at == clock.now + timedelta(seconds=450)
        assert {e.kind for e in events} == {"feed", "queued", "page"}
        assert any(not e.ok and e.url.endswith("/bomb.html") for e in events)
    finally:
        service.close()


def test_watch_stops_on_request_and_on_cancel(
    named: NewsWeb, sqlite_url: str, tmp_path: Path
) -> None:
    service = Service(sqlite_url)

    async def run() -> int:
        async with _fetcher(tmp_path) as fetcher:
            await register_feed(service, fetcher, named.post.url("/rdf"))
            crawler = Crawler(service, fetcher, options=CrawlOptions(policy=POLICY))
            stop, rounds = asyncio.Event(), []

            def on_round(report: CrawlReport) -> None:
                rounds.append(report)
                stop.set()

            await asyncio.wait_for(crawler.watch(stop=stop, on_round=on_round), timeout=30)
            task = asyncio.create_task(crawler.watch(idle=30))
            await asyncio.sleep(0.5)  # the second watch is asleep: nothing is due
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return len(rounds)

    try:
        assert asyncio.run(run()) == 1
        with service.sessions() as session:
            assert crawl_repo.next_due_at(session) is not None
    finally:
        service.close()


def test_crawl_watch_command_stops_cleanly_on_ctrl_c(named: NewsWeb, tmp_path: Path) -> None:
    # The real CLI in a child process, reaching the outlets by address (it has no
    # injected resolver): Ctrl-C must end it with "stopped" and exit code 0.
    env = {**os.environ, **crawler_env(tmp_path, f"sqlite:///{tmp_path}/w.sqlite")}
    env = {
        k: v
        for k, v in env.items()
        if not k.startswith("PROVENANCE_") or k in crawler_env(tmp_path, "")
    }
    feed = f"http://{named.post.site.host}:{named.post.site.port}/rdf"
    cmd = [sys.executable, "-c", "from provenance.cli import app; app()"]
    subprocess.run(
        [*cmd, "feeds", "add", feed], env=env, check=True, capture_output=True, cwd=tmp_path
    )
    child = subprocess.Popen(
        [*cmd, "crawl", "--watch"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Ctrl-C once the first cycle's report is out: the feed row says "polled"
    # as soon as the feed is read, before the pages are ingested and traced,
    # and a slow (loaded, or first-run compiling) machine is still busy then.
    # Both pipes are drained by threads, so neither can fill and stall the child.
    out_lines: queue.Queue[str] = queue.Queue()
    err_lines: list[str] = []
    assert child.stdout is not None and child.stderr is not None
    readers = [
        threading.Thread(target=lambda: [out_lines.put(x) for x in child.stdout], daemon=True),
        threading.Thread(target=lambda: err_lines.extend(child.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    out = ""
    try:
        deadline = time.monotonic() + 120
        while "polled" not in out and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                out += out_lines.get(timeout=0.2)
        assert "polled" in out, "no crawl cycle reported within 120 s"
        child.send_signal(signal.SIGINT)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    for reader in readers:
        reader.join(timeout=10)
    child.stdout.close()
    child.stderr.close()
    err = "".join(err_lines)
    assert child.returncode == 0, err
    assert "stopped" in err
