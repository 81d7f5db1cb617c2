"""Politeness: one request at a time per host, delays, Retry-After, retries, 304s."""

from __future__ import annotations

import asyncio
import email.utils
import itertools
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import pytest

from provenance.errors import FetchStatusError
from provenance.fetch.politeness import parse_retry_after
from tests.fetch.support import fetcher
from tests.fetch.web import Request, Web, respond

pytestmark = pytest.mark.anyio

Handler = Callable[[Request, asyncio.StreamWriter], Awaitable[None]]


def _slow(seconds: float, body: str = "<html>slow</html>") -> Handler:
    answer = respond(200, body)

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(seconds)
        await answer(request, writer)

    return handler


def _sequence(*handlers: Handler) -> Handler:
    """Answer the n-th request with the n-th handler (the last one repeats)."""
    calls = 0

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        nonlocal calls
        calls += 1
        await handlers[min(calls, len(handlers)) - 1](request, writer)

    return handler


async def test_one_host_is_spaced_by_the_delay_and_never_concurrent(web: Web) -> None:
    site = web.site()
    site.route("/a", _slow(0.1))
    site.route("/b", _slow(0.1))
    async with fetcher(host_delay=0.3) as f:
        await asyncio.gather(f.fetch(site.url("/a")), f.fetch(site.url("/b")))
    requests = sorted(site.requests, key=lambda r: r.started)
    assert requests[0].path == "/robots.txt"
    for before, after in itertools.pairwise(requests):
        assert after.started >= before.ended, "two requests to one host overlapped"
        assert after.started - before.ended >= 0.3 - 0.02


async def test_different_hosts_run_concurrently(web: Web) -> None:
    sites = list(web.sites(3))
    for site in sites:
        site.route("/a", _slow(0.5))
    async with fetcher(host_delay=5.0) as f:
        for site in sites:  # robots.txt first, so the delay is not what is measured
            assert await f.allowed(site.url("/a"))
        started = time.monotonic()
        await asyncio.gather(*(f.fetch(site.url("/a")) for site in sites))
    # host_delay applies between two requests to one host; the first request waits only
    # for the delay after robots.txt, which is the same for every host.
    pages = [next(r for r in s.requests if r.path == "/a") for s in sites]
    assert max(p.started for p in pages) < min(p.ended for p in pages), (
        "hosts waited for each other"
    )
    assert time.monotonic() - started < 5.0 + 1.2


async def test_retry_after_in_seconds(web: Web) -> None:
    site = web.site()
    site.route(
        "/a",
        _sequence(
            respond(429, "slow down", headers=[("Retry-After", "1")]),
            respond(200, "<html>now</html>"),
        ),
    )
    async with fetcher() as f:
        result = await f.fetch(site.url("/a"))
        assert f.stats.retries == 1
    first, second = [r for r in site.requests if r.path == "/a"]
    assert result.text == "<html>now</html>"
    assert second.started - first.ended >= 1.0 - 0.05


async def test_retry_after_as_an_http_date(web: Web) -> None:
    site = web.site()
    when = email.utils.format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    site.route(
        "/a",
        _sequence(
            respond(503, "busy", headers=[("Retry-After", when)]), respond(200, "<html>now</html>")
        ),
    )
    async with fetcher() as f:
        result = await f.fetch(site.url("/a"))
    first, second = [r for r in site.requests if r.path == "/a"]
    assert result.status == 200
    assert second.started - first.ended >= 0.9  # the date has one-second resolution


async def test_retry_after_over_the_cap_fails_without_waiting(web: Web) -> None:
    site = web.site()
    site.route("/a", respond(429, "later", headers=[("Retry-After", "3600")]))
    async with fetcher(crawl_delay_cap=5.0) as f:
        started = time.monotonic()
        with pytest.raises(FetchStatusError, match="Retry-After 3600 s is over the cap") as caught:
            await f.fetch(site.url("/a"))
    assert caught.value.status == 429
    assert time.monotonic() - started < 2.0
    assert [r.path for r in site.requests].count("/a") == 1


async def test_503_then_200_is_retried(web: Web, archive: object) -> None:
    site = web.site()
    site.route("/a", _sequence(respond(503, "busy"), respond(200, "<html>fine</html>")))
    async with fetcher() as f:
        result = await f.fetch(site.url("/a"))
        assert f.stats.retries == 1
        assert f.stats.archived == 0  # no archive given
    assert result.text == "<html>fine</html>"


async def test_persistent_5xx_gives_up_after_the_retries(web: Web) -> None:
    site = web.site()
    site.page("/a", "<html>down</html>", status=500)
    async with fetcher(max_retries=2) as f:
        with pytest.raises(FetchStatusError, match="HTTP 500") as caught:
            await f.fetch(site.url("/a"))
    assert caught.value.status == 500
    assert site.paths().count("/a") == 3


async def test_404_is_not_retried(web: Web) -> None:
    site = web.site()
    async with fetcher() as f:
        with pytest.raises(FetchStatusError) as caught:
            await f.fetch(site.url("/missing"))
    assert caught.value.status == 404
    assert site.paths().count("/missing") == 1


async def test_conditional_get_gives_not_modified(web: Web) -> None:
    site = web.site()
    etag, modified = '"v1"', "Mon, 01 Jan 2024 00:00:00 GMT"
    fresh = respond(200, "<html>v1</html>", headers=[("ETag", etag), ("Last-Modified", modified)])
    unchanged = respond(304, b"", content_type=None, headers=[("ETag", etag)])

    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        if request.headers.get("if-none-match") == etag:
            await unchanged(request, writer)
        else:
            await fresh(request, writer)

    site.route("/a", handler)
    async with fetcher() as f:
        first = await f.fetch(site.url("/a"))
        second = await f.fetch(site.url("/a"), etag=first.etag, last_modified=first.last_modified)
        assert f.stats.not_modified == 1
    assert (first.etag, first.last_modified, first.not_modified) == (etag, modified, False)
    assert second.not_modified and second.status == 304 and second.body == b""
    conditional = site.requests[-1].headers
    assert conditional["if-none-match"] == etag
    assert conditional["if-modified-since"] == modified


async def test_unasked_304_is_an_error(web: Web) -> None:
    site = web.site()
    site.page("/a", b"", status=304, content_type=None)
    async with fetcher() as f:
        with pytest.raises(FetchStatusError):
            await f.fetch(site.url("/a"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 0 ", 0.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("soon", None),
        (None, None),
        ("-5", None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


def test_parse_retry_after_future_date() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_retry_after("Mon, 01 Jan 2024 00:01:30 GMT", now=now) == 90.0
