"""Schemathesis against the served OpenAPI spec: every generated request gets a documented answer.

Submissions are generated too, so the job runner's fetcher resolves no name and
dials nothing but loopback (and no network is allowed, so not even that): at
the end, not one connection was made.
"""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Case

from provenance.api import create_app
from provenance.jobs import EmbeddedJobRunner
from tests.api.conftest import make_tokens, serve, settings_for, text_story
from tests.fetch.support import LoopbackOnlyBackend, MapResolver


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One app for the whole module, over SQLite, with a story in it."""
    tmp = tmp_path_factory.mktemp("schema")
    db_url = f"sqlite:///{tmp}/provenance.sqlite"
    config = settings_for(Path(tmp), db_url, api_rate_limit_per_minute=1_000_000)
    backend, resolver = LoopbackOnlyBackend(), MapResolver()
    runner = EmbeddedJobRunner(config, resolver=resolver, network_backend=backend)
    app = create_app(config, runner=runner)
    text_story(db_url)
    tokens = make_tokens(db_url)
    server = serve(app)
    url = next(server)
    yield {"url": url, "token": tokens["admin"], "runner": runner, "backend": backend,
           "resolver": resolver}  # fmt: skip
    next(server, None)


@pytest.fixture(scope="module")
def api_schema(live: dict[str, Any]) -> Any:
    """The spec as the server serves it."""
    return schemathesis.openapi.from_url(live["url"] + "/openapi.json")


def test_api_conforms_to_its_spec(api_schema: Any, live: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {live['token']}"}
    failures: dict[str, str] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Case) -> None:
            case.call_and_validate(headers=headers)

        try:
            check()
        except Exception as exc:  # collected, so one run reports every failing route
            inner = getattr(exc, "exceptions", None) or [exc.__cause__ or exc]
            details = ["".join(traceback.format_exception(e))[-3000:] for e in inner]
            failures[operation.label] = "\n".join([str(exc)[:2000], *details])
    assert not failures, "\n\n".join(f"{k}:\n{v}" for k, v in failures.items())


def test_generated_submissions_made_no_connection(live: dict[str, Any]) -> None:
    # Runs after the schema tests in this module (pytest keeps file order).
    runner: EmbeddedJobRunner = live["runner"]
    runner.wait()
    assert runner.fetcher.dialer.connections == 0
    assert live["backend"].violations == []
