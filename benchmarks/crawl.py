"""Crawl throughput: feeds polled, pages fetched, archived and ingested, and where the time goes.

A generated syndication network (``generate_network``: real texts through the
outlet templates) is served by a server in a child process, so the crawler
measured here has its core to itself. Each of ``--outlets`` loopback addresses
(127.0.4.1-N, one address per outlet) serves a robots.txt, an RSS 2.0 feed at
``/feed.xml`` listing its articles with their ``pubDate``, and the article pages.
The generator's 32 outlets are spread over the addresses (an outlet with two
addresses has its pages split between them by URL); links between articles are
rewritten to their loopback URLs. Plain-text records are wrapped in a minimal
HTML page. Nothing but loopback addresses is ever connected to.

The outlets and their feeds are registered in a fresh SQLite database with the
storage helpers the crawler itself uses, then ``Crawler.crawl_once()`` runs in
this process with the fetcher and crawler built from the service settings
(``host_delay=0``, ``allow_networks=127.0.0.0/8``): it polls every feed, fetches
every page (robots.txt, politeness, SSRF guard, caps, decoding, WARC archive),
records the captures and hands the pages to ``Service.ingest_records``.

Time is attributed without touching the library, by wrapping the functions it
calls (as ``benchmarks/ingest.py`` does). Synchronous stages are timed
exclusively (nested time goes to the innermost stage): extraction, fingerprint
(shingling, MinHash), matching (LSH candidates, verification, clustering),
tracing, the pipeline's storage and the rest of ``ingest_records``, and the
crawler's own database work (feed polls, capture rows, failures). The fetch is
the wall time during which at least one ``Fetcher.fetch`` is in flight, less the
crawler's database work done meanwhile; it includes the network, the server's
answer and the WARC write. What is left (feed parsing, the event loop outside a
fetch) is "other".

Baselines in the same run: the same page URLs fetched by a plain
``httpx.AsyncClient`` with the same number of requests in flight, keeping
nothing (the crawler's ceiling on this machine); and the same pages, as served,
ingested from a JSON Lines file without any fetching (the pipeline's ceiling).
End-to-end crawl speed close to the JSON Lines ingest means the pipeline, not the
crawler, is the limit. Run:

    python benchmarks/crawl.py [--outlets 50] [--stories 300] [--seed 7]

It prints a table, then one line of JSON with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import subprocess
import sys
import tempfile
import time
import zlib
from collections import defaultdict
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy.orm import Session, sessionmaker

import provenance.article_index as article_index
import provenance.service as service_module
from provenance.crawl import Crawler
from provenance.crawl_report import CrawlOptions, CrawlReport
from provenance.eval.generator import generate_network
from provenance.eval.templates import OUTLETS
from provenance.fetch import Exchange, Fetcher, FetchOptions, FetchResult, WarcArchive
from provenance.fingerprint import LSHIndex
from provenance.ingest import read_records
from provenance.raw_record import CaptureRef, RawRecord
from provenance.service import IngestReport, Service
from provenance.settings import Settings
from provenance.storage import crawl_repository as crawl_repo
from provenance.urls import normalize_url

_ROBOTS = "User-agent: *\nDisallow: /private/\n"
_FEED_PATH = "/feed.xml"
_HOST = "127.0.4.{}"
_TARGET = 300.0  # pages/s fetched and archived, issue 3
#: The synchronous stages, in the order of the table, and what each one covers.
_PIPELINE_STAGES = ("extract", "fingerprint+match", "trace", "pipeline storage+rest")
_CRAWLER_DB = "crawler db"
_ARCHIVE = "archive"
_INGEST = "pipeline storage+rest"  # ingest_records' own time, outside the stages below it


# -- the server (child process) ----------------------------------------------------------

Site = dict[str, tuple[bytes, bytes]]  # path -> (content type, body)


def _handler(
    site: Site,
) -> Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer keep-alive GETs from ``site``; 404 for anything else."""
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                path = head.split(b" ", 2)[1].decode()
                found = site.get(path)
                status, kind, body = (
                    (b"200 OK", *found) if found else (b"404 Not Found", b"text/plain", b"")
                )
                writer.write(
                    b"HTTP/1.1 "
                    + status
                    + b"\r\nContent-Type: "
                    + kind
                    + b"\r\nContent-Length: "
                    + str(len(body)).encode()
                    + b"\r\n\r\n"
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return handle


async def _serve(outlets: int) -> None:
    """Bind one server per address, say where, load the sites, serve until stdin closes."""
    sites: list[Site] = [{} for _ in range(outlets)]
    servers = []
    for index in range(outlets):
        server = await asyncio.start_server(_handler(sites[index]), _HOST.format(index + 1), 0)
        servers.append(server)
    print(json.dumps([s.sockets[0].getsockname()[:2] for s in servers]), flush=True)
    loop = asyncio.get_running_loop()
    path = (await loop.run_in_executor(None, sys.stdin.readline)).strip()
    loaded = json.loads(Path(path).read_text(encoding="utf-8"))
    for site, pages in zip(sites, loaded, strict=True):
        for page_path, (kind, body) in pages.items():
            site[page_path] = (kind.encode(), body.encode("utf-8"))
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes it


# -- the network, re-hosted on loopback --------------------------------------------------


@dataclass
class _Hosted:
    """The network as served: each address's files, and the pages in order."""

    origins: list[str]
    names: list[str]
    sites: list[dict[str, tuple[str, str]]]
    pages: list[tuple[str, str, datetime | None]] = field(default_factory=list)  # url, html, date

    @property
    def feeds(self) -> list[str]:
        return [origin + _FEED_PATH for origin in self.origins]


def _addresses(outlets: int) -> dict[str, list[int]]:
    """Which address indexes serve each generator outlet (its domain)."""
    count = len(OUTLETS)
    return {
        o.domain: [a for a in range(outlets) if a % count == k] or [k % outlets]
        for k, o in enumerate(OUTLETS)
    }


def _wrap_text(text: str, title: str | None) -> str:
    heading = f"<h1>{escape(title)}</h1>" if title else ""
    body = "\n".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    head = f"<title>{escape(title or '')}</title>"
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head>"
        f"<body><article>{heading}\n{body}</article></body></html>"
    )


def _host(origins: list[str], seed: int, stories: int) -> _Hosted:
    """Generate the network and lay it out on the loopback origins."""
    network = generate_network(seed=seed, stories=stories)
    by_domain = _addresses(len(origins))
    names = [""] * len(origins)
    for outlet in OUTLETS:
        for index in by_domain[outlet.domain]:
            names[index] = names[index] or outlet.name
    names = [name or f"Outlet {n + 1}" for n, name in enumerate(names)]
    moved: dict[str, str] = {}
    for record in network.records:
        url = str(record["url"])
        parts = urlsplit(url)
        choices = by_domain[parts.hostname or ""]
        index = choices[zlib.crc32(parts.path.encode()) % len(choices)]
        moved[url] = origins[index] + parts.path
    domains = sorted(by_domain, key=len, reverse=True)
    link = re.compile(r"https?://(" + "|".join(map(re.escape, domains)) + r")(/[^\s\"'<>]*)?")

    def rewrite(match: re.Match[str]) -> str:
        known = moved.get(match.group(0))
        if known is not None:
            return known
        return origins[by_domain[match.group(1)][0]] + (match.group(2) or "/")

    hosted = _Hosted(origins, names, [{} for _ in origins])
    items: list[list[str]] = [[] for _ in origins]
    for record in network.records:
        url = moved[str(record["url"])]
        if record.get("html") is not None:
            html = str(record["html"])
        else:
            title = record.get("title")
            html = _wrap_text(str(record.get("text") or ""), str(title) if title else None)
        html = link.sub(rewrite, html)
        truth = network.truth.articles.get(normalize_url(str(record["url"])))
        claimed = truth.published_at if truth is not None else None
        date = datetime.fromisoformat(claimed).astimezone(UTC) if claimed else None
        index = hosted.origins.index(url[: url.index("/", len("http://"))])
        hosted.sites[index][urlsplit(url).path] = ("text/html; charset=utf-8", html)
        hosted.pages.append((url, html, date))
        pub = f"<pubDate>{format_datetime(date, usegmt=True)}</pubDate>" if date else ""
        slug = escape(urlsplit(url).path.rsplit("/", 1)[-1])
        items[index].append(
            f"<item><title>{slug}</title><link>{url}</link>"
            f'<guid isPermaLink="true">{url}</guid>{pub}</item>'
        )
    for index, origin in enumerate(origins):
        feed = (
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
            f"<title>{escape(names[index])}</title><link>{origin}/</link>"
            f"<description>Latest articles</description>{''.join(items[index])}"
            "</channel></rss>"
        )
        hosted.sites[index][_FEED_PATH] = ("application/rss+xml; charset=utf-8", feed)
        hosted.sites[index]["/robots.txt"] = ("text/plain", _ROBOTS)
    return hosted


# -- timing ------------------------------------------------------------------------------


class _Clock:
    """Exclusive time per synchronous stage, and the wall time with fetches in flight."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = defaultdict(float)
        self.during_fetch: dict[str, float] = defaultdict(float)  # sync time inside the union
        self.during_fetch_cpu: dict[str, float] = defaultdict(float)
        self._stack: list[str] = []
        self._mark = (0.0, 0.0)
        self.inflight = 0
        self.fetch_wall: dict[str, float] = defaultdict(float)  # by "page" / "feeds"
        self.fetch_cpu: dict[str, float] = defaultdict(float)
        self.fetch_busy: dict[str, float] = defaultdict(float)  # sum of fetch durations
        self._union_start = (0.0, 0.0)

    def _charge(self) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        if self._stack:
            stage = self._stack[-1]
            self.spent[stage] += now - self._mark[0]
            if self.inflight:
                self.during_fetch[stage] += now - self._mark[0]
                self.during_fetch_cpu[stage] += cpu - self._mark[1]
        self._mark = (now, cpu)

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time a synchronous block (no await inside) as ``name``."""
        self._charge()
        self._stack.append(name)
        try:
            yield
        finally:
            self._charge()
            self._stack.pop()

    def inside(self, name: str) -> bool:
        return name in self._stack

    @contextlib.asynccontextmanager
    async def fetching(self, kind: str) -> AsyncIterator[None]:
        """Time one fetch: the union of in-flight fetches, their CPU and their sum."""
        started = time.perf_counter()
        if self.inflight == 0:
            self._union_start = (started, time.process_time())
        self.inflight += 1
        try:
            yield
        finally:
            self.inflight -= 1
            ended = time.perf_counter()
            self.fetch_busy[kind] += ended - started
            if self.inflight == 0:
                self.fetch_wall[kind] += ended - self._union_start[0]
                self.fetch_cpu[kind] += time.process_time() - self._union_start[1]


_CLOCK = _Clock()


def _wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with _CLOCK.stage(name):
            return function(*args, **kwargs)

    return wrapper


def _instrument() -> None:
    """Time the pipeline's stages by wrapping the functions the service calls."""
    for stage, names in {
        # The extraction step is ``extract_record`` (``_extract`` before it was shared),
        # patched in the service's globals, where it is called from, not in its
        # defining module (provenance.records).
        "extract": tuple(n for n in ("extract_record", "_extract") if hasattr(service_module, n)),
        "fingerprint+match": ("shingle_hashes", "fingerprint_shingles"),
        "trace": ("trace_stored_story",),
    }.items():
        for name in names:
            setattr(service_module, name, _wrap(stage, getattr(service_module, name)))
    # Matching and settling stories happen in the service's article index.
    for name in ("compare_shingles", "settle_component"):
        setattr(article_index, name, _wrap("fingerprint+match", getattr(article_index, name)))
    LSHIndex.candidates = _wrap("fingerprint+match", LSHIndex.candidates)  # type: ignore[method-assign]
    Service.ingest_records = _wrap(_INGEST, Service.ingest_records)  # type: ignore[method-assign]


class _TimedSessions:
    """The service's session factory, timing each session as storage work."""

    def __init__(self, inner: sessionmaker[Session]) -> None:
        self._inner = inner

    def _stage(self) -> str:
        return _INGEST if _CLOCK.inside(_INGEST) else _CRAWLER_DB

    @contextlib.contextmanager
    def __call__(self) -> Iterator[Session]:
        with _CLOCK.stage(self._stage()), self._inner() as session:
            yield session

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        with _CLOCK.stage(self._stage()), self._inner.begin() as session:
            yield session


def _timed_service(url: str) -> Service:
    service = Service(url)
    service.sessions = _TimedSessions(service.sessions)  # type: ignore[assignment]
    return service


def _timed_fetcher(fetcher: Fetcher, archive: WarcArchive) -> None:
    fetch = fetcher.fetch

    async def timed(url: str, **kwargs: Any) -> FetchResult:
        async with _CLOCK.fetching("page" if kwargs.get("purpose") == "page" else "feeds"):
            return await fetch(url, **kwargs)

    write = archive.write_exchange

    def write_timed(exchange: Exchange) -> CaptureRef:
        with _CLOCK.stage(_ARCHIVE):
            return write(exchange)

    fetcher.fetch = timed  # type: ignore[method-assign]
    archive.write_exchange = write_timed  # type: ignore[method-assign]


# -- the runs ----------------------------------------------------------------------------


@dataclass
class _Run:
    wall: float
    cpu: float
    clock: _Clock
    report: CrawlReport | None = None
    ingest: IngestReport | None = None


def _settings() -> Settings:
    return Settings(host_delay=0.0, allow_networks="127.0.0.0/8", http2=False)


def _register(service: Service, hosted: _Hosted) -> None:
    with service.sessions.begin() as session:
        for origin, name, feed in zip(hosted.origins, hosted.names, hosted.feeds, strict=True):
            outlet = crawl_repo.set_outlet(
                session, domain=urlsplit(origin).hostname or "", name=name
            )
            crawl_repo.add_feed(session, url=normalize_url(feed), outlet_id=outlet.id, kind="rss")


async def _crawl(service: Service, workdir: Path) -> tuple[CrawlReport, Fetcher]:
    settings = _settings()
    archive = WarcArchive(workdir / "warc")
    try:
        async with Fetcher(FetchOptions.from_settings(settings), archive=archive) as fetcher:
            _timed_fetcher(fetcher, archive)
            crawler = Crawler(service, fetcher, options=CrawlOptions.from_settings(settings))
            return await crawler.crawl_once(), fetcher
    finally:
        archive.close()


def _run_crawl(hosted: _Hosted, workdir: Path) -> tuple[_Run, Fetcher]:
    global _CLOCK
    service = _timed_service(f"sqlite:///{workdir / 'crawl.sqlite'}")
    _register(service, hosted)
    _CLOCK = _Clock()
    cpu, start = time.process_time(), time.perf_counter()
    report, fetcher = asyncio.run(_crawl(service, workdir))
    run = _Run(time.perf_counter() - start, time.process_time() - cpu, _CLOCK, report=report)
    service.close()
    return run, fetcher


def _run_jsonl(hosted: _Hosted, workdir: Path) -> _Run:
    """Ingest the same pages, as served, from a JSON Lines file: no fetching."""
    global _CLOCK
    path = workdir / "served.jsonl"
    now = datetime.now(UTC).isoformat()
    with path.open("w", encoding="utf-8") as handle:
        for url, html, date in hosted.pages:
            line = {"url": url, "html": html, "fetched_at": now}
            if date is not None:
                line["published_at"] = date.isoformat()
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    service = _timed_service(f"sqlite:///{workdir / 'jsonl.sqlite'}")
    _CLOCK = _Clock()
    cpu, start = time.process_time(), time.perf_counter()
    report = service.ingest_records(read_records(path), chunk=_settings().ingest_chunk)
    run = _Run(time.perf_counter() - start, time.process_time() - cpu, _CLOCK, ingest=report)
    service.close()
    return run


async def _httpx(urls: list[str], concurrency: int) -> float:
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    queue = iter(urls)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

        async def worker() -> None:
            for url in queue:
                response = await client.get(url)
                assert response.status_code == 200 and response.text

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.perf_counter() - started


def _warm_up(hosted: _Hosted, workdir: Path) -> None:
    """Imports, models and caches loaded once, outside the measured runs."""
    service = Service(f"sqlite:///{workdir / 'warm.sqlite'}")
    records = [
        RawRecord(n, url, html, None, None, None, None, None, None)
        for n, (url, html, _) in enumerate(hosted.pages[:20], 1)
    ]
    service.ingest_records(records)
    service.close()
    asyncio.run(_httpx([url for url, _, _ in hosted.pages[:20]], 4))


# -- the report --------------------------------------------------------------------------


def _shares(run: _Run) -> dict[str, float]:
    """Exclusive wall seconds of each part of a run (they add up to the wall time)."""
    clock = run.clock
    spent = dict(clock.spent)
    fetch_wall = sum(clock.fetch_wall.values())
    meanwhile = sum(v for k, v in clock.during_fetch.items() if k != _ARCHIVE)
    parts = {
        "fetch (network + archive)": fetch_wall - meanwhile,
        **{name: spent.get(name, 0.0) for name in _PIPELINE_STAGES},
        _CRAWLER_DB: spent.get(_CRAWLER_DB, 0.0),
    }
    parts["other"] = run.wall - sum(parts.values())
    return parts


def _print(
    hosted: _Hosted, crawl: _Run, fetcher: Fetcher, jsonl: _Run, baseline: float
) -> dict[str, Any]:
    assert crawl.report is not None and jsonl.ingest is not None
    report, clock = crawl.report, crawl.clock
    pages = report.pages_fetched
    page_wall = clock.fetch_wall["page"]
    page_db = clock.during_fetch.get(_CRAWLER_DB, 0.0)
    fetch_only = page_wall - page_db
    feeds_wall = clock.fetch_wall["feeds"]
    in_flight = clock.fetch_busy["page"] / page_wall if page_wall else 0.0
    fetch_rate = pages / fetch_only if fetch_only else 0.0
    # CPU of this process while pages were in flight, less the crawler's database work.
    fetch_cpu = clock.fetch_cpu["page"] - clock.during_fetch_cpu.get(_CRAWLER_DB, 0.0)
    cpu_rate = pages / fetch_cpu if fetch_cpu > 0 else 0.0
    phase_rate = pages / page_wall if page_wall else 0.0
    crawl_rate = pages / crawl.wall
    jsonl_rate = jsonl.ingest.stored / jsonl.wall
    httpx_rate = len(hosted.pages) / baseline
    parts, jparts = _shares(crawl), _shares(jsonl)
    size = sum(len(html.encode()) for _, html, _ in hosted.pages) / len(hosted.pages) / 1024

    print(
        f"{len(hosted.origins)} loopback outlets, {len(hosted.pages)} pages (~{size:.0f} KB each),"
        f" host_delay 0, concurrency {_settings().crawl_concurrency}"
    )
    print(
        f"crawl: {report.feeds_polled} feeds polled, {pages} pages fetched,"
        f" {fetcher.stats.archived} responses archived, {report.ingest.stored} articles stored,"
        f" {report.ingest.stories_traced} stories traced, {len(report.failures)} failures"
    )
    print()
    print(f"{'':44} {'pages/s':>9}")
    rows = [
        ("fetch + archive, inside the Fetcher", fetch_rate),
        ("  the same, per CPU-second of the Fetcher", cpu_rate),
        ("  fetch phase incl. capture rows", phase_rate),
        ("baseline: plain httpx GET, same in flight", httpx_rate),
        ("end-to-end crawl_once", crawl_rate),
        ("baseline: ingest of the same pages (JSONL)", jsonl_rate),
    ]
    for label, rate in rows:
        print(f"{label:44} {rate:9.1f}")
    print()
    print(f"{'share of wall time':28} {'crawl':>16} {'JSONL ingest':>18}")
    for name, seconds in parts.items():
        other = jparts.get(name, 0.0)
        print(
            f"  {name:26} {seconds:7.2f} s {100 * seconds / crawl.wall:5.1f} %"
            f" {other:8.2f} s {100 * other / jsonl.wall:5.1f} %"
        )
    print(f"  {'total':26} {crawl.wall:7.2f} s {'':7} {jsonl.wall:8.2f} s")
    print()
    archive_s = clock.spent.get(_ARCHIVE, 0.0)
    print(
        f"fetch detail: pages {page_wall:.2f} s with fetches in flight (of which {page_db:.2f} s"
        f" crawler db, {archive_s:.2f} s WARC writes), feeds + robots {feeds_wall:.2f} s;"
        f" {in_flight:.1f} page fetches in flight on average,"
        f" CPU {100 * clock.fetch_cpu['page'] / page_wall if page_wall else 0:.0f} %"
        " of the page-fetch wall time"
    )
    print(
        f"stories traced: crawl {report.ingest.stories_traced} (traced after each batch of"
        f" {_settings().ingest_chunk} pages), JSONL ingest {jsonl.ingest.stories_traced}"
    )
    pipeline = sum(parts[name] for name in _PIPELINE_STAGES)
    fetch_s = parts["fetch (network + archive)"]
    limit = "pipeline" if pipeline > fetch_s else "crawler"
    print(
        f"fetch-and-archive target >= {_TARGET:.0f} pages/s:"
        f" {'met' if fetch_rate >= _TARGET else 'NOT met'} ({fetch_rate:.0f});"
        f" the limit is the {limit} (pipeline {pipeline:.1f} s vs fetch {fetch_s:.1f} s);"
        f" crawl end-to-end is {crawl_rate / jsonl_rate:.0%} of the JSONL ingest,"
        f" the fetcher {fetch_rate / httpx_rate:.0%} of plain httpx"
    )
    return {
        "outlets": len(hosted.origins),
        "pages": pages,
        "failures": len(report.failures),
        "fetch_archive_pages_per_s": round(fetch_rate, 1),
        "fetch_archive_pages_per_cpu_s": round(cpu_rate, 1),
        "fetch_phase_pages_per_s": round(phase_rate, 1),
        "httpx_pages_per_s": round(httpx_rate, 1),
        "crawl_pages_per_s": round(crawl_rate, 1),
        "jsonl_ingest_pages_per_s": round(jsonl_rate, 1),
        "crawl_seconds": round(crawl.wall, 2),
        "crawl_cpu_seconds": round(crawl.cpu, 2),
        "jsonl_seconds": round(jsonl.wall, 2),
        "stories_traced": report.ingest.stories_traced,
        "jsonl_stories_traced": jsonl.ingest.stories_traced,
        "share": {k: round(v / crawl.wall, 3) for k, v in parts.items()},
        "jsonl_share": {k: round(v / jsonl.wall, 3) for k, v in jparts.items()},
        "page_fetches_in_flight": round(in_flight, 2),
        "target_met": fetch_rate >= _TARGET,
        "limit": limit,
    }


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=50, help="loopback outlets (1-254)")
    parser.add_argument("--stories", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 1 <= args.outlets <= 254:
        parser.error("--outlets must be between 1 and 254")
    if args.serve:
        asyncio.run(_serve(args.outlets))
        return
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--outlets", str(args.outlets)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdin is not None and server.stdout is not None
        bound = json.loads(server.stdout.readline())
        origins = [f"http://{host}:{port}" for host, port in bound]
        with tempfile.TemporaryDirectory(prefix="provenance-crawl-") as tmp:
            workdir = Path(tmp)
            hosted = _host(origins, args.seed, args.stories)
            sites = workdir / "sites.json"
            sites.write_text(json.dumps(hosted.sites, ensure_ascii=False), encoding="utf-8")
            server.stdin.write(f"{sites}\n")
            server.stdin.flush()
            assert server.stdout.readline().strip() == "ready"
            _warm_up(hosted, workdir)
            _instrument()
            concurrency = _settings().crawl_concurrency
            baseline = asyncio.run(_httpx([url for url, _, _ in hosted.pages], concurrency))
            crawl, fetcher = _run_crawl(hosted, workdir)
            jsonl = _run_jsonl(hosted, workdir)
            figures = _print(hosted, crawl, fetcher, jsonl, baseline)
        print(json.dumps(figures))
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
