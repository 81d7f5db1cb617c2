"""The Celery application imports cleanly and is configured from the environment."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from pydantic import ValidationError

from provenance.errors import ConfigError
from provenance.settings import Settings
from worker import celery_app


def test_app_is_named_provenance() -> None:
    assert celery_app.app.main == "provenance"


def test_app_registers_the_pipeline_tasks_by_name() -> None:
    celery_app.app.loader.import_default_modules()
    names = {name for name in celery_app.app.tasks if not name.startswith("celery.")}
    assert names == {
        "provenance.crawl_due",
        "provenance.process",
        "provenance.trace",
        "provenance.reconcile",
        "provenance.job",
    }


def test_reliability_settings_are_on() -> None:
    conf = celery_app.app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.worker_cancel_long_running_tasks_on_connection_loss
    assert conf.worker_soft_shutdown_timeout > 0
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    schedule = {entry["task"] for entry in conf.beat_schedule.values()}
    assert schedule == {"provenance.crawl_due", "provenance.reconcile"}


def test_start_up_check_refuses_a_task_outliving_the_visibility_timeout() -> None:
    app = celery_app.make_app(Settings())
    app.loader.import_default_modules()
    app.conf.broker_transport_options = {"visibility_timeout": 10.0}
    with pytest.raises(ConfigError, match="visibility timeout"):
        celery_app.check_time_limits(app)


def test_settings_refuse_a_visibility_timeout_below_the_hard_limit() -> None:
    with pytest.raises(ValidationError, match="broker_visibility_timeout"):
        Settings(task_time_limit=600, broker_visibility_timeout=300)


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
