"""The Celery application imports cleanly and is configured from the environment."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from worker import celery_app


def test_app_is_named_provenance() -> None:
    assert celery_app.app.main == "provenance"


def test_app_has_only_celery_builtin_tasks_so_far() -> None:
    names = set(celery_app.app.tasks)
    assert "celery.chord_unlock" in names  # the registry is really populated
    assert {name for name in names if not name.startswith("celery.")} == set()


def test_broker_defaults_to_the_in_memory_transport() -> None:
    # clean_environ has removed PROVENANCE_BROKER_URL.
    assert celery_app.broker_url() == "memory://"


def test_broker_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROVENANCE_BROKER_URL", "redis://127.0.0.1:6379/0")
    assert celery_app.broker_url() == "redis://127.0.0.1:6379/0"


def test_app_reads_its_broker_at_import() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PROVENANCE_")}
    env["PROVENANCE_BROKER_URL"] = "redis://127.0.0.1:1/0"
    code = "from worker.celery_app import app; print(app.conf.broker_url)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "redis://127.0.0.1:1/0"
