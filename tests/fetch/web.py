"""A fixture web: real HTTP/1.1 servers on loopback addresses, hostile ones too.

Each :class:`Site` listens on its own 127.x.y.z address and a free port, served by
an asyncio loop in a background thread, so a slow or hostile handler never blocks
the test's own event loop. Handlers write raw bytes, so a test can send exactly
what a broken or malicious server would: lying lengths, bombs, drips, loops.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Request", "Site", "Web", "respond", "response_bytes"]

Header = tuple[str, str]
Handler = Callable[["Request", asyncio.StreamWriter], Awaitable[None]]
_REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    404: "Not Found",
    408: "Request Timeout",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


@dataclass
class Request:
    """A request as the server saw it, with when it started and ended."""

    method: str
    target: str
    headers: dict[str, str]
    started: float
    ended: float = 0.0

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


def response_bytes(
    status: int, headers: Sequence[Header] = (), body: bytes = b"", *, length: bool = True
) -> bytes:
    """The bytes of a whole HTTP/1.1 response; ``length=False`` omits Content-Length."""
    lines = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in headers]
    if length:
        lines.append(f"Content-Length: {len(body)}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def respond(
    status: int = 200,
    body: bytes | str = b"",
    *,
    content_type: str | None = "text/html; charset=utf-8",
    headers: Sequence[Header] = (),
    length: bool = True,
) -> Handler:
    """A handler that sends one fixed response."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    all_headers = ([("Content-Type", content_type)] if content_type else []) + list(headers)
    raw = response_bytes(status, all_headers, data, length=length)

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(raw)
        await writer.drain()

    return handler


@dataclass
class Site:
    """One server: routes by path, a log of the requests it answered."""

    web: Web
    host: str
    port: int = 0
    routes: dict[str, Handler] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    server: asyncio.Server | None = None

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def page(self, path: str, body: bytes | str = "<html><body>ok</body></html>", **kw: Any) -> str:
        """Serve a fixed response at ``path``; returns its URL."""
        self.route(path, respond(kw.pop("status", 200), body, **kw))
        return self.url(path)

    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, target, _ = [*lines[0].split(" "), "", ""][:3]
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        request = Request(method, target, headers, time.monotonic())
        self.requests.append(request)
        handler = self.routes.get(request.path) or respond(404, "<html>not found</html>")
        try:
            await handler(request, writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            request.ended = time.monotonic()
            writer.close()


class Web:
    """Sites on loopback, served by one asyncio loop in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._addresses = (
            f"127.0.{a}.{b}" for a, b in itertools.product(range(1, 255), range(2, 255))
        )
        self._sites: list[Site] = []

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self.call(self._shutdown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.loop.close()

    async def _shutdown(self) -> None:
        servers = [site.server for site in self._sites if site.server is not None]
        for server in servers:
            server.close()
        # Handlers still dripping or streaming to a client that left are ended here.
        tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for server in servers:
            await server.wait_closed()

    def call(self, coro: Awaitable[Any]) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(_wrap(coro), self.loop)
        return future.result(timeout=10)

    def next_address(self) -> str:
        return next(self._addresses)

    def site(self, host: str | None = None) -> Site:
        """Start a new site on a fresh loopback address (or on ``host``)."""
        site = Site(self, host or self.next_address())
        site.server = self.call(asyncio.start_server(site._serve, site.host, 0))
        site.port = site.server.sockets[0].getsockname()[1]
        self._sites.append(site)
        return site

    def sites(self, count: int) -> Iterator[Site]:
        return (self.site() for _ in range(count))


async def _wrap(coro: Awaitable[Any]) -> Any:
    return await coro
