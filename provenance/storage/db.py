"""Engines, sessions and schema migrations for SQLite and PostgreSQL.

SQLite (the embedded default) runs in WAL mode with ``synchronous=FULL`` (a
committed ingest survives a power cut) and a busy timeout (a second process
waits instead of failing with "database is locked"). PostgreSQL goes through
psycopg 3. The schema is created and upgraded by Alembic, never by
``create_all``, so a database made by one version upgrades cleanly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from provenance.errors import ConfigError

__all__ = ["connect", "migrate", "normalize_database_url"]

_MIGRATIONS = Path(__file__).parent / "migrations"


def normalize_database_url(url: str) -> str:
    """Map ``postgresql://`` and ``postgres://`` to the psycopg 3 driver.

    Raises:
        ConfigError: For a URL that is neither SQLite nor PostgreSQL.
    """
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if not url.startswith(("sqlite:", "postgresql+psycopg:")):
        raise ConfigError(f"unsupported database URL {url!r}: use sqlite:/// or postgresql://")
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def connect(url: str) -> tuple[Engine, sessionmaker[Session]]:
    """Open an engine and a session factory for ``url`` (schema not touched).

    Args:
        url: A SQLAlchemy URL (``sqlite:///path`` or ``postgresql://...``).

    Returns:
        The engine and a session factory bound to it.
    """
    url = normalize_database_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine, sessionmaker(engine, expire_on_commit=False)


def migrate(engine: Engine) -> None:
    """Bring the schema of ``engine``'s database up to the latest revision."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
