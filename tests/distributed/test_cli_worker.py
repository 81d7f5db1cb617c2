"""The distributed-mode commands refuse what cannot work, and migrate does its job."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from typer.testing import CliRunner

from provenance.cli import app
from provenance.errors import ConfigError
from provenance.storage.db import connect

runner = CliRunner()


def test_worker_refuses_to_start_without_a_broker() -> None:
    result = runner.invoke(app, ["worker"])
    assert isinstance(result.exception, ConfigError)
    assert "PROVENANCE_BROKER_URL" in str(result.exception)


def test_worker_refuses_sqlite(monkeypatch: pytest.MonkeyPatch, sqlite_url: str) -> None:
    monkeypatch.setenv("PROVENANCE_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.setenv("PROVENANCE_DATABASE_URL", sqlite_url)
    result = runner.invoke(app, ["worker"])
    assert isinstance(result.exception, ConfigError)
    assert "PostgreSQL" in str(result.exception)


def test_migrate_waits_for_the_database_and_upgrades_it(postgres_url: str) -> None:
    result = runner.invoke(app, ["migrate", "--db", postgres_url, "--wait", "5"])
    assert result.exit_code == 0, result.output
    engine, _ = connect(postgres_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"ingest_item", "lsh_band", "band_lock", "article"} <= tables


def test_migrate_gives_up_on_an_unreachable_database() -> None:
    url = "postgresql://nobody@127.0.0.1:1/none"
    result = runner.invoke(app, ["migrate", "--db", url, "--wait", "0"])
    assert isinstance(result.exception, ConfigError)
