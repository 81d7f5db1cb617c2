"""The simulated outlets of ``benchmarks/crawl.py``: a generated network served on loopback.

:func:`host` lays a generated syndication network out on loopback origins
(127.0.4.1-N, one address per outlet): each address gets a robots.txt, an RSS
2.0 feed at :data:`FEED_PATH` listing its articles with their ``pubDate``, and
the article pages, with links between articles rewritten to their loopback
URLs. Plain-text records are wrapped in a minimal HTML page. :func:`serve`
answers for all the addresses from a child process, so that the crawler being
measured has its core to itself:

    python benchmarks/crawl_outlets.py --outlets 50

prints the bound addresses as JSON, reads the path of a JSON file of the sites
(as :attr:`Hosted.sites`) from stdin, says ``ready`` and serves until stdin
closes. Nothing but loopback addresses is ever bound or connected to.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from provenance.eval.generator import generate_network
from provenance.eval.outlets import OUTLETS
from provenance.urls import normalize_url

__all__ = ["FEED_PATH", "HOST", "Hosted", "host", "response", "serve"]

_ROBOTS = "User-agent: *\nDisallow: /private/\n"
#: Where each outlet's feed is.
FEED_PATH = "/feed.xml"
#: The loopback address of outlet ``n`` (1-254).
HOST = "127.0.4.{}"

# -- the server (child process) ----------------------------------------------------------

Site = dict[str, tuple[bytes, bytes]]  # path -> (content type, body)


def response(status: bytes, kind: bytes, body: bytes) -> bytes:
    """An HTTP/1.1 response with a length, for a keep-alive connection.

    Written by hand rather than with an HTTP server library: the benchmarks
    need a server whose own cost is a few bytes' concatenation per page.
    """
    head = b"HTTP/1.1 " + status + b"\r\nContent-Type: " + kind
    return head + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body


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
                writer.write(response(status, kind, body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    return handle


async def serve(outlets: int) -> None:
    """Bind one server per address, say where, load the sites, serve until stdin closes."""
    sites: list[Site] = [{} for _ in range(outlets)]
    servers = []
    for index in range(outlets):
        server = await asyncio.start_server(_handler(sites[index]), HOST.format(index + 1), 0)
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
class Hosted:
    """The network as served: each address's files, and the pages in order."""

    origins: list[str]
    names: list[str]
    sites: list[dict[str, tuple[str, str]]]
    pages: list[tuple[str, str, datetime | None]] = field(default_factory=list)  # url, html, date

    @property
    def feeds(self) -> list[str]:
        return [origin + FEED_PATH for origin in self.origins]


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


def host(origins: list[str], seed: int, stories: int) -> Hosted:
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

    hosted = Hosted(origins, names, [{} for _ in origins])
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
        hosted.sites[index][FEED_PATH] = ("application/rss+xml; charset=utf-8", feed)
        hosted.sites[index]["/robots.txt"] = ("text/plain", _ROBOTS)
    return hosted


def main() -> None:
    """Serve ``--outlets`` addresses (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outlets", type=int, default=50, help="loopback outlets (1-254)")
    args = parser.parse_args()
    if not 1 <= args.outlets <= 254:
        parser.error("--outlets must be between 1 and 254")
    asyncio.run(serve(args.outlets))


if __name__ == "__main__":
    main()
