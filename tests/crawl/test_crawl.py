"""End to end: the real CLI registers, crawls, fetches and exports a loopback news web.

The tests of this module run in order on one crawl of one fixture web: the first
crawl, then a second one that must fetch nothing new, then changed pages, then the
evidence export.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from provenance.service import Service
from provenance.storage import crawl_repository as crawl_repo
from provenance.storage.tables import Article, Capture, Feed, FetchFailure
from tests.crawl.conftest import Cli, crawler_env, warc_check
from tests.crawl.outlets import FLOOD, NewsWeb, article, set_metro_sitemap

FLOOD_ORIGIN = "/2024/05/17/flood.html"
ELECTION_ORIGIN = "/2024/05/19/election.html"


@dataclass
class Crawled:
    cli: Cli
    news: NewsWeb
    first: str  # output of the first crawl
    registered: dict[str, str]  # outlet name -> output of `outlets add`


@pytest.fixture(scope="module")
def crawled(news: NewsWeb, tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    workdir = tmp_path_factory.mktemp("crawl")
    cli = Cli(workdir, crawler_env(workdir, f"sqlite:///{workdir}/provenance.sqlite"))
    registered = {o.name: cli("outlets", "add", o.url("/"), "--name", o.name) for o in news.good}
    for outlet in (news.bomb, news.loop, news.robots500):
        registered[outlet.name] = cli("outlets", "add", outlet.url("/"), "--name", outlet.name)
    cli("feeds", "add", news.robots500.url("/rss.xml"))  # unreachable now, kept unverified
    cli("feeds", "add", news.laughs.url("/rss.xml"))
    first = cli("crawl", "--once")
    return Crawled(cli, news, first, registered)


def _by_origin(docs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {doc["origin_url"]: doc for doc in docs}


def _session(cli: Cli) -> Any:
    return Service(cli.db_url).sessions()


def test_outlets_add_discovers_links_robots_sitemaps_and_indexes(crawled: Crawled) -> None:
    news = crawled.news
    assert news.wire.url("/rss.xml") in crawled.registered["Wire Service"]
    assert news.wire.url("/news-sitemap.xml") in crawled.registered["Wire Service"]
    assert "sitemapindex" in crawled.registered["Metro Herald"]
    # No feed link on Metro's home page: the usual paths were tried, and 404'd.
    assert "/feed" in news.metro.paths() and "/rss.xml" in news.metro.paths()
    with _session(crawled.cli) as session:
        feeds = {f.url: f for f, _ in crawl_repo.feeds_with_outlets(session)}
    assert feeds[news.courier.url("/atom.xml")].kind == "atom"
    assert feeds[news.post.url("/rdf")].kind == "rss"
    # The index's child sitemap was registered and polled in the same crawl.
    child = feeds[news.metro.url("/sitemap-2024-05.xml")]
    assert child.kind == "sitemap" and child.last_status == "ok"
    listing = crawled.cli("feeds", "list")
    assert "Wire Service" in listing and "Coast Gazette" in listing


def test_first_crawl_yields_the_expected_stories_and_origins(crawled: Crawled) -> None:
    news = crawled.news
    stories = _by_origin(crawled.cli.export())
    flood = stories[news.wire.url(FLOOD_ORIGIN)]
    assert flood["origin_outlet"] == "Wire Service"
    assert {a["url"] for a in flood["articles"]} == {
        news.wire.url(FLOOD_ORIGIN),
        news.courier.url("/news/flood-copy.html"),
        news.metro.url("/city/river.html"),
    }
    election = stories[news.wire.url(ELECTION_ORIGIN)]
    assert election["origin_outlet"] == "Wire Service"
    assert {a["url"] for a in election["articles"]} == {
        news.wire.url(ELECTION_ORIGIN),
        news.post.url("/politics/recount.html"),
        news.gazette.url("/election.html"),
    }
    for story in (flood, election):
        assert story["size"] == 3 and story["confidence"] > 0.5
        assert all(a["fetched_at"] for a in story["articles"])
    # Singletons: the gazette's own story (windows-1252), and the good pages
    # that sat beside a gzip bomb and a redirect loop.
    singles = {url for url, doc in stories.items() if doc["size"] == 1}
    assert {
        news.gazette.url("/harbour.html"),
        news.bomb.url("/fine.html"),
        news.loop.url("/library.html"),
    } <= singles
    assert len(stories) == 5
    harbour = stories[news.gazette.url("/harbour.html")]["articles"][0]
    assert harbour["title"] == "Lighthouse cottage restored"


def test_feed_and_sitemap_dates_are_kept_as_evidence(crawled: Crawled) -> None:
    with _session(crawled.cli) as session:
        wire = session.scalar(select(Article).where(Article.url_norm.like("%flood.html")))
        assert wire is not None
        details = [d["detail"] for d in wire.dates if d["source"] == "feed"]
    assert any("pubDate" in d for d in details)
    assert any("news:publication_date" in d for d in details)


def test_hostile_outlets_fail_with_recorded_reasons(crawled: Crawled) -> None:
    news = crawled.news
    with _session(crawled.cli) as session:
        failures = {f.url: f for f in session.scalars(select(FetchFailure))}
        feeds = {f.url: f for f in session.scalars(select(Feed))}
    bomb = failures[news.bomb.url("/bomb.html")]
    assert bomb.error_type in ("BodyTooLargeError", "ContentDecodingError")
    assert not bomb.retryable
    loop = failures[news.loop.url("/loop-a")]
    assert loop.error_type == "RedirectError" and loop.reason
    robots_feed = feeds[news.robots500.url("/rss.xml")]
    assert robots_feed.last_status == "error"
    assert robots_feed.last_error and "RobotsDisallowedError" in robots_feed.last_error
    # Nothing but robots.txt was asked of the host whose robots.txt fails.
    assert set(news.robots500.paths()) == {"/robots.txt"}
    laughs = feeds[news.laughs.url("/rss.xml")]
    assert laughs.last_status in ("ok", "error") and laughs.last_polled_at is not None
    assert "failure" in crawled.first  # the CLI summed them up


def test_every_warc_written_passes_warcio_check(crawled: Crawled) -> None:
    files = sorted((crawled.cli.workdir / "data" / "warc").glob("*.warc.gz"))
    warc_check(files)


def test_second_crawl_fetches_nothing_new(crawled: Crawled) -> None:
    news = crawled.news
    before = {o.name: len(o.paths()) for o in news.good}
    pages_before = {p: len(d.hits) for o in news.good for p, d in o.docs.items()}
    output = crawled.cli("crawl", "--once")
    assert "0 new article(s)" in output and "fetched 0 page(s)" in output
    assert "not modified" in output
    for outlet in news.good:
        asked = outlet.paths()[before[outlet.name] :]
        assert all(not p.endswith(".html") for p in asked), (outlet.name, asked)
    # Feeds with validators were asked conditionally and answered 304.
    rss = news.wire.docs["/rss.xml"].hits[-1]
    assert rss.headers.get("if-none-match") == news.wire.docs["/rss.xml"].etag
    assert len(news.bomb.site.routes) and news.bomb.paths().count("/bomb.html") == 1
    assert pages_before  # the article documents exist


def test_changed_page_refetched_is_a_new_capture_version(crawled: Crawled) -> None:
    news, cli = crawled.news, crawled.cli
    url = news.courier.url("/news/flood-copy.html")
    news.courier.docs["/news/flood-copy.html"].set(
        article(
            "Daily Courier",
            "Flooding in the lower town (updated)",
            [
                *FLOOD,
                "Correction: the bridge reopened at noon, not in the evening as first reported.",
            ],
            published="2024-05-17T10:30:00Z",
            source="Source: Wire Service",
        )
    )
    output = cli("fetch", url)
    assert "new version" in output and "Wire Service" in output  # its story, traced
    again = cli("fetch", url)  # unchanged since: no further version
    assert "new version" not in again
    # A sitemap's newer lastmod makes the crawler re-fetch a page on its own.
    news.metro.docs["/city/river.html"].set(news.metro.docs["/city/river.html"].body + b"<!-- -->")
    changed_at = datetime.now(UTC) + timedelta(minutes=1)  # after the first capture
    set_metro_sitemap(news.metro, changed_at.isoformat())
    cli("crawl", "--once")
    with _session(cli) as session:
        courier = crawl_repo.captures_of(session, url)
        metro = crawl_repo.captures_of(session, news.metro.url("/city/river.html"))
        article_row = session.scalar(select(Article).where(Article.url == url))
    assert [c.purpose for c in courier] == ["page", "page"]
    assert courier[0].payload_sha256 != courier[1].payload_sha256
    assert courier[0].fetched_at < courier[1].fetched_at
    assert len([c for c in metro if c.purpose == "page"]) == 2
    assert article_row is not None and "(updated)" not in (article_row.title or "")
    assert all(c.article_id == article_row.id for c in courier)


def test_evidence_writes_every_version_as_a_valid_warc(crawled: Crawled, tmp_path: Path) -> None:
    url = crawled.news.courier.url("/news/flood-copy.html")
    out = tmp_path / "a.warc.gz"
    output = crawled.cli("evidence", url, "-o", str(out))
    assert "2 capture(s)" in output
    report = warc_check([out])
    assert report is not None
    raw = gzip.decompress(out.read_bytes())
    assert raw.count(b"WARC-Type: response") == 2 and raw.count(b"WARC-Type: warcinfo") == 1
    assert b"Correction: the bridge reopened" in raw
    crawled.cli("evidence", url, "-o", str(out), code=2)  # never overwritten
    crawled.cli("evidence", crawled.news.wire.url("/never.html"), "-o", str(tmp_path / "b"), code=1)


def test_fetch_of_an_unreachable_page_is_a_clear_failure(crawled: Crawled) -> None:
    output = crawled.cli("fetch", crawled.news.loop.url("/loop-a"), code=1)
    assert "RedirectError" in output
    crawled.cli("crawl", code=2)  # neither --once nor --watch
    with _session(crawled.cli) as session:
        assert session.scalar(select(Capture).where(Capture.url.like("%loop-a"))) is None
