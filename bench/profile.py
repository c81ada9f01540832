"""Where callvault spends a request: `python -m bench.profile`.

Starts `callvault serve` (one process) on a cached benchmark database, puts
one scenario under the closed-loop load, and samples the server with py-spy
meanwhile. Prints the inclusive share of the samples of each stage of a
request (auth lookup, the page query, the custom-field query, building the
dicts, JSON, middleware, logging, ...) and keeps the collapsed stacks for a
flame graph (`bench/.cache/profiles/`).
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

# (stage, substrings of a frame "function (file:line)" that mark it), in the
# order a request meets them; a sample counts for every stage on its stack.
STAGES = (
    ("auth: token lookup (_principal)", ("_principal (",)),
    ("read session open/close", ("_read_session (",)),
    (
        "request body parse+validate",
        ("_extract_body", "request_body_to_args", "validate_json"),
    ),
    ("search: parse+compile filter", ("parse_filter (", "compile_filter (")),
    ("search: page query (search_page)", ("search_page (",)),
    ("  SQL execute (cursor.execute)", ("do_execute (",)),
    ("  ORM row -> object (loading/instances)", ("instances (", "_instance (")),
    ("  SQLAlchemy statement compile", ("_compile_w_cache", "compile (")),
    ("custom field values query (field_values)", ("field_values (",)),
    ("present_many: dicts + format_instant", ("_present (",)),
    ("get by id: repository.get", ("get_recording (",)),
    ("JSON render (orjson)", ("render (",)),
    ("request log line (structlog)", ("_proxy_to_logger", "structlog")),
    ("commit/rollback/close of sessions", ("commit (", "close (")),
    (
        "threadpool hand-off (run_in_threadpool)",
        ("run_sync_in_worker_thread", "to_thread", "run_in_threadpool"),
    ),
    ("uvicorn http protocol", ("httptools_impl",)),
)


def summarize(collapsed: Path) -> list[tuple[str, float]]:
    totals: Counter[str] = Counter()
    samples = 0
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        weight = int(count)
        samples += weight
        for stage, marks in STAGES:
            if any(mark in stack for mark in marks):
                totals[stage] += weight
        if "(python" in stack.split(";")[0] and len(stack.split(";")) < 3:
            totals["idle / event loop"] += weight
    return [(stage, 100 * totals[stage] / samples) for stage, _ in STAGES] + [
        ("samples", float(samples))
    ]


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
    for stage, share in summarize(collapsed):
        print(f"{share:7.1f}{'' if stage == 'samples' else '%'}  {stage}")
    print(f"collapsed stacks: {collapsed}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
