"""robots.txt per RFC 9309: rules, unavailable and unreachable files, caching, delays."""

from __future__ import annotations

import time

import pytest

from provenance.errors import RobotsDisallowedError
from provenance.fetch import WarcArchive
from tests.fetch.support import fetcher, records
from tests.fetch.web import Web, respond

pytestmark = pytest.mark.anyio

RULES = """User-agent: *
Disallow: /private

User-agent: provenance
Disallow: /no-provenance
Allow: /private/open
"""


async def test_disallowed_urls_are_not_fetched(web: Web) -> None:
    site = web.site()
    site.page("/robots.txt", RULES, content_type="text/plain")
    for path in ("/public", "/private/open", "/no-provenance", "/private/x"):
        site.page(path)
    async with fetcher() as f:
        assert (await f.fetch(site.url("/public"))).status == 200
        # Our group replaces the * group: /private is not disallowed for us.
        assert (await f.fetch(site.url("/private/x"))).status == 200
        with pytest.raises(RobotsDisallowedError, match="disallows"):
            await f.fetch(site.url("/no-provenance"))
        assert not await f.allowed(site.url("/no-provenance"))
        assert await f.allowed(site.url("/private/open"))
        assert f.stats.robots_blocked == 1
        assert f.stats.robots_fetched == 1  # cached for every later check
    assert "/no-provenance" not in site.paths()


async def test_robots_404_allows_everything(web: Web) -> None:
    site = web.site()
    site.page("/a")
    async with fetcher() as f:
        assert (await f.fetch(site.url("/a"))).status == 200
        assert f.stats.errors == {}


async def test_robots_500_fetches_nothing(web: Web, archive: WarcArchive) -> None:
    site = web.site()
    site.page("/robots.txt", "broken", status=500, content_type="text/plain")
    site.page("/a")
    async with fetcher(archive, max_retries=1) as f:
        with pytest.raises(RobotsDisallowedError, match="unreachable"):
            await f.fetch(site.url("/a"))
        with pytest.raises(RobotsDisallowedError):
            await f.fetch(site.url("/b"))
        assert not await f.allowed(site.url("/a"))
    assert set(site.paths()) == {"/robots.txt"}
    assert site.paths().count("/robots.txt") == 2  # one request and one retry, then cached
    archived = {
        h.get_header("WARC-Target-URI") for k, h, _ in records(archive.paths) if k == "response"
    }
    assert archived == {site.url("/robots.txt")}


async def test_unreachable_robots_blocks_only_briefly(web: Web) -> None:
    site = web.site()
    site.page("/robots.txt", "broken", status=503, content_type="text/plain")
    site.page("/a")
    async with fetcher(max_retries=0, robots_error_ttl=0.3) as f:
        with pytest.raises(RobotsDisallowedError):
            await f.fetch(site.url("/a"))
        site.page("/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        time.sleep(0.35)
        assert (await f.fetch(site.url("/a"))).status == 200


async def test_robots_is_cached_until_its_ttl(web: Web) -> None:
    site = web.site()
    site.page("/robots.txt", "User-agent: *\nDisallow:\n", content_type="text/plain")
    site.page("/a")
    async with fetcher(robots_ttl=0.3) as f:
        await f.fetch(site.url("/a"))
        await f.fetch(site.url("/a"))
        assert site.paths().count("/robots.txt") == 1
        time.sleep(0.35)
        await f.fetch(site.url("/a"))
    assert site.paths().count("/robots.txt") == 2


async def test_crawl_delay_is_honoured(web: Web) -> None:
    site = web.site()
    site.page("/robots.txt", "User-agent: *\nCrawl-delay: 0.4\n", content_type="text/plain")
    site.page("/a")
    site.page("/b")
    async with fetcher(host_delay=0.0) as f:
        first = await f.fetch(site.url("/a"))
        await f.fetch(site.url("/b"))
    assert first.crawl_delay == 0.4
    a, b = (next(r for r in site.requests if r.path == p) for p in ("/a", "/b"))
    assert b.started - a.ended >= 0.4 - 0.02


async def test_crawl_delay_is_capped(web: Web) -> None:
    site = web.site()
    site.page("/robots.txt", "User-agent: *\nCrawl-delay: 3600\n", content_type="text/plain")
    site.page("/a")
    site.page("/b")
    async with fetcher(crawl_delay_cap=0.2) as f:
        started = time.monotonic()
        result = await f.fetch(site.url("/a"))
        await f.fetch(site.url("/b"))
    assert result.crawl_delay == 0.2
    assert time.monotonic() - started < 2.0


async def test_robots_redirect_is_followed(web: Web) -> None:
    site = web.site()
    site.route("/robots.txt", respond(301, "", headers=[("Location", "/real-robots.txt")]))
    site.page("/real-robots.txt", "User-agent: *\nDisallow: /x\n", content_type="text/plain")
    site.page("/a")
    async with fetcher() as f:
        assert await f.allowed(site.url("/a"))
        assert not await f.allowed(site.url("/x"))


async def test_oversized_robots_is_read_in_part(web: Web) -> None:
    site = web.site()
    body = "User-agent: *\nDisallow: /x\n" + "# padding\n" * 100_000
    site.page("/robots.txt", body, content_type="text/plain")
    async with fetcher(robots_max_bytes=64 * 1024) as f:
        assert not await f.allowed(site.url("/x"))
        assert await f.allowed(site.url("/y"))
