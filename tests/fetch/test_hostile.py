"""Hostile and broken servers: each gets a clear error, memory stays bounded,
and a good page beside them is still fetched."""

from __future__ import annotations

import asyncio
import gzip
import time
import tracemalloc
import zlib
from collections.abc import Awaitable, Callable

import brotli
import pytest

from provenance.errors import (
    AddressRefusedError,
    BodyTooLargeError,
    ContentDecodingError,
    FetchStatusError,
    FetchTimeoutError,
    RedirectError,
    URLRefusedError,
)
from provenance.fetch import WarcArchive
from tests.fetch.support import fetcher, records, warc_check
from tests.fetch.web import Request, Site, Web, respond, response_bytes

pytestmark = pytest.mark.anyio

MIB = 1024 * 1024
CAPS = {"max_body_bytes": 1 * MIB, "max_decoded_bytes": 2 * MIB}
BOMB_SIZE = 256 * MIB  # what the gzip bomb expands to
BROTLI_BOMB_SIZE = 1024 * MIB
#: Peak Python memory a bomb fetch may use: the caps, one step, and slack.
MEMORY_BOUND = 12 * MIB


def _zeros_compressed(
    compress: Callable[[bytes], bytes], finish: Callable[[], bytes], size: int
) -> bytes:
    block = bytes(MIB)
    return b"".join(compress(block) for _ in range(size // MIB)) + finish()


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    obj = zlib.compressobj(9, zlib.DEFLATED, 31)
    return _zeros_compressed(obj.compress, obj.flush, BOMB_SIZE)


@pytest.fixture(scope="module")
def brotli_bomb() -> bytes:
    obj = brotli.Compressor(quality=5)
    return _zeros_compressed(obj.process, obj.finish, BROTLI_BOMB_SIZE)


def _drip(
    interval: float, total: int = 100
) -> Callable[[Request, asyncio.StreamWriter], Awaitable[None]]:
    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(
            response_bytes(
                200, [("Content-Type", "text/html"), ("Content-Length", str(total))], length=False
            )
        )
        for _ in range(total):
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(interval)

    return handler


def _stream_without_length(size: int) -> Callable[[Request, asyncio.StreamWriter], Awaitable[None]]:
    async def handler(request: Request, writer: asyncio.StreamWriter) -> None:
        writer.write(response_bytes(200, [("Content-Type", "text/html")], length=False))
        chunk = b"<p>" + b"a" * 65533
        for _ in range(size // len(chunk) + 1):
            writer.write(chunk)
            await writer.drain()

    return handler


async def _bounded(coro: Awaitable[object]) -> tuple[BaseException | None, int]:
    """Run ``coro``; return what it raised and the peak of traced memory meanwhile."""
    tracemalloc.start()
    try:
        await coro
    except Exception as exc:
        error: BaseException | None = exc
    else:
        error = None
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return error, peak


def _truncation(archive: WarcArchive, url: str) -> str | None:
    for kind, headers, _ in records(archive.paths):
        if kind == "response" and headers.get_header("WARC-Target-URI") == url:
            return headers.get_header("WARC-Truncated")
    raise AssertionError(f"{url} was not archived")


async def test_gzip_bomb_stops_at_the_decoded_cap(
    web: Web, archive: WarcArchive, gzip_bomb: bytes
) -> None:
    site = web.site()
    url = site.page("/bomb", gzip_bomb, headers=[("Content-Encoding", "gzip")])
    async with fetcher(archive, **CAPS) as f:
        error, peak = await _bounded(f.fetch(url))
    assert isinstance(error, BodyTooLargeError)
    assert "decompressed" in error.reason
    assert peak < MEMORY_BOUND, f"peak {peak / MIB:.1f} MiB"
    assert error.capture is not None
    assert _truncation(archive, url) is not None
    warc_check(archive.paths)


async def test_brotli_bomb_stops_at_the_decoded_cap(
    web: Web, archive: WarcArchive, brotli_bomb: bytes
) -> None:
    site = web.site()
    url = site.page("/bomb", brotli_bomb, headers=[("Content-Encoding", "br")])
    async with fetcher(archive, **CAPS) as f:
        error, peak = await _bounded(f.fetch(url))
    assert isinstance(error, BodyTooLargeError)
    assert peak < MEMORY_BOUND, f"peak {peak / MIB:.1f} MiB"
    assert len(brotli_bomb) < 10_000  # a gigabyte in a few hundred bytes


async def test_double_encoded_bomb_is_bounded_too(web: Web, gzip_bomb: bytes) -> None:
    site = web.site()
    # gzip applied, then br on top: two chained codings are allowed and both bounded.
    url = site.page(
        "/bomb", brotli.compress(gzip_bomb, quality=1), headers=[("Content-Encoding", "gzip, br")]
    )
    async with fetcher(**CAPS) as f:
        error, peak = await _bounded(f.fetch(url))
    assert isinstance(error, BodyTooLargeError)
    assert peak < MEMORY_BOUND


async def test_two_chained_encodings_decode(web: Web) -> None:
    site = web.site()
    body = b"<html><body>layered</body></html>"
    url = site.page(
        "/two", brotli.compress(gzip.compress(body)), headers=[("Content-Encoding", "gzip, br")]
    )
    async with fetcher() as f:
        result = await f.fetch(url)
    assert result.body == body


@pytest.mark.parametrize(
    ("encoding", "message"),
    [("gzip, gzip, gzip", "3 chained"), ("zstd", "unsupported"), ("gzip", "corrupt")],
)
async def test_bad_encodings_are_refused(web: Web, encoding: str, message: str) -> None:
    site = web.site()
    url = site.page("/e", b"not compressed at all", headers=[("Content-Encoding", encoding)])
    async with fetcher() as f:
        with pytest.raises(ContentDecodingError, match=message):
            await f.fetch(url)


async def test_truncated_gzip_is_an_error(web: Web) -> None:
    site = web.site()
    url = site.page(
        "/t", gzip.compress(b"<html>" + b"x" * 5000)[:-20], headers=[("Content-Encoding", "gzip")]
    )
    async with fetcher() as f:
        with pytest.raises(ContentDecodingError, match="truncated"):
            await f.fetch(url)


async def test_body_over_the_cap_with_content_length_is_not_read(
    web: Web, archive: WarcArchive
) -> None:
    site = web.site()
    url = site.page("/big", b"a" * (2 * MIB))
    async with fetcher(archive, **CAPS) as f:
        with pytest.raises(BodyTooLargeError, match="Content-Length") as caught:
            await f.fetch(url)
        assert f.stats.bytes_raw < MIB
    assert caught.value.capture is not None
    assert _truncation(archive, url) == "length"
    warc_check(archive.paths)


async def test_body_over_the_cap_without_content_length_is_cut(
    web: Web, archive: WarcArchive
) -> None:
    site = web.site()
    site.route("/stream", _stream_without_length(4 * MIB))
    async with fetcher(archive, **CAPS) as f:
        error, peak = await _bounded(f.fetch(site.url("/stream")))
        assert f.stats.bytes_raw < 2 * MIB
    assert isinstance(error, BodyTooLargeError)
    assert "1048576" in error.reason
    assert peak < MEMORY_BOUND
    assert _truncation(archive, site.url("/stream")) == "length"


async def test_slow_drip_is_cut_at_the_deadline(web: Web, archive: WarcArchive) -> None:
    site = web.site()
    site.route("/drip", _drip(0.4))
    async with fetcher(archive, deadline=1.5, read_timeout=3.0) as f:
        started = time.monotonic()
        with pytest.raises(FetchTimeoutError, match="deadline") as caught:
            await f.fetch(site.url("/drip"))
        elapsed = time.monotonic() - started
    assert 1.4 <= elapsed < 3.0
    assert caught.value.capture is not None
    assert _truncation(archive, site.url("/drip")) == "time"
    warc_check(archive.paths)


async def test_redirect_loop_is_reported(web: Web, archive: WarcArchive) -> None:
    site = web.site()
    site.route("/a", respond(302, "", headers=[("Location", "/b")]))
    site.route("/b", respond(301, "", headers=[("Location", site.url("/a"))]))
    async with fetcher(archive) as f:
        with pytest.raises(RedirectError, match="loop"):
            await f.fetch(site.url("/a"))
    assert site.paths() == ["/robots.txt", "/a", "/b"]
    archived = [
        h.get_header("WARC-Target-URI") for k, h, _ in records(archive.paths) if k == "response"
    ]
    assert archived == [site.url("/robots.txt"), site.url("/a"), site.url("/b")]


async def test_too_many_redirects(web: Web) -> None:
    site = web.site()
    for hop in range(7):
        site.route(f"/r{hop}", respond(307, "", headers=[("Location", f"/r{hop + 1}")]))
    site.page("/r7")
    async with fetcher() as f:
        with pytest.raises(RedirectError, match="more than 5 redirects"):
            await f.fetch(site.url("/r0"))
        result = await f.fetch(site.url("/r2"))  # five hops: allowed
    assert result.redirects == tuple(site.url(f"/r{n}") for n in range(2, 7))
    assert result.url == site.url("/r7")


async def test_redirect_to_a_private_address_is_refused_before_connecting(web: Web) -> None:
    site = web.site()
    site.route("/go", respond(302, "", headers=[("Location", "http://10.0.0.1/admin")]))
    async with fetcher() as f:
        with pytest.raises(AddressRefusedError, match=r"10\.0\.0\.1"):
            await f.fetch(site.url("/go"))
        assert f.dialer.attempts["10.0.0.1"] == 0
        assert set(f.dialer.attempts) == {site.host}
        assert f.stats.refused_addresses == 1


@pytest.mark.parametrize(
    "location",
    [
        "ftp://127.0.0.1/file",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "data:text/html,hi",
        "gopher://127.0.0.1:70/",
    ],
)
async def test_redirect_to_another_scheme_is_refused(web: Web, location: str) -> None:
    site = web.site()
    site.route("/go", respond(302, "", headers=[("Location", location)]))
    async with fetcher() as f:
        with pytest.raises(URLRefusedError, match="only http and https"):
            await f.fetch(site.url("/go"))


async def test_redirect_without_location(web: Web) -> None:
    site = web.site()
    url = site.page("/go", "", status=302)
    async with fetcher() as f:
        with pytest.raises(RedirectError, match="without a Location"):
            await f.fetch(url)


async def test_connection_refused_is_retried_then_reported(web: Web) -> None:
    site = web.site()
    port = site.port
    assert site.server is not None
    web.call(_closed(site))
    async with fetcher(max_retries=2) as f:
        from provenance.errors import RobotsDisallowedError

        with pytest.raises(RobotsDisallowedError, match="unreachable"):
            await f.fetch(f"http://{site.host}:{port}/a")
        assert f.stats.retries == 2


async def _closed(site: Site) -> None:
    assert site.server is not None
    site.server.close()
    await site.server.wait_closed()


async def test_good_page_is_fetched_beside_hostile_ones(
    web: Web, archive: WarcArchive, gzip_bomb: bytes
) -> None:
    hostile = web.site()
    hostile.page("/bomb", gzip_bomb, headers=[("Content-Encoding", "gzip")])
    hostile.route("/drip", _drip(0.5))
    hostile.route("/loop", respond(302, "", headers=[("Location", "/loop")]))
    hostile.page("/error", "<html>oops</html>", status=500)
    good = web.site()
    good.page("/article", "<html><body>the good article</body></html>")
    urls = [hostile.url(p) for p in ("/bomb", "/drip", "/loop", "/error")] + [good.url("/article")]
    async with fetcher(archive, deadline=2.0, max_retries=1, **CAPS) as f:
        outcomes = await asyncio.gather(*(f.fetch(u) for u in urls), return_exceptions=True)
    kinds = [type(o) for o in outcomes]
    assert kinds[:4] == [BodyTooLargeError, FetchTimeoutError, RedirectError, FetchStatusError]
    assert not isinstance(outcomes[4], BaseException)
    assert outcomes[4].text == "<html><body>the good article</body></html>"
    assert f.stats.errors == {
        "BodyTooLargeError": 1,
        "FetchTimeoutError": 1,
        "RedirectError": 1,
        "FetchStatusError": 1,
    }
    warc_check(archive.paths)
