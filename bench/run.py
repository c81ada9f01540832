"""One benchmark run: every scenario against every system, in turn, one
server process tree at a time."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from bench import floor, load, servers
from bench.dataset import Dataset
from bench.load import Request
from bench.scenarios import (
    PAGE_DEPTH,
    Scenario,
    callvault_request,
    callvault_rows,
    datasette_path,
    datasette_rows,
)

SYSTEMS = ("callvault", "callvault-w2", "datasette", "floor")


@dataclass
class Measure:
    rps: float
    p50: float
    p99: float
    c1_p50: float
    c1_p99: float
    rows: int
    errors: int
    client_cpu: float  # share of one core the load generator used
    client_us: float  # load generator CPU per request
    server_ms: float = 0.0  # server CPU per request (all its processes)
    first_error: str = ""


@dataclass
class Options:
    concurrency: int
    seconds: float
    warmup: float
    latency_seconds: float
    floor_processes: int
    datasette_threads: int
    log_level: str


@dataclass
class Outcome:
    measures: dict[str, dict[str, Measure | None]] = field(default_factory=dict)
    memory: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict)
    calibration: dict[str, Measure] = field(default_factory=dict)


def measure(
    base_url: str,
    requests: list[Request],
    rows: int,
    options: Options,
    cpu_probe: Callable[[], float] | None = None,
) -> Measure:
    single = load.run(
        base_url,
        requests,
        concurrency=1,
        seconds=options.latency_seconds,
        warmup=min(1.0, options.warmup),
    )
    loaded = load.run(
        base_url,
        requests,
        concurrency=options.concurrency,
        seconds=options.seconds,
        warmup=options.warmup,
        cpu_probe=cpu_probe,
    )
    return Measure(
        rps=loaded.rps,
        p50=loaded.percentile(50),
        p99=loaded.percentile(99),
        c1_p50=single.percentile(50),
        c1_p99=single.percentile(99),
        rows=rows,
        errors=loaded.errors + single.errors,
        client_cpu=loaded.client_cpu_seconds / loaded.seconds,
        client_us=loaded.client_cpu_us_per_request,
        server_ms=1000 * loaded.server_cpu_seconds / loaded.requests
        if loaded.requests
        else 0.0,
        first_error=loaded.first_error or single.first_error,
    )


def _checked(base_url: str, request: Request, count: Callable[[bytes], int]) -> int:
    status, body = load.fetch(base_url, request)
    if status != 200:
        raise RuntimeError(f"{request.method} {request.path}: {status} {body[:300]!r}")
    return count(body)


def _callvault_deep(dataset: Dataset, base_url: str, scenario: Scenario) -> Scenario:
    deep = copy.deepcopy(scenario)
    variant = deep.variants[0]
    for _ in range(PAGE_DEPTH - 1):
        status, body = load.fetch(base_url, callvault_request(dataset, variant))
        assert status == 200, body[:300]
        variant.cursor = orjson.loads(body)["pagination"]["cursor"]
    return deep


def _datasette_deep(
    database: str, dataset: Dataset, base_url: str, scenario: Scenario
) -> Scenario:
    deep = copy.deepcopy(scenario)
    variant = deep.variants[0]
    for _ in range(PAGE_DEPTH - 1):
        path = datasette_path(database, dataset, variant)
        assert path is not None
        status, body = load.fetch(base_url, Request("GET", path))
        assert status == 200, body[:300]
        variant.datasette_next = orjson.loads(body)["next"]
    return deep


def run_callvault(
    dataset: Dataset,
    scenarios: list[Scenario],
    workers: int,
    options: Options,
    outcome: Outcome,
    log_dir: Path,
    say: Callable[[str], None],
) -> None:
    system = "callvault" if workers == 1 else f"callvault-w{workers}"
    server = servers.callvault(dataset.path, workers, options.log_level)
    say(f"starting {server.name}")
    server.start(log_dir)
    try:
        outcome.calibration[system] = measure(
            server.base_url,
            [Request("GET", "/healthz")],
            0,
            options,
            server.cpu_seconds,
        )
        say(f"  healthz {outcome.calibration[system].rps:.0f} rps")
        for scenario in scenarios:
            if scenario.deep:
                scenario = _callvault_deep(dataset, server.base_url, scenario)
            requests = [callvault_request(dataset, v) for v in scenario.variants]
            rows = _checked(server.base_url, requests[0], callvault_rows)
            result = measure(
                server.base_url, requests, rows, options, server.cpu_seconds
            )
            outcome.measures.setdefault(scenario.name, {})[system] = result
            say(
                f"  {scenario.name}: {result.rps:.0f} rps p50 {result.p50:.2f} ms c1 p50 {result.c1_p50:.2f} ms rows {rows}"
            )
        outcome.memory[system] = server.memory()
    finally:
        server.stop()


def run_datasette(
    dataset: Dataset,
    scenarios: list[Scenario],
    options: Options,
    outcome: Outcome,
    log_dir: Path,
    say: Callable[[str], None],
) -> None:
    server = servers.datasette(dataset.path, options.datasette_threads)
    database = dataset.path.stem
    say("starting datasette")
    server.start(log_dir)
    try:
        outcome.calibration["datasette"] = measure(
            server.base_url,
            [Request("GET", "/-/versions.json")],
            0,
            options,
            server.cpu_seconds,
        )
        for scenario in scenarios:
            if not scenario.datasette_can:
                outcome.measures.setdefault(scenario.name, {})["datasette"] = None
                continue
            if scenario.deep:
                scenario = _datasette_deep(database, dataset, server.base_url, scenario)
            paths = [datasette_path(database, dataset, v) for v in scenario.variants]
            requests = [Request("GET", p) for p in paths if p is not None]
            rows = _checked(server.base_url, requests[0], datasette_rows)
            result = measure(
                server.base_url, requests, rows, options, server.cpu_seconds
            )
            outcome.measures.setdefault(scenario.name, {})["datasette"] = result
            say(
                f"  {scenario.name}: {result.rps:.0f} rps p50 {result.p50:.2f} ms c1 p50 {result.c1_p50:.2f} ms rows {rows}"
            )
        outcome.memory["datasette"] = server.memory()
    finally:
        server.stop()


def run_floor(
    dataset: Dataset,
    scenarios: list[Scenario],
    options: Options,
    outcome: Outcome,
    say: Callable[[str], None],
) -> None:
    say("floor: callvault's SQL on sqlite3 in-process")
    for scenario in scenarios:
        work = floor.statements(dataset, scenario)
        rows = floor.count_rows(
            dataset,
            work[0],
            scenario.variants[0].limit if scenario.variants[0].get_id is None else 1,
        )
        single = floor.run(
            dataset,
            work,
            processes=1,
            seconds=options.latency_seconds,
            warmup=min(1.0, options.warmup),
        )
        loaded = floor.run(
            dataset,
            work,
            processes=options.floor_processes,
            seconds=options.seconds,
            warmup=options.warmup,
        )
        result = Measure(
            rps=loaded.rps,
            p50=loaded.percentile(50),
            p99=loaded.percentile(99),
            c1_p50=single.percentile(50),
            c1_p99=single.percentile(99),
            rows=rows,
            errors=0,
            client_cpu=0.0,
            client_us=0.0,
        )
        outcome.measures.setdefault(scenario.name, {})["floor"] = result
        say(
            f"  {scenario.name}: {result.rps:.0f} rps p50 {result.p50:.2f} ms c1 p50 {result.c1_p50:.2f} ms rows {rows}"
        )


def run_all(
    dataset: Dataset,
    scenarios: list[Scenario],
    systems: list[str],
    options: Options,
    log_dir: Path,
    say: Callable[[str], None],
) -> Outcome:
    outcome = Outcome()
    log_dir.mkdir(parents=True, exist_ok=True)
    for system in systems:
        if system == "callvault":
            run_callvault(dataset, scenarios, 1, options, outcome, log_dir, say)
        elif system == "callvault-w2":
            run_callvault(dataset, scenarios, 2, options, outcome, log_dir, say)
        elif system == "datasette":
            run_datasette(dataset, scenarios, options, outcome, log_dir, say)
        elif system == "floor":
            run_floor(dataset, scenarios, options, outcome, say)
    return outcome
