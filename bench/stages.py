"""What each stage of a search request costs, in-process: `python -m bench.stages`.

Runs the pieces callvault's search handler calls, one at a time, on a cached
benchmark database and reports the CPU time of each per request: the token
lookup, the service's own SQL run on sqlite3 (the floor), the whole search
service, and JSON. No HTTP, no threads, so the figures hold even on a busy
machine.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from bench import dataset, floor, scenarios

HERE = Path(__file__).resolve().parent


def cost(work: Callable[[], object], seconds: float) -> float:
    """CPU milliseconds per call."""
    work()
    calls = 0
    started = time.process_time()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        work()
        calls += 1
    return 1000 * (time.process_time() - started) / calls


def _scenario(data, database, raw, scenario, seconds: float) -> None:
    from callvault.organizations.service import authenticate
    from callvault.search.schemas import SearchCallRecordingsRequest
    from callvault.search.service import search

    variant = scenario.variants[0]
    (work,) = floor.statements(data, scenarios.Scenario("", "", [variant]))
    request = SearchCallRecordingsRequest.model_validate(scenarios.search_body(variant))
    in_session = _in_session(database)
    with database.session(write=False) as session:
        principal = authenticate(session, data.token)
        page = search(session, principal, request)
    body = {"data": page.data, "pagination": page.pagination, "request_id": "r"}
    stages = [
        ("session open+close (empty)", in_session(lambda s: None)),
        (
            "auth: authenticate() in its own session",
            in_session(lambda s: authenticate(s, data.token)),
        ),
        (
            f"floor: the service's {len(work)} statement(s) on sqlite3",
            lambda: [raw.execute(*statement).fetchall() for statement in work],
        ),
        (
            "whole search service (no HTTP, no auth)",
            in_session(lambda s: search(s, principal, request)),
        ),
        ("orjson.dumps of the body", lambda: orjson.dumps(body)),
    ]
    print(f"\n{scenario.name} ({len(page.data)} rows)")
    for label, stage in stages:
        print(f"  {cost(stage, seconds):8.3f} ms  {label}")


def _in_session(database):
    def wrap(work: Callable) -> Callable[[], object]:
        def run() -> object:
            with database.session(write=False) as session:
                return work(session)

        return run

    return wrap


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stages", description=__doc__)
    parser.add_argument(
        "--records", type=int, default=100_000, help="size of the cached database"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seed of the cached database"
    )
    parser.add_argument(
        "--scenario",
        action="append",
        help="scenario (repeatable); default: page 100, page 1000, account equals",
    )
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per stage")
    args = parser.parse_args(argv)

    from callvault.kernel.db import Database
    from callvault.kernel.logging import configure_logging
    from callvault.organizations.service import authenticate
    from callvault.recordings.service import present_stored

    configure_logging("WARNING")
    data = dataset.prepare(HERE / ".cache", args.records, args.seed, True, print)
    names = args.scenario or ["page 100", "page 1000", "account equals"]
    database = Database(f"sqlite:///{data.path.resolve()}")
    raw = sqlite3.connect(f"file:{data.db}?mode=ro", uri=True)
    print(
        f"{data.records:,} recordings; CPU ms per request, {args.seconds:g} s a stage"
    )
    for scenario in scenarios.build(data):
        if scenario.name in names:
            _scenario(data, database, raw, scenario, args.seconds)
    one = data.sample_ids[0]
    in_session = _in_session(database)
    print("\nget by id")
    for label, work in [
        (
            "auth: authenticate() in its own session",
            in_session(lambda s: authenticate(s, data.token)),
        ),
        (
            "get: present_stored (the recording's response)",
            in_session(lambda s: present_stored(s, data.organization_id, one)),
        ),
    ]:
        print(f"  {cost(work, args.seconds):8.3f} ms  {label}")
    raw.close()
    database.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
