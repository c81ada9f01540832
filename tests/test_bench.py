"""The benchmark still runs end to end: a tiny tenant generated through
`callvault import jsonl`, a real `callvault serve`, the floor's SQL, and the
report. Its figures mean nothing at this size; that it runs, and that
callvault and the floor answer each scenario with the same rows, does."""

from __future__ import annotations

import os
import re
import subprocess
import sys
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
    assert "## Targets" in completed.stdout


def _throughput_rows(report: str) -> dict[tuple[str, str], dict[str, str]]:
    section = report.split("## Throughput and latency", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = {}
    for line in lines[1:]:
        cells = dict(
            zip(header, (c.strip() for c in line.strip("|").split("|")), strict=False)
        )
        rows[(cells["scenario"], cells["system"])] = cells
    return rows
