"""Fixtures of the distributed-mode tests: a migrated PostgreSQL database and a corpus."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from provenance.eval.generator import generate_network
from provenance.storage.db import connect, migrate


@pytest.fixture
def pg_sessions(postgres_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory over a fresh, migrated PostgreSQL database."""
    engine, sessions = connect(postgres_url)
    migrate(engine)
    try:
        yield sessions
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small synthetic syndication network as a JSON Lines file (about 60 articles)."""
    network = generate_network(seed=3, stories=20)
    articles, _truth = network.write(tmp_path_factory.mktemp("corpus"))
    return articles
