"""Fixtures of the fetcher tests: the fixture web, an archive, the anyio backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from provenance.fetch import WarcArchive
from tests.fetch.web import Web


@pytest.fixture(scope="session")
def web() -> Iterator[Web]:
    """Loopback servers for the whole run; each test makes its own sites."""
    fixture_web = Web()
    fixture_web.start()
    try:
        yield fixture_web
    finally:
        fixture_web.stop()


@pytest.fixture
def anyio_backend() -> str:
    """The fetcher is asyncio code (asyncio.timeout, asyncio.Lock)."""
    return "asyncio"


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[WarcArchive]:
    """An empty archive in the test's temporary directory."""
    with WarcArchive(tmp_path / "warc") as warc:
        yield warc
