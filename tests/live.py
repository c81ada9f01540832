"""A real callvault server in a thread, and the engines the tests run on.

`CALLVAULT_TEST_ENGINE=postgresql` runs the suite against PostgreSQL
(`CALLVAULT_TEST_POSTGRES_URL`, default the local server with trust auth);
without it the suite runs on a SQLite file.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
import uvicorn
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from callvault.app import create_app
from callvault.kernel.db import Database
from callvault.organizations import service as org_service
from callvault.settings import Settings

POSTGRES_URL = os.environ.get(
    "CALLVAULT_TEST_POSTGRES_URL",
    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
)
# The console script installed next to the interpreter running the tests.
CALLVAULT = str(Path(sys.executable).with_name("callvault"))
REDIS_URL = os.environ.get("CALLVAULT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def test_engine() -> str:
    return os.environ.get("CALLVAULT_TEST_ENGINE", "sqlite")


def unavailable(reason: str) -> NoReturn:
    """Skip a test whose service is not here, with the reason; CI sets
    CALLVAULT_TEST_REQUIRE_SERVICES=1 so that a missing service fails instead."""
    if os.environ.get("CALLVAULT_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (CALLVAULT_TEST_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


def postgres_unreachable_reason() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as error:  # any failure means: not reachable here
        return f"PostgreSQL not reachable at {POSTGRES_URL}: {type(error).__name__}"
    return None


def redis_unreachable_reason() -> str | None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except Exception as error:
        return f"Redis not reachable at {REDIS_URL}: {type(error).__name__}"
    return None


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test session; dropped after."""
    name = f"callvault_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = (
        make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    )
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    base_url: str
    database: Database
    settings: Settings

    def new_org(self, *, domains: list[str] | None = None) -> Org:
        name = f"org-{uuid.uuid4().hex[:10]}"
        with self.database.session(write=True) as session:
            organization = org_service.create_organization(session, name, domains)
            token = org_service.create_token(session, organization)
            return Org(name=name, id=organization.id, token=token)

    def client(self, token: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


@dataclass
class Org:
    name: str
    id: str
    token: str


@contextmanager
def serve_in_thread(settings: Settings) -> Iterator[LiveServer]:
    database = Database(settings.database_url)
    app = create_app(settings, database=database)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", database, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@contextmanager
def engine_database(tmp_path: Path) -> Iterator[str]:
    """A new, empty database on the engine under test, for one subprocess test."""
    if test_engine() == "postgresql":
        with fresh_postgres_database() as url:
            yield url
        return
    yield f"sqlite:///{tmp_path / 'callvault.db'}"


def cli_env(database_url: str | None) -> dict[str, str]:
    """The environment of a user's shell; without a URL, none is set."""
    env = {k: v for k, v in os.environ.items() if k != "CALLVAULT_DATABASE_URL"}
    if database_url is not None:
        env["CALLVAULT_DATABASE_URL"] = database_url
    return env


def run_cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """`callvault ARGS` as a user runs it, in its own process."""
    return subprocess.run(
        [CALLVAULT, *args],
        env=cli_env(database_url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class ServerProcess:
    """A `callvault serve` process and what it has printed so far."""

    def __init__(self, base_url: str, process: subprocess.Popen[str]) -> None:
        self.base_url = base_url
        self.process = process
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    def output_until(self, needle: str, timeout: float = 20) -> str:
        """The output up to and including the first line holding `needle`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = "".join(self.lines)
            if needle in text:
                return text
            time.sleep(0.05)
        raise AssertionError(f"{needle!r} not printed; output:\n{''.join(self.lines)}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing, as in a power cut."""
        self.process.kill()
        self.process.wait(timeout=10)


@contextmanager
def serve_process(
    database_url: str | None, *extra: str, cwd: Path | None = None
) -> Iterator[ServerProcess]:
    """`callvault serve` in its own process on a free port, until it answers."""
    port = free_port()
    process = subprocess.Popen(
        [CALLVAULT, "serve", "--port", str(port), *extra],
        env=cli_env(database_url),
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    server = ServerProcess(f"http://127.0.0.1:{port}", process)
    try:
        _wait_until_healthy(server)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_healthy(server: ServerProcess) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            time.sleep(0.2)
            output = "".join(server.lines)
            raise RuntimeError(f"callvault serve exited early:\n{output}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("callvault serve did not answer in time")


class Served:
    """The request log lines of the server in this process, as logged."""

    def __init__(self, log: Any) -> None:
        self.log = log
        self.lines: list[tuple[str, dict[str, Any]]] = []

    def info(self, event: str, **fields: Any) -> None:
        self.lines.append((event, fields))
        self.log.info(event, **fields)

    def exception(self, event: str, **fields: Any) -> None:
        self.lines.append((event, fields))
        self.log.exception(event, **fields)
