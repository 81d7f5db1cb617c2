"""The crawler's tables and queries, on SQLite and PostgreSQL (migration 0002)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from provenance.service import Service
from provenance.storage import crawl_repository as crawl
from provenance.storage import repository as repo
from provenance.storage.db import _MIGRATIONS, connect
from provenance.storage.tables import Article

T0 = datetime(2024, 5, 17, 8, 0, tzinfo=UTC)


@pytest.fixture
def service(db_url: str) -> Iterator[Service]:
    svc = Service(db_url)
    try:
        yield svc
    finally:
        svc.close()


def _capture(
    url: str, sha: str, *, at: datetime = T0, requested: str | None = None, purpose: str = "page"
) -> crawl.CaptureFields:
    return crawl.CaptureFields(
        url=url,
        url_norm=url,
        requested_url_norm=requested or url,
        fetched_at=at,
        status=200,
        content_type="text/html",
        warc_path="/warc/a.warc.gz",
        warc_offset=10 * 1024**3,  # past 2 GiB: the columns are 64-bit
        warc_length=1234,
        payload_sha256=sha,
        content_sha256=sha,
        purpose=purpose,
    )


def _article(session: Session, url: str, outlet_id: int, canonical: str | None = None) -> Article:
    article = Article(
        url=url,
        url_norm=url,
        canonical_url=canonical,
        outlet_id=outlet_id,
        content_sha256="x",
        blocks=[],
        dates=[],
        declared_sources=[],
        links=[],
    )
    session.add(article)
    session.flush()
    return article


def test_migration_creates_the_tables_and_downgrades(db_url: str) -> None:
    engine, _ = connect(db_url)
    try:
        config = Config()
        config.set_main_option("script_location", str(_MIGRATIONS))
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        names = set(inspect(engine).get_table_names())
        assert {"feed", "capture", "fetch_failure"} <= names
        columns = {c["name"] for c in inspect(engine).get_columns("capture")}
        assert {"article_id", "warc_path", "warc_offset", "payload_sha256", "purpose"} <= columns
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0001")
        names = set(inspect(engine).get_table_names())
        assert not {"feed", "capture", "fetch_failure"} & names and "article" in names
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
        assert "feed" in inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_feeds_register_once_and_fall_due(service: Service) -> None:
    with service.sessions.begin() as session:
        outlet = crawl.set_outlet(session, domain="wire.test", name="Wire")
        renamed = crawl.set_outlet(session, domain="wire.test", name="The Wire")
        assert renamed.id == outlet.id and renamed.name == "The Wire"
        a, created = crawl.add_feed(
            session, url="http://wire.test/rss", outlet_id=outlet.id, kind="rss"
        )
        again, created_again = crawl.add_feed(
            session, url="http://wire.test/rss", outlet_id=outlet.id, kind="atom"
        )
        assert created and not created_again and again.id == a.id and again.kind == "rss"
        b, _ = crawl.add_feed(
            session, url="http://wire.test/sitemap.xml", outlet_id=outlet.id, kind="sitemap"
        )
        c, _ = crawl.add_feed(
            session, url="http://wire.test/atom", outlet_id=outlet.id, kind="atom"
        )
        assert crawl.next_due_at(session) is None
        crawl.record_poll(
            session,
            b,
            crawl.PollRecord(
                polled_at=T0,
                status="ok",
                interval=600,
                next_poll_at=T0 + timedelta(minutes=10),
                etag='"v1"',
                last_modified="Fri, 17 May 2024 08:00:00 GMT",
                new_items=4,
                title="Map",
            ),
        )
        crawl.record_poll(
            session,
            c,
            crawl.PollRecord(
                polled_at=T0, status="ok", interval=60, next_poll_at=T0 + timedelta(minutes=1)
            ),
        )
    with service.sessions.begin() as session:
        due_now = [f.url for f in crawl.due_feeds(session, now=T0)]
        assert due_now == ["http://wire.test/rss"]
        later = [f.url for f in crawl.due_feeds(session, now=T0 + timedelta(hours=1))]
        assert later == [
            "http://wire.test/rss",
            "http://wire.test/atom",
            "http://wire.test/sitemap.xml",
        ]
        nxt = crawl.next_due_at(session)
        assert nxt == T0 + timedelta(minutes=1) and nxt.tzinfo is not None
        feed = crawl.feed_by_url(session, "http://wire.test/sitemap.xml")
        assert feed is not None and feed.etag == '"v1"' and feed.items_seen == 4
        assert feed.title == "Map" and feed.poll_interval_s == 600
        crawl.record_poll(
            session,
            feed,
            crawl.PollRecord(
                polled_at=T0, status="not_modified", interval=900, next_poll_at=T0, new_items=0
            ),
        )
        assert feed.etag == '"v1"'  # a 304 keeps the validators
        listed = crawl.feeds_with_outlets(session)
        assert [o.name for _, o in listed] == ["The Wire"] * 3


def test_captures_are_versions_and_link_to_articles(service: Service) -> None:
    url = "http://wire.test/a.html"
    with service.sessions.begin() as session:
        outlet = repo.get_or_create_outlet(session, domain="wire.test", name="Wire")
        first = crawl.add_capture_version(session, _capture(url, "1" * 64))
        assert first is not None and first.article_id is None
        same = crawl.add_capture_version(
            session, _capture(url, "1" * 64, at=T0 + timedelta(hours=1))
        )
        assert same is None
        feed_copy = crawl.add_capture_version(session, _capture(url, "1" * 64, purpose="feed"))
        assert feed_copy is not None  # versions are per purpose
        article = _article(session, url, outlet.id)
        crawl.link_captures(session, [url])
        session.refresh(first)
        assert first.article_id == article.id
        second = crawl.add_capture_version(
            session, _capture(url, "2" * 64, at=T0 + timedelta(hours=2))
        )
        assert second is not None and second.article_id == article.id
        back = crawl.add_capture_version(
            session, _capture(url, "1" * 64, at=T0 + timedelta(hours=3))
        )
        assert back is not None  # changed back: still a new version, never a rewrite
    with service.sessions() as session:
        versions = crawl.captures_of(session, url)
        assert [c.payload_sha256[0] for c in versions if c.purpose == "page"] == ["1", "2", "1"]
        assert versions[0].warc_offset == 10 * 1024**3


def test_captures_of_follows_redirects_and_canonical_links(service: Service) -> None:
    with service.sessions.begin() as session:
        outlet = repo.get_or_create_outlet(session, domain="wire.test", name="Wire")
        crawl.add_capture_version(
            session,
            _capture("http://wire.test/final.html", "a" * 64, requested="http://wire.test/short"),
        )
        _article(
            session, "http://wire.test/amp.html", outlet.id, canonical="http://wire.test/story"
        )
        crawl.add_capture_version(session, _capture("http://wire.test/amp.html", "b" * 64))
    with service.sessions() as session:
        assert len(crawl.captures_of(session, "http://wire.test/short")) == 1
        assert len(crawl.captures_of(session, "http://wire.test/final.html")) == 1
        assert [c.url for c in crawl.captures_of(session, "http://wire.test/story")] == [
            "http://wire.test/amp.html"
        ]
        assert crawl.captures_of(session, "http://wire.test/none") == []


def test_failures_count_attempts_and_decide_what_is_seen(service: Service) -> None:
    urls = [f"http://wire.test/{n}" for n in ("ok", "bomb", "slow", "new", "redirected", "stored")]
    with service.sessions.begin() as session:
        outlet = repo.get_or_create_outlet(session, domain="wire.test", name="Wire")
        crawl.add_capture_version(session, _capture(urls[0], "c" * 64))
        crawl.add_capture_version(
            session, _capture("http://wire.test/target", "d" * 64, requested=urls[4])
        )
        _article(session, urls[5], outlet.id)
        crawl.record_failure(
            session,
            url=urls[1],
            url_norm=urls[1],
            purpose="page",
            error_type="BodyTooLargeError",
            reason="over the cap",
            retryable=False,
            now=T0,
        )
        for attempt in range(2):
            failure = crawl.record_failure(
                session,
                url=urls[2],
                url_norm=urls[2],
                purpose="page",
                error_type="FetchTimeoutError",
                reason=f"slow {attempt}",
                retryable=True,
                now=T0 + timedelta(minutes=attempt),
            )
        assert failure.attempts == 2 and failure.reason == "slow 1"
        assert failure.first_failed_at == T0
    with service.sessions.begin() as session:
        seen = crawl.seen_urls(session, urls, max_attempts=3)
        assert seen == {urls[0], urls[1], urls[4], urls[5]}
        assert urls[2] in crawl.seen_urls(session, urls, max_attempts=2)
        assert [f.url for f in crawl.failures(session)] == [urls[2], urls[1]]
        crawl.clear_failure(session, urls[2])
        crawl.clear_failure(session, "http://wire.test/never-failed")
    with service.sessions() as session:
        assert [f.url for f in crawl.failures(session)] == [urls[1]]
        many = [f"http://wire.test/p{i}" for i in range(1200)]  # past the query chunk size
        assert crawl.seen_urls(session, many, max_attempts=3) == set()
