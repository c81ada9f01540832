"""Where callvault spends a request: `python -m bench.profile`.

Starts `callvault serve` (one process) on a cached benchmark database, puts
one scenario under the closed-loop load, and samples the server with py-spy
meanwhile. Prints the inclusive share of the samples of each stage of a
request (the token lookup, the search's plan and its statements, presenting
the documents, the request body, middleware, logging, JSON, ...) and keeps
the collapsed stacks for a flame graph (`bench/.cache/profiles/`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from bench import dataset, load, scenarios, servers

HERE = Path(__file__).resolve().parent

# (stage, substrings of a frame "function (file:line)" that mark it); a
# sample counts for every stage on its stack, so nested stages overlap.
STAGES = (
    # Searches, on the event loop on SQLite within their budget (kernel.deps).
    ("search (on the loop or in a search thread)", ("searching (",)),
    ("  search service", ("search (callvault/search/service.py",)),
    (
        "    parse, shape and plan of the filter",
        ("parse_filter (", "shape_of (", "Plans.page ("),
    ),
    ("    the statements on the driver (Prepared.rows)", ("Prepared.rows (",)),
    ("    cursor and binding (pagination)", ("pagination.py",)),
    ("    present_rows (documents or dicts)", ("present_rows (",)),
    ("  moved to a search thread", ("run_sync_in_worker_thread", "WorkerThread.run")),
    # Lookups by key, on the event loop on SQLite (kernel.deps.lookups_on_loop).
    ("auth: token lookup (authenticate)", ("authenticate (",)),
    ("get by id: present_stored", ("present_stored (",)),
    (
        "request body: FastAPI's parse and validation",
        ("request_body_to_args", "Request.json"),
    ),
    (
        "event loop: uvicorn + starlette + middleware",
        ("httptools_impl", "RequestEdgeMiddleware"),
    ),
    ("  request log line (structlog)", ("structlog",)),
    ("  JSON render (orjson)", ("JSONResponse.render",)),
)
IDLE = ("Condition.wait", "Runner.run", "Queue.get", "select (selectors", "_run_once")


def summarize(collapsed: Path) -> tuple[int, list[tuple[str, float]]]:
    """Busy samples, and each stage's share of them (idle threads left out)."""
    totals: Counter[str] = Counter()
    busy = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        frames = stack.split(";")
        if frames[-1].startswith(IDLE):
            continue
        weight = int(count)
        busy += weight
        for stage, marks in STAGES:
            if any(mark in frame for frame in frames for mark in marks):
                totals[stage] += weight
    return busy, [(stage, 100 * totals[stage] / max(1, busy)) for stage, _ in STAGES]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile", description=__doc__
    )
    parser.add_argument(
        "--records", type=int, default=100_000, help="size of the cached database"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seed of the cached database"
    )
    parser.add_argument("--scenario", default="page 100", help="scenario to profile")
    parser.add_argument("--seconds", type=float, default=15, help="seconds sampled")
    parser.add_argument("--concurrency", type=int, default=4, help="connections")
    parser.add_argument("--rate", type=int, default=250, help="py-spy samples a second")
    parser.add_argument("--log-level", default="INFO", help="CALLVAULT_LOG_LEVEL")
    args = parser.parse_args(argv)

    cache = HERE / ".cache"
    data = dataset.prepare(cache, args.records, args.seed, True, print)
    scenario = next(s for s in scenarios.build(data) if s.name == args.scenario)
    server = servers.callvault(data.path, 1, args.log_level)
    out_dir = cache / "profiles"
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{args.records}-{args.scenario.replace(' ', '_').replace('/', '')}"
    collapsed = out_dir / f"{stem}.txt"
    server.start(out_dir)
    try:
        requests = [scenarios.callvault_request(data, v) for v in scenario.variants]
        load.run(
            server.base_url, requests, concurrency=args.concurrency, seconds=1, warmup=1
        )
        assert server.process is not None
        spy = subprocess.Popen(
            [servers.venv_bin("py-spy"), "record", "--pid", str(server.process.pid)]
            + ["--rate", str(args.rate), "--format", "raw", "--output", str(collapsed)]
            + ["--duration", str(int(args.seconds)), "--nonblocking", "--threads"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.5)
        result = load.run(
            server.base_url,
            requests,
            concurrency=args.concurrency,
            seconds=args.seconds - 1,
            warmup=0.2,
            cpu_probe=server.cpu_seconds,
        )
        spy.wait(timeout=60)
    finally:
        server.stop()
    print(
        f"{args.scenario}: {result.rps:.0f} rps, p50 {result.percentile(50):.2f} ms, "
        f"server CPU {1000 * result.server_cpu_seconds / max(1, result.requests):.2f} ms a request"
    )
    busy, shares = summarize(collapsed)
    print(f"{busy} busy samples; share of them by stage (stages nest):")
    for stage, share in shares:
        print(f"{share:6.1f}%  {stage}")
    print(f"collapsed stacks: {collapsed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
