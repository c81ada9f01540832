"""The benchmark still runs end to end: a tiny tenant generated through
`callvault import jsonl`, a real `callvault serve`, the floor's SQL, and the
report. Its figures mean nothing at this size; that it runs, and that
callvault and the floor answer each scenario with the same rows, does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ["get by id", "account equals", "title common", "nested and/or"]


def test_the_benchmark_runs_and_both_systems_answer_alike(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--records", "600"]
        + ["--cache", str(tmp_path), "--systems", "callvault,floor"]
        + ["--scenarios", ",".join(SCENARIOS), "--seconds", "0.3"]
        + ["--warmup", "0.1", "--latency-seconds", "0.2", "--no-save"],
        cwd=ROOT,
        env={**os.environ, "CALLVAULT_LOG_LEVEL": "WARNING"},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert completed.returncode == 0, completed.stderr[-3000:]
    rows = _throughput_rows(completed.stdout)
    for scenario in SCENARIOS:
        callvault, floor = rows[(scenario, "callvault")], rows[(scenario, "floor")]
        assert callvault["errors"] == "0", callvault
        assert float(callvault["rps"].replace(",", "")) > 0, callvault
        assert callvault["rows"] == floor["rows"], (callvault, floor)
        # A share of the machine's CPU, read from Linux's /proc/stat.
        assert re.fullmatch(r"\d+%", callvault["steal"]), callvault
    assert rows[("account equals", "callvault")]["rows"] != "0"
    # callvault and the floor timed in blocks taken in turn, for every scenario.
    for cells in _table(completed.stdout, "Ratios"):
        in_blocks = cells["in blocks: callvault vs floor c1 p50"]
        assert re.fullmatch(r"\d+\.\d\d vs \d+\.\d\d ms \(\d+\.\d\dx\)", in_blocks)
    assert "## Targets" in completed.stdout


def test_blocks_time_each_side_at_least_once_a_block() -> None:
    """A call slower than its block is still timed, so no block is empty."""
    from bench import load

    class Answer(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    calls = []
    try:
        ours, local = load.blocks_p50s(
            f"http://127.0.0.1:{server.server_port}",
            [load.Request("GET", "/")],
            lambda index: (calls.append(index), time.sleep(0.05)),
            seconds=0.1,
            block=0.02,
        )
    finally:
        server.shutdown()
    assert local >= 50
    assert ours < 50
    # Calls are numbered on across blocks, so each request's work is used.
    assert calls == list(range(len(calls)))


def _throughput_rows(report: str) -> dict[tuple[str, str], dict[str, str]]:
    return {
        (cells["scenario"], cells["system"]): cells
        for cells in _table(report, "Throughput and latency")
    }


def _table(report: str, title: str) -> list[dict[str, str]]:
    section = report.split(f"## {title}", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    return [
        dict(zip(header, (c.strip() for c in line.strip("|").split("|")), strict=False))
        for line in lines[1:]
    ]
