"""One HTTP exchange: send, read the body within caps and the deadline, archive.

The deadline is an ``asyncio.timeout`` around the whole exchange (connection,
request, headers and every body byte), because httpx's timeouts are per
operation: a server sending one byte every few seconds never trips a read
timeout, yet would hold the fetch forever.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from provenance.errors import (
    BodyTooLargeError,
    ContentDecodingError,
    FetchConnectionError,
    FetchError,
    FetchTimeoutError,
    URLRefusedError,
)
from provenance.fetch.archive import Exchange, WarcArchive
from provenance.fetch.body import BodyReader, parse_encodings
from provenance.fetch.guard import IPAddress
from provenance.fetch.options import FetchOptions, FetchStats
from provenance.raw_record import CaptureRef

__all__ = ["Response", "Target", "parse_target", "read_response"]

_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True, slots=True)
class Target:
    """A URL we will fetch, with its host (politeness key) and origin (robots.txt key)."""

    url: httpx.URL
    host: str
    origin: str


def parse_target(url: str) -> Target:
    """Check that ``url`` is an http(s) URL we fetch, and split out host and origin.

    Raises:
        URLRefusedError: Not http(s), no host, credentials in it, a bad port, or
            unparseable.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise URLRefusedError(f"not a usable URL: {exc}", url=url) from None
    if parsed.scheme not in _SCHEMES:
        shown = parsed.scheme or "(none)"
        raise URLRefusedError(f"scheme {shown} is not fetched, only http and https", url=url)
    if not parsed.host:
        raise URLRefusedError("the URL has no host", url=url)
    if parsed.userinfo:
        # http://good.test@127.0.0.1/ reads as good.test but goes to 127.0.0.1; news
        # URLs never carry credentials, so such a URL is refused outright.
        raise URLRefusedError("credentials (user@host) in a URL are not fetched", url=url)
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise URLRefusedError(f"port {parsed.port} is out of range", url=url)
    origin = f"{parsed.scheme}://{parsed.netloc.decode('ascii')}"
    return Target(parsed.copy_with(fragment=None), parsed.host, origin)


@dataclass(slots=True)
class Response:
    """A response read and archived, not yet judged.

    Attributes:
        body_error: A cap or decoding failure while reading the body; the body is
            then partial. Raised for a success status, ignored for others.
        note: Why a retryable status was not retried (a Retry-After over the cap).
    """

    url: str
    status: int
    reason: str
    headers: httpx.Headers
    body: bytes
    ip: str
    http_version: str
    fetched_at: datetime
    capture: CaptureRef | None
    body_error: FetchError | None = None
    note: str | None = None


@dataclass(slots=True)
class _Partial:
    """What has arrived so far, kept outside the deadline's scope."""

    response: httpx.Response | None = None
    fetched_at: datetime | None = None
    reader: BodyReader | None = None
    complete: bool = False
    body_error: FetchError | None = None


async def read_response(
    transport: httpx.AsyncBaseTransport,
    request: httpx.Request,
    address: IPAddress,
    purpose: str,
    options: FetchOptions,
    archive: WarcArchive | None,
    stats: FetchStats,
) -> Response:
    """Send ``request`` and read its response within the deadline and the caps.

    Raises:
        FetchTimeoutError: The deadline, or an httpx timeout, passed.
        FetchConnectionError: The connection failed or the protocol broke.
    """
    state = _Partial()
    url = str(request.url)
    try:
        async with asyncio.timeout(options.deadline):
            await _receive(transport, request, purpose, options, state, stats)
    except TimeoutError:
        stats.timeouts += 1
        received = len(state.reader.raw) if state.reader else 0
        raise FetchTimeoutError(
            f"no complete response within the {options.deadline:g} s deadline"
            f" ({received} body bytes received)",
            url=url,
            capture=_archive(state, address, archive, stats, "time"),
        ) from None
    except httpx.TimeoutException as exc:
        stats.timeouts += 1
        raise FetchTimeoutError(
            f"{_describe(exc)} (connect {options.connect_timeout:g} s,"
            f" read {options.read_timeout:g} s)",
            url=url,
            capture=_archive(state, address, archive, stats, "time"),
        ) from None
    except httpx.HTTPError as exc:
        raise FetchConnectionError(
            _describe(exc),
            url=url,
            capture=_archive(state, address, archive, stats, "disconnect"),
        ) from None
    return _finished(state, address, archive, stats)


async def _receive(
    transport: httpx.AsyncBaseTransport,
    request: httpx.Request,
    purpose: str,
    options: FetchOptions,
    state: _Partial,
    stats: FetchStats,
) -> None:
    response = await transport.handle_async_request(request)
    response.request = request
    state.response = response
    state.fetched_at = datetime.now(UTC)
    stats.responses += 1
    try:
        await _read_body(response, purpose, options, state, stats)
    finally:
        await response.aclose()


async def _read_body(
    response: httpx.Response,
    purpose: str,
    options: FetchOptions,
    state: _Partial,
    stats: FetchStats,
) -> None:
    max_raw, max_decoded = options.max_body_bytes, options.max_decoded_bytes
    if purpose == "robots":
        max_raw = max_decoded = options.robots_max_bytes
    try:
        codings = parse_encodings(response.headers.get("content-encoding"))
    except ContentDecodingError as exc:
        state.body_error, codings = exc, []  # the raw bytes are still kept as evidence
    reader = state.reader = BodyReader(codings, max_raw=max_raw, max_decoded=max_decoded)
    declared = _content_length(response)
    # robots.txt over the cap is read up to it (RFC 9309 asks for the first 500 KiB).
    if declared is not None and declared > max_raw and purpose != "robots":
        state.body_error = BodyTooLargeError(
            f"Content-Length {declared} is over the cap of {max_raw} bytes; not read"
        )
        reader.truncated = "length"
        return
    try:
        async for chunk in response.aiter_raw():
            stats.bytes_raw += len(chunk)
            reader.feed(chunk)
        reader.finish()
        state.complete = True
    except (BodyTooLargeError, ContentDecodingError) as exc:
        state.body_error = state.body_error or exc


def _content_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length", "").split(",")[0].strip()
    return int(value) if value.isdigit() else None


def _finished(
    state: _Partial, address: IPAddress, archive: WarcArchive | None, stats: FetchStats
) -> Response:
    assert state.response is not None and state.reader is not None and state.fetched_at
    truncated = None if state.complete else (state.reader.truncated or "unspecified")
    body = state.reader.decoded  # copied out once, for the archive and the result
    capture = _archive(state, address, archive, stats, truncated, decoded=body)
    stats.bytes_decoded += len(body)
    response = state.response
    return Response(
        url=str(response.request.url),
        status=response.status_code,
        reason=response.reason_phrase,
        headers=response.headers,
        body=body,
        ip=_peer(response, address),
        http_version=response.http_version,
        fetched_at=state.fetched_at,
        capture=capture,
        body_error=state.body_error,
    )


def _archive(
    state: _Partial,
    address: IPAddress,
    archive: WarcArchive | None,
    stats: FetchStats,
    truncated: str | None,
    *,
    decoded: bytes | None = None,
) -> CaptureRef | None:
    """Archive what arrived (nothing, if not even the headers did)."""
    response = state.response
    if archive is None or response is None or state.fetched_at is None:
        return None
    reader = state.reader
    raw = bytes(reader.raw) if reader is not None else b""
    if decoded is None:
        decoded = reader.decoded if reader is not None else b""
    request = response.request
    exchange = Exchange(
        url=str(request.url),
        ip=_peer(response, address),
        method=request.method,
        target=request.url.raw_path.decode("ascii"),
        request_headers=_latin1(request.headers.raw),
        http_version=response.http_version,
        status=response.status_code,
        reason=response.reason_phrase,
        response_headers=_latin1(response.headers.raw),
        body=raw,
        payload_sha256=hashlib.sha256(decoded).hexdigest(),
        fetched_at=state.fetched_at,
        truncated=truncated if truncated or state.complete else "unspecified",
    )
    capture = archive.write_exchange(exchange)
    stats.archived += 1
    return capture


def _latin1(pairs: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    # Header bytes are opaque octets (RFC 9110); latin-1 maps each one to itself.
    return [(key.decode("latin-1"), value.decode("latin-1")) for key, value in pairs]


def _peer(response: httpx.Response, address: IPAddress) -> str:
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if isinstance(peer, tuple) and peer:
        return str(peer[0])
    return str(address)


def _describe(exc: httpx.HTTPError) -> str:
    text = str(exc).strip() or "no detail"
    return f"{type(exc).__name__}: {text}"
