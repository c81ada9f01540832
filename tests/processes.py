"""`callvault serve` as real server processes, for the scale-out tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.live import free_port

START_SECONDS = 60


@dataclass
class ServerProcess:
    base_url: str
    process: subprocess.Popen[str]
    log_path: Path

    def output(self) -> str:
        return self.log_path.read_text()

    def worker_pids(self) -> list[int]:
        """Worker processes uvicorn spawned under this server."""
        pids = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                cmdline = (stat.parent / "cmdline").read_bytes()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid and b"spawn_main" in cmdline:
                pids.append(int(stat.parent.name))
        return pids


def server_env(**settings: str) -> dict[str, str]:
    """The environment of a server: this one's, minus any CALLVAULT_* of the
    caller, plus the given settings (`database_url="…"` → CALLVAULT_DATABASE_URL)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLVAULT_")}
    env.update({f"CALLVAULT_{k.upper()}": v for k, v in settings.items()})
    return env


def redis_prefix() -> str:
    return f"callvault-test-{uuid.uuid4().hex[:10]}"


@contextmanager
def serve_processes(
    env: dict[str, str], tmp_path: Path, *, workers: Sequence[int] = (1,)
) -> Iterator[list[ServerProcess]]:
    """Servers started at the same moment, each on its own port, the n-th
    with `workers[n]` worker processes."""
    with ExitStack() as stack:
        servers = [stack.enter_context(_server(env, tmp_path, n)) for n in workers]
        for server in servers:
            _wait_until_ready(server)
        yield servers


@contextmanager
def _server(
    env: dict[str, str], tmp_path: Path, workers: int
) -> Iterator[ServerProcess]:
    port = free_port()
    log_path = tmp_path / f"serve-{port}.log"
    command = [sys.executable, "-m", "callvault", "serve", "--port", str(port)]
    command += ["--workers", str(workers)]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    try:
        yield ServerProcess(f"http://127.0.0.1:{port}", process, log_path)
    finally:
        _stop(process)


def _wait_until_ready(server: ServerProcess) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"callvault serve exited:\n{server.output()}")
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"callvault serve did not become ready:\n{server.output()}")


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            # The session leader is the server we started; its group holds
            # only its own workers.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
