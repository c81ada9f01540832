"""Starting the servers under test on a free port, waiting until they answer,
reading their peak memory, stopping them."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.load import Request, fetch


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def venv_bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


@dataclass
class Server:
    name: str
    command: list[str]
    ready_path: str
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    log_path: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, log_dir: Path, timeout: float = 300) -> None:
        self.port = free_port()
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        self.log_path = log_dir / f"{self.name.replace(' ', '_')}.log"
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            command,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            try:
                status, _ = fetch(self.base_url, Request("GET", self.ready_path))
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer in {timeout}s")

    def memory(self) -> dict[int, tuple[int, int]]:
        """{pid: (VmHWM kB, VmRSS kB)} for the server and its child processes."""
        assert self.process is not None
        return {pid: _vm(pid) for pid in _tree(self.process.pid)}

    def roles(self) -> dict[int, str]:
        """{pid: what the process is} for the server and its children: with
        `--workers`, uvicorn's supervisor, its workers, and the resource
        tracker that Python's multiprocessing starts beside them."""
        assert self.process is not None
        tree = _tree(self.process.pid)
        return {pid: _role(pid, self.process.pid, len(tree)) for pid in tree}

    def cpu_seconds(self) -> float:
        """User and system CPU so far of the server and its child processes."""
        assert self.process is not None
        return sum(_cpu(pid) for pid in _tree(self.process.pid))

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # The server leads its own session: its workers go with it.
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    return children


def _tree(root: int) -> list[int]:
    children = _children()
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def _role(pid: int, root: int, processes: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return "gone"
    if b"resource_tracker" in command:
        return "resource tracker"
    if pid == root:
        return "supervisor" if processes > 1 else "server"
    return "worker"


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15 of stat(5); fields[0] is field 3.
    return (int(fields[11]) + int(fields[12])) / TICKS


def _vm(pid: int) -> tuple[int, int]:
    values = {"VmHWM": 0, "VmRSS": 0}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in values:
                values[key] = int(rest.split()[0])
    except OSError:
        pass
    return values["VmHWM"], values["VmRSS"]


def callvault(db: Path, workers: int, log_level: str) -> Server:
    return Server(
        name=f"callvault w{workers}",
        command=[venv_bin("callvault"), "serve", "--db", str(db), "--port", "{port}"]
        + ["--workers", str(workers)],
        ready_path="/healthz",
        env={"CALLVAULT_RATE_LIMITS": "off", "CALLVAULT_LOG_LEVEL": log_level},
    )


def datasette(db: Path, threads: int) -> Server:
    return Server(
        name="datasette",
        command=[venv_bin("datasette"), "serve", "--immutable", str(db)]
        + ["--port", "{port}", "--host", "127.0.0.1"]
        # Every answer must be whole: the slowest scenario (a substring scan of
        # the whole tenant) is given time instead of being cut off at 1 s.
        + ["--setting", "sql_time_limit_ms", "60000"]
        + ["--setting", "max_returned_rows", "1000"]
        + ["--setting", "num_sql_threads", str(threads)]
        + ["--setting", "allow_facet", "off"]
        + ["--setting", "suggest_facets", "off"],
        ready_path="/-/versions.json",
    )
