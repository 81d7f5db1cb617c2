"""Helpers shared by the fetcher tests: options, resolvers, a loopback-only backend."""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from pathlib import Path
from typing import Any

import httpcore

from provenance.fetch import Fetcher, FetchOptions, Resolver, WarcArchive

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)


def loopback_options(**changes: Any) -> FetchOptions:
    """Options for tests: loopback allowed, no politeness delay, quick retries."""
    values: dict[str, Any] = {
        "allow_networks": LOOPBACK,
        "host_delay": 0.0,
        "retry_backoff": 0.01,
        "deadline": 5.0,
        "connect_timeout": 2.0,
        "read_timeout": 3.0,
    }
    values.update(changes)
    return FetchOptions(**values)


def only(host: str) -> tuple[ipaddress.IPv4Network]:
    """An allow list of exactly one address."""
    return (ipaddress.IPv4Network(f"{host}/32"),)


class MapResolver:
    """Names to fixed answers (as /etc/hosts would); counts lookups; unknown names fail."""

    def __init__(self, names: dict[str, Sequence[str]] | None = None) -> None:
        self.names = {name: list(answers) for name, answers in (names or {}).items()}
        self.calls: Counter[str] = Counter()

    async def resolve(self, host: str) -> list[str]:
        self.calls[host] += 1
        if host not in self.names:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} not known")
        return list(self.names[host])


class RebindingResolver:
    """Answers each lookup of a name with the next of its answer lists, in a cycle."""

    def __init__(self, names: dict[str, Sequence[Sequence[str]]]) -> None:
        self.names = {name: [list(a) for a in answers] for name, answers in names.items()}
        self.calls: Counter[str] = Counter()

    async def resolve(self, host: str) -> list[str]:
        answers = self.names.get(host)
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} not known")
        answer = answers[self.calls[host] % len(answers)]
        self.calls[host] += 1
        return answer


class LoopbackOnlyBackend(httpcore.AsyncNetworkBackend):
    """httpcore's backend, refusing (and remembering) any non-loopback address.

    A safety net under the dialer: whatever a bug let through, no test traffic
    leaves the machine, and ``violations`` makes the test fail loudly.
    """

    def __init__(self) -> None:
        self._backend = httpcore.AnyIOBackend()
        self.violations: list[str] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        if not ipaddress.ip_address(host).is_loopback:
            self.violations.append(host)
            raise httpcore.ConnectError(f"test refused to dial {host}")
        return await self._backend.connect_tcp(host, port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._backend.sleep(seconds)


@contextlib.asynccontextmanager
async def fetcher(
    archive: WarcArchive | None = None,
    *,
    resolver: Resolver | None = None,
    **changes: Any,
) -> AsyncIterator[Fetcher]:
    """A fetcher with test options, over the loopback-only backend."""
    backend = LoopbackOnlyBackend()
    options = loopback_options(**changes)
    async with Fetcher(options, archive=archive, resolver=resolver, network_backend=backend) as f:
        yield f
    assert backend.violations == [], f"tried to dial non-loopback {backend.violations}"


def warc_check(paths: Iterable[Path]) -> None:
    """Run ``warcio check`` (the CLI) on every file; fail on any problem."""
    files = [str(path) for path in paths]
    assert files, "no WARC file was written"
    done = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", *files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"warcio check failed:\n{done.stdout}\n{done.stderr}"
    assert "fail" not in done.stdout.lower(), done.stdout


def records(paths: Iterable[Path]) -> list[Any]:
    """Every WARC record's headers (rec_type, rec_headers, http_headers), in order."""
    from warcio.archiveiterator import ArchiveIterator

    found = []
    for path in paths:
        with open(path, "rb") as file:
            for record in ArchiveIterator(file):
                found.append((record.rec_type, record.rec_headers, record.http_headers))
    return found
