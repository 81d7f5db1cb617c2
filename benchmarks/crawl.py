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

The outlets are served by ``benchmarks/crawl_outlets.py``. Time is attributed
without touching the library, by wrapping the functions it calls
(``benchmarks/crawl_clock.py``). Synchronous stages are timed exclusively
(nested time goes to the innermost stage): extraction, fingerprint (shingling,
MinHash), matching (LSH candidates, verification, clustering),
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
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import crawl_clock
from benchmarks.crawl_clock import (
    ARCHIVE,
    CRAWLER_DB,
    PIPELINE_STAGES,
    Clock,
    instrument,
    timed_fetcher,
    timed_service,
)
from benchmarks.crawl_outlets import Hosted, host
from provenance.crawl import Crawler
from provenance.crawl_report import CrawlOptions, CrawlReport
from provenance.fetch import Fetcher, FetchOptions, WarcArchive
from provenance.ingest import read_records
from provenance.raw_record import RawRecord
from provenance.service import IngestReport, Service
from provenance.settings import Settings
from provenance.storage import crawl_repository as crawl_repo
from provenance.urls import normalize_url

_TARGET = 300.0  # pages/s fetched and archived, issue 3
#: The child process that serves the outlets.
_SERVER = Path(__file__).with_name("crawl_outlets.py")


# -- the runs ----------------------------------------------------------------------------


@dataclass
class _Run:
    wall: float
    cpu: float
    clock: Clock
    report: CrawlReport | None = None
    ingest: IngestReport | None = None


def _settings() -> Settings:
    return Settings(host_delay=0.0, allow_networks="127.0.0.0/8", http2=False)


def _register(service: Service, hosted: Hosted) -> None:
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
            timed_fetcher(fetcher, archive)
            crawler = Crawler(service, fetcher, options=CrawlOptions.from_settings(settings))
            return await crawler.crawl_once(), fetcher
    finally:
        archive.close()


def _run_crawl(hosted: Hosted, workdir: Path) -> tuple[_Run, Fetcher]:
    service = timed_service(f"sqlite:///{workdir / 'crawl.sqlite'}")
    _register(service, hosted)
    clock = crawl_clock.reset()
    cpu, start = time.process_time(), time.perf_counter()
    report, fetcher = asyncio.run(_crawl(service, workdir))
    run = _Run(time.perf_counter() - start, time.process_time() - cpu, clock, report=report)
    service.close()
    return run, fetcher


def _run_jsonl(hosted: Hosted, workdir: Path) -> _Run:
    """Ingest the same pages, as served, from a JSON Lines file: no fetching."""
    path = workdir / "served.jsonl"
    now = datetime.now(UTC).isoformat()
    with path.open("w", encoding="utf-8") as handle:
        for url, html, date in hosted.pages:
            line = {"url": url, "html": html, "fetched_at": now}
            if date is not None:
                line["published_at"] = date.isoformat()
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    service = timed_service(f"sqlite:///{workdir / 'jsonl.sqlite'}")
    clock = crawl_clock.reset()
    cpu, start = time.process_time(), time.perf_counter()
    report = service.ingest_records(read_records(path), chunk=_settings().ingest_chunk)
    run = _Run(time.perf_counter() - start, time.process_time() - cpu, clock, ingest=report)
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


def _warm_up(hosted: Hosted, workdir: Path) -> None:
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
    meanwhile = sum(v for k, v in clock.during_fetch.items() if k != ARCHIVE)
    parts = {
        "fetch (network + archive)": fetch_wall - meanwhile,
        **{name: spent.get(name, 0.0) for name in PIPELINE_STAGES},
        CRAWLER_DB: spent.get(CRAWLER_DB, 0.0),
    }
    parts["other"] = run.wall - sum(parts.values())
    return parts


def _print(
    hosted: Hosted, crawl: _Run, fetcher: Fetcher, jsonl: _Run, baseline: float
) -> dict[str, Any]:
    assert crawl.report is not None and jsonl.ingest is not None
    report, clock = crawl.report, crawl.clock
    pages = report.pages_fetched
    page_wall = clock.fetch_wall["page"]
    page_db = clock.during_fetch.get(CRAWLER_DB, 0.0)
    fetch_only = page_wall - page_db
    feeds_wall = clock.fetch_wall["feeds"]
    in_flight = clock.fetch_busy["page"] / page_wall if page_wall else 0.0
    fetch_rate = pages / fetch_only if fetch_only else 0.0
    # CPU of this process while pages were in flight, less the crawler's database work.
    fetch_cpu = clock.fetch_cpu["page"] - clock.during_fetch_cpu.get(CRAWLER_DB, 0.0)
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
    archive_s = clock.spent.get(ARCHIVE, 0.0)
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
    pipeline = sum(parts[name] for name in PIPELINE_STAGES)
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
    args = parser.parse_args()
    if not 1 <= args.outlets <= 254:
        parser.error("--outlets must be between 1 and 254")
    server = subprocess.Popen(
        [sys.executable, str(_SERVER), "--outlets", str(args.outlets)],
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
            hosted = host(origins, args.seed, args.stories)
            sites = workdir / "sites.json"
            sites.write_text(json.dumps(hosted.sites, ensure_ascii=False), encoding="utf-8")
            server.stdin.write(f"{sites}\n")
            server.stdin.flush()
            assert server.stdout.readline().strip() == "ready"
            _warm_up(hosted, workdir)
            instrument()
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
