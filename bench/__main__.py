"""`python -m bench`: callvault against Datasette and the raw-SQL floor.

Run with the bench dependency group: `uv run --group bench python -m bench`.
This is a benchmark, not a test: it never runs under pytest.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse(argv: list[str]) -> argparse.Namespace:
    from bench.run import SYSTEMS

    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Generate N recordings, load them through `callvault import "
        "jsonl`, then measure callvault (1 and 2 workers), Datasette on the same "
        "SQLite file, and the raw-SQL floor under a closed-loop load.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--records", type=int, default=1_000_000, help="recordings to generate"
    )
    parser.add_argument("--seed", type=int, default=1, help="seed of the generator")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the cached database of this size and seed if there is one",
    )
    parser.add_argument(
        "--cache",
        type=Path,
        default=HERE / ".cache",
        help="where generated databases are kept",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=8,
        help="keep-alive connections of the load generator",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=10.0,
        help="timed seconds per scenario and system",
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=2.0,
        help="untimed seconds before each timed window",
    )
    parser.add_argument(
        "--latency-seconds",
        type=float,
        default=3.0,
        help="seconds of the one-connection pass that gives the unqueued latency (c1)",
    )
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEMS),
        help=f"comma-separated systems to run, of {', '.join(SYSTEMS)}",
    )
    parser.add_argument(
        "--scenarios",
        default="",
        help="comma-separated scenario names to run (default: all): get by id, "
        "account equals, source in, one month, title common, title rare, "
        "nested and/or, page 100, page 1000, page 50 of 100s, mixed",
    )
    parser.add_argument(
        "--floor-processes",
        type=int,
        default=os.cpu_count() or 1,
        help="processes running the floor's SQL side by side for throughput",
    )
    parser.add_argument(
        "--datasette-threads", type=int, default=3, help="Datasette's num_sql_threads"
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        help="CALLVAULT_LOG_LEVEL of the callvault server (INFO is its default)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="results file (default bench/results/<YYYY-MM-DD>.md)",
    )
    parser.add_argument("--no-save", action="store_true", help="print the results only")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse(argv)
    from bench import dataset, report, run, scenarios

    def say(message: str) -> None:
        print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)

    load_before = report.load_average()
    data = dataset.prepare(args.cache, args.records, args.seed, args.reuse, say)
    chosen = scenarios.build(data)
    wanted = {name.strip() for name in args.scenarios.split(",") if name.strip()}
    unknown = wanted - {s.name for s in chosen}
    if unknown:
        raise SystemExit(f"unknown scenarios: {', '.join(sorted(unknown))}")
    too_deep = [s.name for s in chosen if s.deep and not scenarios.deep_enough(data)]
    if too_deep:
        why = (
            f"{args.records:,} recordings make fewer than {scenarios.PAGE_DEPTH} "
            f"pages of 100 with one after: {', '.join(too_deep)} left out"
        )
        if wanted & set(too_deep):
            raise SystemExit(why)
        say(why)
    chosen = [
        s for s in chosen if s.name not in too_deep and (not wanted or s.name in wanted)
    ]
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(systems) - set(run.SYSTEMS)
    if unknown:
        raise SystemExit(f"unknown systems: {', '.join(sorted(unknown))}")
    options = run.Options(
        concurrency=args.concurrency,
        seconds=args.seconds,
        warmup=args.warmup,
        latency_seconds=args.latency_seconds,
        floor_processes=args.floor_processes,
        datasette_threads=args.datasette_threads,
        log_level=args.log_level,
    )
    started = time.perf_counter()
    outcome = run.run_all(data, chosen, systems, options, args.cache / "logs", say)
    text = report.render(
        data, chosen, systems, options, outcome, load_before, report.load_average()
    )
    print(text)
    say(f"done in {time.perf_counter() - started:.0f}s")
    if not args.no_save:
        out = args.out or HERE / "results" / f"{datetime.now(UTC):%Y-%m-%d}.md"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text)
        say(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
