"""docker-compose.yml is a valid Compose file whose commands exist in our image.

No Docker engine runs here, so the file is checked statically: against the
Compose specification's JSON schema (the copy vendored by check-jsonschema; it
cannot be downloaded at test time), for the structure the deployment relies on
(healthchecks, the one-shot migration, a scalable worker, a persistent broker),
and every command run from our image is parsed by the CLI it names.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from importlib import resources
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import typer.main
import yaml

from provenance.cli import app as cli_app

ROOT = Path(__file__).resolve().parents[2]
OUR_IMAGE = "provenance:local"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return data


def _schema() -> dict[str, Any]:
    vendored = resources.files("check_jsonschema") / "builtin_schemas/vendor/compose-spec.json"
    schema: dict[str, Any] = json.loads(vendored.read_text())
    return schema


def test_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    schema = _schema()
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(compose), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_stack_has_its_services_and_health_checks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"db", "broker", "migrate", "api", "worker", "beat", "flower"}
    for name in ("db", "broker", "api", "worker"):
        assert "test" in services[name]["healthcheck"], name
    assert services["migrate"]["restart"] == "no"
    for name in ("api", "worker", "beat"):
        needs = services[name]["depends_on"]
        assert needs["migrate"]["condition"] == "service_completed_successfully", name
        assert needs["broker"]["condition"] == "service_healthy", name
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"


def test_the_worker_scales_and_shuts_down_warm(compose: dict[str, Any]) -> None:
    worker = compose["services"]["worker"]
    # A fixed name or a published port would make `--scale worker=N` fail.
    assert "container_name" not in worker and "ports" not in worker
    assert worker["stop_signal"] == "SIGTERM"
    grace = int(re.fullmatch(r"(\d+)s", worker["stop_grace_period"]).group(1))  # type: ignore[union-attr]
    env = _env_file()
    assert grace > float(env["PROVENANCE_WORKER_SOFT_SHUTDOWN_TIMEOUT"])


def test_the_broker_persists_and_never_evicts(compose: dict[str, Any]) -> None:
    command = compose["services"]["broker"]["command"]
    flags = dict(zip(command[1::2], command[2::2], strict=True))
    assert flags["--appendonly"] == "yes"
    assert flags["--maxmemory-policy"] == "noeviction"
    assert compose["services"]["broker"]["volumes"]


def _env_file() -> dict[str, str]:
    pairs = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def test_the_env_file_holds_valid_settings(compose: dict[str, Any]) -> None:
    from provenance.settings import Settings

    env = _env_file()
    assert env["PROVENANCE_BROKER_URL"].startswith("redis://broker:")
    fields = {
        k.removeprefix("PROVENANCE_").lower(): v
        for k, v in env.items()
        if k.startswith("PROVENANCE_")
    }
    settings = Settings(**fields)  # type: ignore[arg-type]  # the validators run here
    assert settings.broker_visibility_timeout > settings.task_time_limit


def _entry_points() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    ours = set(project["scripts"])
    # Console scripts of the image's dependencies (celery is one of ours).
    installed = {ep.name for ep in entry_points(group="console_scripts")}
    return ours | ({"celery"} & installed)


def _commands(compose: dict[str, Any]) -> list[tuple[str, list[str]]]:
    found = []
    for name, service in compose["services"].items():
        if service.get("image") != OUR_IMAGE:
            continue
        found.append((name, list(service["command"])))
        test = service.get("healthcheck", {}).get("test", [])
        if test and test[0] == "CMD-SHELL":
            found.append((f"{name} healthcheck", shlex.split(test[1])))
        elif test and test[0] == "CMD":
            found.append((f"{name} healthcheck", list(test[1:])))
    dockerfile = (ROOT / "Dockerfile").read_text()
    cmd = re.search(r"^CMD (\[.*\])$", dockerfile, re.MULTILINE)
    assert cmd is not None
    found.append(("Dockerfile CMD", json.loads(cmd.group(1))))
    return found


def _parse_provenance(args: list[str]) -> None:
    group = typer.main.get_command(cli_app)
    sub = getattr(group, "commands", {}).get(args[0])
    assert sub is not None, f"no `provenance {args[0]}` command"
    sub.make_context(args[0], list(args[1:]))  # raises on an unknown option


def test_every_command_exists_in_the_image(compose: dict[str, Any]) -> None:
    entry = _entry_points()
    for where, argv in _commands(compose):
        program = argv[0]
        if program == "python":  # the base image's interpreter
            continue
        assert program in entry, f"{where}: {program} is not an entry point of the image"
        if program == "provenance":
            _parse_provenance(argv[1:])
        if program == "celery":
            assert "-A" in argv and argv[argv.index("-A") + 1] == "worker.celery_app", where
            assert (ROOT / "worker" / "celery_app.py").is_file()


def test_the_image_copies_the_worker_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "COPY worker ./worker" in dockerfile and "COPY provenance ./provenance" in dockerfile
