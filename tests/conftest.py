"""Shared fixtures: a clean environment, and real PostgreSQL and Redis servers.

The servers are started once per test run (see ``tests/servers.py``). A test that
needs one fails, with an install hint, when the server binary is missing.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import psycopg
import pytest
from psycopg import sql

from tests.servers import PostgresServer, RedisServer, ServerError, start_postgres, start_redis

ENV_PREFIX = "PROVENANCE_"
_Server = TypeVar("_Server", PostgresServer, RedisServer)


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Remove every ``PROVENANCE_*`` variable, so a developer's settings never leak in."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole run; ``.url(dbname)`` and ``.admin_url``."""
    server = _start(start_postgres)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The SQLAlchemy URL of a fresh, empty database, dropped after the test."""
    name = f"test_{uuid.uuid4().hex}"
    ident = sql.Identifier(name)
    with psycopg.connect(postgres_server.conninfo(), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(ident))
    try:
        yield postgres_server.url(name)
    finally:
        with psycopg.connect(postgres_server.conninfo(), autocommit=True) as admin:
            # FORCE ends connections a test left open (a pooled engine, say).
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file in the test's temporary directory."""
    return f"sqlite:///{tmp_path}/provenance.sqlite"


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request: pytest.FixtureRequest) -> str:
    """A database URL; a test using it runs once on SQLite and once on PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """A Redis server for the whole run, without persistence; ``.url`` is db 0."""
    server = _start(start_redis)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The ``redis://`` URL of the test Redis."""
    return redis_server.url


def _start(start: Callable[[], _Server]) -> _Server:
    try:
        return start()
    except ServerError as exc:
        # Never a skip: a suite that passes without its database proves nothing.
        pytest.fail(str(exc), pytrace=False)
