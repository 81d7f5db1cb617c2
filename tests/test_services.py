"""The server fixtures start real servers that answer."""

from __future__ import annotations

import psycopg
import redis
from sqlalchemy.engine import make_url

from tests.servers import PostgresServer


def test_postgres_answers_a_query(postgres_server: PostgresServer) -> None:
    with psycopg.connect(postgres_server.conninfo()) as conn:
        row = conn.execute("select version()").fetchone()
    assert row is not None
    assert str(row[0]).startswith("PostgreSQL ")


def test_postgres_url_is_a_fresh_utf8_database(postgres_url: str) -> None:
    url = make_url(postgres_url)
    assert url.drivername == "postgresql+psycopg"
    assert url.database is not None and url.database.startswith("test_")
    conninfo = f"host={url.host} port={url.port} user={url.username} dbname={url.database}"
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(
            "select current_database(), pg_encoding_to_char(encoding),"
            " (select count(*) from pg_tables where schemaname = 'public')"
            " from pg_database where datname = current_database()"
        ).fetchone()
    assert row == (url.database, "UTF8", 0)


def test_postgres_url_is_dropped_afterwards(postgres_server: PostgresServer) -> None:
    # Databases of earlier tests are gone: only the templates and postgres remain
    # besides any created by tests running right now (none: tests run serially).
    with psycopg.connect(postgres_server.conninfo()) as conn:
        rows = conn.execute("select datname from pg_database where datname like 'test\\_%'")
        assert rows.fetchall() == []


def test_redis_sets_and_gets(redis_url: str) -> None:
    with redis.Redis.from_url(redis_url) as client:
        assert client.set("provenance:test", "value")
        assert client.get("provenance:test") == b"value"
        client.delete("provenance:test")
