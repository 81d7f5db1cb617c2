"""Fetch-and-archive speed: the crawler's fetcher against plain httpx, same run.

Fifty outlets are served on their own loopback addresses (127.0.3.1-50) by a
server in a child process, so the client measured here has its core to itself.
Each outlet serves a robots.txt and article pages of about 20 KB. The fetcher
(robots.txt, politeness with ``host_delay=0``, SSRF guard and pinning, caps,
bounded decoding, charset, WARC archiving) fetches every page, one request at a
time per outlet and all outlets at once; the baseline is a plain
``httpx.AsyncClient`` GET of the same URLs with the same concurrency, keeping
nothing. Run:

    python benchmarks/fetch.py [--outlets 50] [--pages 40]
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.crawl_outlets import response
from provenance.fetch import Fetcher, FetchOptions, WarcArchive

_PARAGRAPH = (
    "<p>The council approved the new budget on Tuesday after a long debate, "
    "with the opposition warning that the cuts would fall hardest on rural schools.</p>\n"
)
_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Article {n}</title></head>"
    "<body><article><h1>Article {n}</h1>" + _PARAGRAPH * 130 + "</article></body></html>"
)
_ROBOTS = b"User-agent: *\nDisallow: /private\n"


# -- the server (child process) --------------------------------------------------------


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answer keep-alive GETs: robots.txt, or the article the path names."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].decode()
            if path == "/robots.txt":
                body, kind = _ROBOTS, b"text/plain"
            else:
                body = _PAGE.format(n=path.strip("/")).encode()
                kind = b"text/html; charset=utf-8"
            writer.write(response(b"200 OK", kind, body))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def _serve(outlets: int) -> None:
    servers = []
    for index in range(outlets):
        server = await asyncio.start_server(_handle, f"127.0.3.{index + 1}", 0)
        servers.append(server)
    print(json.dumps([s.sockets[0].getsockname()[:2] for s in servers]), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until closed


# -- the client (this process) -----------------------------------------------------------


def _urls(origins: list[tuple[str, int]], pages: int) -> list[list[str]]:
    return [[f"http://{h}:{p}/{n}" for n in range(pages)] for h, p in origins]


async def _crawl(per_outlet: list[list[str]], archive: WarcArchive) -> tuple[float, int]:
    options = FetchOptions(
        host_delay=0.0, allow_networks=(ipaddress.ip_network("127.0.0.0/8"),), http2=False
    )
    async with Fetcher(options, archive=archive) as fetcher:

        async def outlet(urls: list[str]) -> None:
            for url in urls:
                result = await fetcher.fetch(url)
                assert result.text is not None and result.capture is not None

        started = time.perf_counter()
        await asyncio.gather(*(outlet(urls) for urls in per_outlet))
        return time.perf_counter() - started, fetcher.stats.archived


async def _baseline(per_outlet: list[list[str]]) -> float:
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

        async def outlet(urls: list[str]) -> None:
            for url in urls:
                response = await client.get(url)
                assert response.status_code == 200 and response.text

        started = time.perf_counter()
        await asyncio.gather(*(outlet(urls) for urls in per_outlet))
        return time.perf_counter() - started


def _report(pages: int, seconds: float, cpu: float, label: str) -> float:
    rate = pages / seconds
    print(
        f"{label:<34} {pages:>6} pages {seconds:7.2f} s {rate:8.0f} pages/s"
        f"   {pages / cpu:8.0f} pages/CPU-s"
    )
    return rate


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=50)
    parser.add_argument("--pages", type=int, default=40, help="pages per outlet")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
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
        assert server.stdout is not None
        origins = [(str(h), int(p)) for h, p in json.loads(server.stdout.readline())]
        per_outlet = _urls(origins, args.pages)
        total = args.outlets * args.pages
        size = len(_PAGE) // 1024
        print(f"{args.outlets} loopback outlets, {args.pages} pages each, ~{size} KB a page")
        asyncio.run(_baseline(_urls(origins, 2)))  # warm-up: imports, first connections
        cpu = time.process_time()
        base_s = _baseline_run(per_outlet)
        base_cpu = time.process_time() - cpu
        with tempfile.TemporaryDirectory() as tmp:
            archive = WarcArchive(Path(tmp))
            cpu = time.process_time()
            crawl_s, archived = asyncio.run(_crawl(per_outlet, archive))
            crawl_cpu = time.process_time() - cpu
            archive.close()
            size = sum(p.stat().st_size for p in archive.paths)
        base = _report(total, base_s, base_cpu, "baseline: plain httpx GET")
        ours = _report(total, crawl_s, crawl_cpu, "fetcher: guarded + WARC-archived")
        print(f"archived {archived} responses (robots.txt included), {size / 1e6:.1f} MB of WARC")
        print(
            f"fetcher speed is {ours / base:.0%} of the baseline; target >= 300 pages/s:"
            f" {'met' if ours >= 300 else 'NOT met'}"
        )
    finally:
        if server.stdin is not None:
            server.stdin.close()
        server.wait(timeout=10)


def _baseline_run(per_outlet: list[list[str]]) -> float:
    return asyncio.run(_baseline(per_outlet))


if __name__ == "__main__":
    main()
