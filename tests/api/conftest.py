"""Fixtures of the API tests: the real app served by uvicorn on loopback, over a real database.

``served`` starts :func:`provenance.api.create_app` in a uvicorn server on
127.0.0.1 and a free port, in a background thread, with the settings a test
gives; the fixture web (``news``) is the crawler tests' loopback news web.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from provenance.api import create_app
from provenance.api.tokens import create_token
from provenance.jobs import EmbeddedJobRunner
from provenance.raw_record import RawRecord
from provenance.service import Service
from provenance.settings import Settings
from provenance.storage.db import connect
from tests.crawl.outlets import FLOOD, NewsWeb, build
from tests.fetch.web import Web

#: The fixture web's outlets, on their own loopback addresses (apart from the crawler tests').
HOSTS = [f"127.0.0.{n}" for n in range(31, 40)]


@dataclass
class Served:
    """A running app: its URL, a client, the settings and a token per scope set."""

    url: str
    settings: Settings
    app: Any
    tokens: dict[str, str]

    def client(self, token: str | None = "read") -> httpx.Client:
        """A client of the app, with the named token (``None``: anonymous)."""
        headers = {"Authorization": f"Bearer {self.tokens[token]}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    @property
    def runner(self) -> EmbeddedJobRunner:
        runner: EmbeddedJobRunner = self.app.state.runner
        return runner

    def wait_job(self, job: dict[str, Any], token: str = "read") -> dict[str, Any]:
        """Poll a job until it is finished."""
        with self.client(token) as client:
            for _ in range(300):
                job = client.get(f"/api/jobs/{job['id']}").json()
                if job["status"] in ("done", "failed"):
                    return job
                time.sleep(0.05)
        raise AssertionError(f"job {job['id']} did not finish")


def settings_for(tmp: Path, db_url: str, **extra: Any) -> Settings:
    """Settings for a test app: its own data dir, no host delay, short timeouts."""
    values: dict[str, Any] = {
        "data_dir": tmp / "data",
        "database_url": db_url,
        "host_delay": 0,
        "fetch_deadline": 10,
        "fetch_max_retries": 0,
    }
    return Settings(**(values | extra))


def serve(app: Any) -> Iterator[str]:
    """Run ``app`` in uvicorn on 127.0.0.1 and a free port; yields its base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def make_tokens(db_url: str) -> dict[str, str]:
    """One token per scope set: read, submit (read + submit), admin, and a revoked one."""
    engine, sessions = connect(db_url)
    tokens = {}
    with sessions.begin() as session:
        for name, scopes in {
            "read": ["read"],
            "submit": ["read", "submit"],
            "submit_only": ["submit"],
            "admin": ["admin"],
            "revoked": ["read"],
        }.items():
            row, tokens[name] = create_token(session, name=name, scopes=scopes)
            row.revoked = name == "revoked"
    engine.dispose()
    return tokens


@pytest.fixture
def served_factory(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start apps with given settings; each is stopped at the end of the test."""
    stack: list[Iterator[str]] = []

    def start(db_url: str, **extra: Any) -> Served:
        settings = settings_for(tmp_path, db_url, **extra)
        app = create_app(settings)
        tokens = make_tokens(db_url)
        server = serve(app)
        stack.append(server)
        return Served(next(server), settings, app, tokens)

    yield start
    for server in reversed(stack):
        next(server, None)


@pytest.fixture
def served(served_factory: Callable[..., Served], db_url: str) -> Served:
    """The app over ``db_url`` (SQLite, then PostgreSQL), anonymous reads off."""
    return served_factory(db_url)


@pytest.fixture(scope="module")
def news() -> Iterator[NewsWeb]:
    """The loopback news web of the crawler tests."""
    web = Web()
    web.start()
    try:
        yield build(web, HOSTS)
    finally:
        web.stop()


def text_story(db_url: str) -> dict[str, int]:
    """Ingest a three-member story of plain text records; returns its ids by role."""
    service = Service(db_url)
    when = datetime(2024, 5, 17, 8, tzinfo=UTC)
    body = "\n\n".join(FLOOD)
    records = [
        RawRecord(1, "https://wire.test/flood", None, body, "River", when, when, "Wire", None),
        RawRecord(2, "https://courier.test/copy", None, "Source: Wire.\n\n" + body, "Flooding",
                  when.replace(hour=10), when.replace(hour=10), "Courier", None),
        RawRecord(3, "https://metro.test/river", None, body + "\n\nMore soon.", "River",
                  when.replace(hour=12), when.replace(hour=12), "Metro", None),
    ]  # fmt: skip
    try:
        service.ingest_records(records)
        with service.sessions() as session:
            from sqlalchemy import select

            from provenance.storage.tables import Article

            rows = session.execute(select(Article.id, Article.url_norm, Article.story_id)).all()
    finally:
        service.close()
    ids = {url.split("/")[2].split(".")[0]: aid for aid, url, _ in rows}
    ids["story"] = rows[0][2]
    return ids
