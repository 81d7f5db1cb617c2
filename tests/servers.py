"""Real PostgreSQL and Redis servers for the test run.

Each server is a child process on a free loopback port with its data in a fresh
temporary directory, so tests never touch a system instance and leave nothing
behind. A missing server binary is an error that says how to install it: tests
that need a server must not pass by being skipped.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import redis

__all__ = ["PostgresServer", "RedisServer", "ServerError", "start_postgres", "start_redis"]

STARTUP_TIMEOUT = 30.0
_POSTGRES_USER = "postgres"


class ServerError(Exception):
    """A test server could not be found or started; the message says what to do."""


@dataclass
class PostgresServer:
    """A running PostgreSQL with trust authentication for the ``postgres`` role."""

    port: int
    base_dir: Path
    process: subprocess.Popen[bytes]
    host: str = "127.0.0.1"

    def url(self, dbname: str) -> str:
        """Return the SQLAlchemy URL of database ``dbname`` on this server."""
        return f"postgresql+psycopg://{_POSTGRES_USER}@{self.host}:{self.port}/{dbname}"

    @property
    def admin_url(self) -> str:
        """The SQLAlchemy URL of the ``postgres`` maintenance database."""
        return self.url("postgres")

    def conninfo(self, dbname: str = "postgres") -> str:
        """Return a libpq connection string for psycopg."""
        return f"host={self.host} port={self.port} user={_POSTGRES_USER} dbname={dbname}"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its data directory."""
        # SIGINT is PostgreSQL's "fast" shutdown: it ends sessions instead of waiting.
        _stop(self.process, signal.SIGINT)
        shutil.rmtree(self.base_dir, ignore_errors=True)


@dataclass
class RedisServer:
    """A running Redis without persistence."""

    port: int
    base_dir: Path
    process: subprocess.Popen[bytes]
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        """The ``redis://`` URL of database 0."""
        return f"redis://{self.host}:{self.port}/0"

    def stop(self) -> None:
        """Stop the server and remove its directory."""
        _stop(self.process, signal.SIGTERM)
        shutil.rmtree(self.base_dir, ignore_errors=True)


def start_postgres() -> PostgresServer:
    """Initialise a throw-away cluster and start PostgreSQL on a free port.

    Raises:
        ServerError: The binaries are missing, or the server did not start.
    """
    bindir = _postgres_bindir()
    user = _postgres_os_user()
    base = Path(tempfile.mkdtemp(prefix="provenance-pg-"))
    try:
        if user is not None:
            # initdb and postgres refuse to run as root; the cluster belongs to postgres.
            os.chown(base, user.pw_uid, user.pw_gid)
        _initdb(bindir, base / "data", user)
        server = _launch_postgres(bindir, base, user)
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return server


def start_redis() -> RedisServer:
    """Start a Redis without persistence on a free port.

    Raises:
        ServerError: ``redis-server`` is missing, or it did not start.
    """
    binary = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin")
    if binary is None:
        raise ServerError(
            "redis-server is not installed: run `apt-get install redis-server` "
            "(Debian/Ubuntu) or put redis-server on PATH"
        )
    base = Path(tempfile.mkdtemp(prefix="provenance-redis-"))
    port = _free_port()
    args = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
    args += ["--appendonly", "no", "--dir", str(base), "--daemonize", "no"]
    log = base / "redis.log"
    process = _spawn(args, log, user=None)
    server = RedisServer(port=port, base_dir=base, process=process)

    def ping() -> None:
        with redis.Redis.from_url(server.url, socket_connect_timeout=1) as client:
            client.ping()

    _wait_until_ready(process, ping, log, "redis-server", cleanup=server.stop)
    return server


def _postgres_bindir() -> Path:
    """Find the directory holding initdb and postgres."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        # Debian's pg_config comes with libpq-dev and names a bindir even when the
        # server package is absent, so each candidate is checked for initdb.
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if found.returncode == 0 and found.stdout.strip():
            candidates.append(Path(found.stdout.strip()))
    versions = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted((Path(p) for p in versions), key=_major_version, reverse=True)
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(Path(initdb).parent)
    for bindir in candidates:
        if (bindir / "initdb").is_file() and (bindir / "postgres").is_file():
            return bindir
    raise ServerError(
        "PostgreSQL server binaries (initdb, postgres) not found: run "
        "`apt-get install postgresql` (Debian/Ubuntu), or put its bin directory on PATH"
    )


def _major_version(bindir: Path) -> int:
    name = bindir.parent.name
    return int(name) if name.isdigit() else -1


def _postgres_os_user() -> pwd.struct_passwd | None:
    """The account to run PostgreSQL as: ``postgres`` when we are root, else ourselves."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(_POSTGRES_USER)
    except KeyError:
        raise ServerError(
            "running as root, and PostgreSQL refuses to: create the postgres user "
            "(`useradd --system --user-group postgres`) or run the tests as another user"
        ) from None


def _initdb(bindir: Path, datadir: Path, user: pwd.struct_passwd | None) -> None:
    args = [str(bindir / "initdb"), "-D", str(datadir), "-U", _POSTGRES_USER, "-A", "trust"]
    args += ["-E", "UTF8", "--no-sync"]
    failure = ""
    # C.UTF-8 gives UTF-8 character classes with byte-order collation; C is the
    # fallback for a libc without it.
    for locale in ("C.UTF-8", "C"):
        done = subprocess.run(
            [*args, f"--locale={locale}"], capture_output=True, text=True, **_as_user(user)
        )
        if done.returncode == 0:
            return
        failure = done.stderr or done.stdout
        shutil.rmtree(datadir, ignore_errors=True)
    raise ServerError(f"initdb failed:\n{failure}")


def _launch_postgres(bindir: Path, base: Path, user: pwd.struct_passwd | None) -> PostgresServer:
    port = _free_port()
    args = [str(bindir / "postgres"), "-D", str(base / "data"), "-k", str(base), "-p", str(port)]
    # A throw-away cluster needs no durability; fsync=off makes DDL-heavy tests fast.
    for setting in ("listen_addresses=127.0.0.1", "fsync=off", "full_page_writes=off"):
        args += ["-c", setting]
    args += ["-c", "synchronous_commit=off"]
    log = base / "postgres.log"
    process = _spawn(args, log, user=user)
    server = PostgresServer(port=port, base_dir=base, process=process)

    def connect() -> None:
        psycopg.connect(server.conninfo(), connect_timeout=1).close()

    _wait_until_ready(
        process, connect, log, "postgres", cleanup=lambda: _stop(process, signal.SIGINT)
    )
    return server


def _spawn(
    args: list[str], log: Path, *, user: pwd.struct_passwd | None
) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=_server_env(),
            **_as_user(user),
        )


def _as_user(user: pwd.struct_passwd | None) -> dict[str, Any]:
    """Popen arguments that drop root for the child.

    Popen's own setuid is used instead of runuser/su: the server is then our direct
    child, so our SIGINT reaches it unchanged (su forwards signals as SIGTERM, then
    kills after two seconds).
    """
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [], "cwd": "/"}


def _server_env() -> dict[str, str]:
    # libpq variables in the caller's environment would redirect the server's tools.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _wait_until_ready(
    process: subprocess.Popen[bytes],
    probe: Callable[[], None],
    log: Path,
    name: str,
    *,
    cleanup: Callable[[], None],
) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while True:
        if process.poll() is not None:
            cleanup()
            raise ServerError(f"{name} exited with {process.returncode}:\n{_tail(log)}")
        try:
            probe()
            return
        except Exception as exc:  # any client error means "not up yet"
            if time.monotonic() > deadline:
                cleanup()
                reason = f"{name} not ready in {STARTUP_TIMEOUT:.0f} s: {exc}\n{_tail(log)}"
                raise ServerError(reason) from exc
        time.sleep(0.1)


def _stop(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _tail(log: Path, lines: int = 20) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
