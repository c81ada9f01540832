"""One benchmark run: every scenario against every system, in turn, one
server process tree at a time."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

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
    steal: float = math.nan  # share of the machine's CPU time taken by others
    first_error: str = ""
    # The deep page only: c1 p50 of the first and the deep page, alternating.
    depth_p50s: tuple[float, float] | None = None
    # One process only: c1 p50 of the request and of the floor's statements
    # for it, run in turn (load.side_by_side_p50s).
    beside_floor_p50s: tuple[float, float] | None = None
    # One process only: c1 p50 of the request and of the floor's statements
    # for it, in blocks taken in turn (load.blocks_p50s): the latency
    # targets are judged on these.
    blocks_p50s: tuple[float, float] | None = None


@dataclass
class Options:
    concurrency: int
    seconds: float
    warmup: float
    latency_seconds: float
    floor_processes: int
    datasette_threads: int
    log_level: str


def block_seconds(options: Options) -> float:
    """How long each side of the blocks pass runs before the other's turn."""
    return min(0.5, options.latency_seconds / 2)


@dataclass
class Outcome:
    measures: dict[str, dict[str, Measure | None]] = field(default_factory=dict)
    memory: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict)
    memory_at_start: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict)
    roles: dict[str, dict[int, str]] = field(default_factory=dict)
    calibration: dict[str, Measure] = field(default_factory=dict)


T = TypeVar("T")


def _cpu_times() -> tuple[int, int] | None:
    """(steal, total) in clock ticks since boot, from /proc/stat's first line
    (user nice system idle iowait irq softirq steal ...); None off Linux."""
    try:
        first = Path("/proc/stat").read_text().split("\n", 1)[0].split()
    except OSError:
        return None
    ticks = [int(value) for value in first[1:9]]
    return (ticks[7] if len(ticks) > 7 else 0), sum(ticks)


def with_steal(work: Callable[[], T]) -> tuple[T, float]:
    """`work()` and the share of the machine's CPU time its hypervisor gave
    to other machines meanwhile: on a shared VM, the figures of a window
    with much steal are slower than the code."""
    before = _cpu_times()
    done = work()
    after = _cpu_times()
    if before is None or after is None or after[1] == before[1]:
        return done, math.nan
    return done, (after[0] - before[0]) / (after[1] - before[1])


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
    loaded, steal = with_steal(
        lambda: load.run(
            base_url,
            requests,
            concurrency=options.concurrency,
            seconds=options.seconds,
            warmup=options.warmup,
            cpu_probe=cpu_probe,
        )
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
        steal=steal,
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


def _callvault_measure(
    dataset: Dataset,
    server: servers.Server,
    scenario: Scenario,
    options: Options,
    beside_floor: bool,
) -> Measure:
    measured = (
        _callvault_deep(dataset, server.base_url, scenario)
        if scenario.deep
        else scenario
    )
    requests = [callvault_request(dataset, v) for v in measured.variants]
    rows = _checked(server.base_url, requests[0], callvault_rows)
    result = measure(server.base_url, requests, rows, options, server.cpu_seconds)
    if scenario.deep:
        first = callvault_request(dataset, scenario.variants[0])
        first_p50, deep_p50 = load.alternating_p50s(
            server.base_url,
            [first, requests[0]],
            options.latency_seconds,
            min(1.0, options.warmup),
        )
        result.depth_p50s = (first_p50, deep_p50)
    if beside_floor:
        with floor.in_turn(dataset, floor.statements(dataset, scenario)) as local:
            result.beside_floor_p50s = load.side_by_side_p50s(
                server.base_url,
                requests,
                local,
                options.latency_seconds,
                min(1.0, options.warmup),
            )
            # Each side timed for about a c1 pass's length.
            result.blocks_p50s = load.blocks_p50s(
                server.base_url,
                requests,
                local,
                2 * options.latency_seconds,
                block=block_seconds(options),
            )
    return result


def _datasette_measure(
    dataset: Dataset, server: servers.Server, scenario: Scenario, options: Options
) -> Measure | None:
    if not scenario.datasette_can:
        return None
    database = dataset.path.stem
    if scenario.deep:
        scenario = _datasette_deep(database, dataset, server.base_url, scenario)
    paths = [datasette_path(database, dataset, v) for v in scenario.variants]
    requests = [Request("GET", p) for p in paths if p is not None]
    rows = _checked(server.base_url, requests[0], datasette_rows)
    return measure(server.base_url, requests, rows, options, server.cpu_seconds)


def _floor_measure(dataset: Dataset, scenario: Scenario, options: Options) -> Measure:
    work = floor.statements(dataset, scenario)
    first = scenario.variants[0]
    rows = floor.count_rows(dataset, work[0], 1 if first.get_id else first.limit)
    single = floor.run(
        dataset,
        work,
        processes=1,
        seconds=options.latency_seconds,
        warmup=min(1.0, options.warmup),
    )
    loaded, steal = with_steal(
        lambda: floor.run(
            dataset,
            work,
            processes=options.floor_processes,
            seconds=options.seconds,
            warmup=options.warmup,
        )
    )
    return Measure(
        rps=loaded.rps,
        p50=loaded.percentile(50),
        p99=loaded.percentile(99),
        c1_p50=single.percentile(50),
        c1_p99=single.percentile(99),
        rows=rows,
        errors=0,
        client_cpu=0.0,
        client_us=0.0,
        steal=steal,
    )


def _server(system: str, dataset: Dataset, options: Options) -> servers.Server:
    if system == "datasette":
        return servers.datasette(dataset.path, options.datasette_threads)
    workers = 1 if system == "callvault" else int(system.rsplit("w", 1)[1])
    return servers.callvault(dataset.path, workers, options.log_level)


def run_all(
    dataset: Dataset,
    scenarios: list[Scenario],
    systems: list[str],
    options: Options,
    log_dir: Path,
    say: Callable[[str], None],
) -> Outcome:
    """Every server is started first and stays up (idle ones cost nothing);
    each scenario then runs on every system back to back, so that the
    systems compared in a row saw the same moment of a shared machine."""
    outcome = Outcome()
    log_dir.mkdir(parents=True, exist_ok=True)
    running: dict[str, servers.Server] = {}
    try:
        for system in systems:
            if system != "floor":
                say(f"starting {system}")
                running[system] = _server(system, dataset, options)
                running[system].start(log_dir)
                outcome.memory_at_start[system] = running[system].memory()
        for system, server in running.items():
            trivial = "/-/versions.json" if system == "datasette" else "/healthz"
            result = measure(
                server.base_url,
                [Request("GET", trivial)],
                0,
                options,
                server.cpu_seconds,
            )
            outcome.calibration[system] = result
            say(
                f"  {system} {trivial}: {result.rps:.0f} rps, client {result.client_cpu:.0%} of a core"
            )
        for scenario in scenarios:
            row = outcome.measures.setdefault(scenario.name, {})
            for system in systems:
                if system == "floor":
                    result: Measure | None = _floor_measure(dataset, scenario, options)
                elif system == "datasette":
                    result = _datasette_measure(
                        dataset, running[system], scenario, options
                    )
                else:
                    result = _callvault_measure(
                        dataset,
                        running[system],
                        scenario,
                        options,
                        beside_floor=system == "callvault",
                    )
                row[system] = result
                if result is None:
                    say(f"  {scenario.name} / {system}: n/a")
                else:
                    say(
                        f"  {scenario.name} / {system}: {result.rps:.1f} rps, p50 "
                        f"{result.p50:.2f} ms, c1 p50 {result.c1_p50:.2f} ms, "
                        f"server {result.server_ms:.2f} ms CPU/req, rows {result.rows}, "
                        f"steal {result.steal:.0%}"
                    )
        for system, server in running.items():
            outcome.memory[system] = server.memory()
            outcome.roles[system] = server.roles()
    finally:
        for server in running.values():
            server.stop()
    return outcome
