"""Fixtures of the crawler tests: the fixture web of outlets, and the CLI run against it."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from provenance.cli import app
from tests.crawl.outlets import NewsWeb, build
from tests.fetch.web import Web

#: The nine outlets' addresses: each its own loopback address, as distinct hosts are.
HOSTS = [f"127.0.0.{n}" for n in range(11, 20)]


@pytest.fixture(scope="module")
def news() -> Iterator[NewsWeb]:
    """The fixture web, fresh for each test module (its pages are changed by tests)."""
    web = Web()
    web.start()
    try:
        yield build(web, HOSTS)
    finally:
        web.stop()
        web.loop.close()


@dataclass
class Cli:
    """The real ``provenance`` CLI, run in-process with the crawler's environment."""

    workdir: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def db_url(self) -> str:
        return self.env["PROVENANCE_DATABASE_URL"]

    def __call__(self, *args: str, code: int = 0) -> str:
        runner = CliRunner()
        # A .env file in the working directory would be read by the settings.
        env = {**self.env, "COLUMNS": "300"}  # wide tables: URLs are not cut
        with contextlib.chdir(self.workdir):
            done = runner.invoke(app, list(args), env=env, catch_exceptions=False)
        assert done.exit_code == code, f"{args} exited {done.exit_code}:\n{done.output}"
        return done.output

    def export(self) -> list[dict[str, Any]]:
        out = self.workdir / f"export-{len(list(self.workdir.glob('export-*')))}.jsonl"
        self("export", "stories", "--format", "jsonl", "-o", str(out))
        return [json.loads(line) for line in out.read_text().splitlines()]


def crawler_env(workdir: Path, db_url: str) -> dict[str, str]:
    """The environment a user would set to crawl the loopback web quickly."""
    return {
        "PROVENANCE_DATA_DIR": str(workdir / "data"),
        "PROVENANCE_DATABASE_URL": db_url,
        "PROVENANCE_ALLOW_NETWORKS": "127.0.0.0/8",
        "PROVENANCE_HOST_DELAY": "0",
        "PROVENANCE_FETCH_DEADLINE": "10",
        "PROVENANCE_FETCH_MAX_RETRIES": "1",
        "PROVENANCE_FETCH_MAX_DECODED_BYTES": str(4 * 1024 * 1024),
        # Tiny intervals: every feed is due again at the next crawl, so a second
        # crawl really polls (and must be answered 304 or find nothing new).
        "PROVENANCE_POLL_MIN_INTERVAL": "0.001",
        "PROVENANCE_POLL_INITIAL_INTERVAL": "0.001",
        "PROVENANCE_POLL_MAX_INTERVAL": "0.01",
    }


def warc_check(paths: list[Path]) -> str:
    """Run ``warcio check`` (its command line) on the files; fail on any problem."""
    assert paths, "no WARC file"
    done = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"warcio check failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout
