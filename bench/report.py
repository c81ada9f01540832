"""The run as Markdown: machine and versions, one table of throughput and
latency per system, the ratios, peak memory, and the targets checked."""

from __future__ import annotations

import math
import os
import platform
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata

from bench.dataset import Dataset
from bench.run import Measure, Options, Outcome, block_seconds
from bench.scenarios import Scenario

NA = "n/a"


def machine() -> dict[str, str]:
    memory = ""
    with open("/proc/meminfo") as info:
        for line in info:
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    model = ""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cores": str(os.cpu_count()), "memory": memory, "cpu": model}


def versions() -> dict[str, str]:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        commit += " (src modified)" if dirty else ""
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    return {
        "callvault": f"{metadata.version('callvault')} @ {commit}",
        "datasette": _installed_version("datasette"),
        "sqlite": sqlite3.sqlite_version,
        "python": platform.python_version(),
        "uvicorn": metadata.version("uvicorn"),
        "fastapi": metadata.version("fastapi"),
        "sqlalchemy": metadata.version("sqlalchemy"),
    }


def _installed_version(package: str) -> str:
    """Datasette comes with the bench group only; a run without it says so."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def _ratio(a: float, b: float) -> str:
    if not b:
        return "∞" if a else "-"
    return f"{a / b:.2f}x"


def _share(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.0%}"


def _div(a: float, b: float) -> float:
    return a / b if b else float("inf")


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def render(
    dataset: Dataset,
    scenarios: list[Scenario],
    systems: list[str],
    options: Options,
    outcome: Outcome,
    load_before: str,
    load_after: str,
) -> str:
    box = machine()
    lines = [
        f"# callvault benchmark, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
        "",
        f"- command: `{' '.join(['python -m bench', *sys.argv[1:]])}`",
        f"- machine: {box['cores']} cores ({box['cpu']}), {box['memory']} RAM; "
        f"load average (1/5/15 min) before {load_before}, after {load_after}; "
        "the machine is shared, other work was running",
        f"- data: {dataset.records:,} recordings in one organization, "
        f"{len(dataset.account_ids)} accounts with recordings, seed {dataset.seed}; "
        f"database file {os.path.getsize(dataset.db) / 1e9:.2f} GB "
        f"(imported through `callvault import jsonl` in {dataset.imported_seconds:.0f} s)",
        "- versions: "
        + ", ".join(f"{name} {value}" for name, value in versions().items()),
        f"- load: closed loop, {options.concurrency} keep-alive connections, "
        f"{options.warmup:g} s warm-up then {options.seconds:g} s timed per scenario; "
        f"`c1 p50` is a separate {options.latency_seconds:g} s pass with one "
        "connection (latency without queueing)",
        "- floor: every SELECT callvault's service issues for the request on a "
        "warm server (a rare title needle's trigram probe and the page, or the "
        "get), which on "
        "SQLite reads each recording's stored response JSON, run in turn with "
        f"sqlite3 in {options.floor_processes} process(es) for throughput and "
        "one for c1; execution and fetching only",
        "- in turn: a further one-connection pass of "
        f"{options.latency_seconds:g} s that sends callvault (one process) a "
        "request and then runs the floor's statements for it, over and over: "
        "both timed at the same moments, each after the other's work, where "
        "the c1 floor repeats its query alone with every cache its own",
        "- in blocks: one connection to callvault (one process) and the "
        "floor's statements on one sqlite3 connection, each for "
        f"{block_seconds(options):g} s in turn, {2 * options.latency_seconds:g} s "
        "in all, the first tenth "
        "of each block untimed: both over the same minutes, each with its own "
        "caches; the latency targets are judged on these, since separate c1 "
        "passes minutes apart read the machine's drift as a difference",
        "- Datasette: `--immutable`, sql_time_limit_ms 60000, "
        f"num_sql_threads {options.datasette_threads}, facets and suggestions off, "
        "every request `organization_id=…&_sort_desc=start_time&_size=…"
        "&_nocount=1&_nofacet=1&_nosuggest=1&_nocol=document` (its SQL orders by start_time desc alone; its `_next` token carries the id)",
        f"- callvault: `callvault serve`, CALLVAULT_RATE_LIMITS=off, "
        f"CALLVAULT_LOG_LEVEL={options.log_level}",
        "",
    ]
    lines += _client(outcome)
    lines += _main_table(scenarios, systems, outcome)
    lines += _ratios(scenarios, systems, outcome)
    lines += _memory(outcome)
    lines += _targets(scenarios, outcome)
    lines += ["## Scenarios", ""]
    lines += [f"- **{s.name}**: {s.description}" for s in scenarios]
    lines.append("")
    return "\n".join(lines)


def _client(outcome: Outcome) -> list[str]:
    lines = ["## Load generator", ""]
    for system, result in outcome.calibration.items():
        endpoint = "/healthz" if system.startswith("callvault") else "/-/versions.json"
        lines.append(
            f"- {system} {endpoint}: {result.rps:,.0f} rps, p50 {_ms(result.p50)} ms; "
            f"the client used {result.client_cpu:.0%} of one core, "
            f"{result.client_us:.0f} µs CPU a request; the server "
            f"{result.server_ms:.2f} ms CPU a request"
        )
    busiest = max(
        (
            (m.client_cpu, name, system)
            for name, row in outcome.measures.items()
            for system, m in row.items()
            if m is not None and system != "floor"
        ),
        default=None,
    )
    if busiest:
        lines.append(
            f"- busiest scenario for the client: {busiest[1]} on {busiest[2]}, "
            f"{busiest[0]:.0%} of one core: the client is not the bottleneck when "
            "this stays well below 100% and below the trivial endpoint's share"
        )
    lines.append("")
    return lines


def _main_table(
    scenarios: list[Scenario], systems: list[str], outcome: Outcome
) -> list[str]:
    lines = [
        "## Throughput and latency",
        "",
        "| scenario | system | rps | p50 ms | p99 ms | c1 p50 ms | c1 p99 ms | server CPU ms/req | rows | errors | client CPU | steal |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in scenarios:
        row = outcome.measures.get(scenario.name, {})
        for system in systems:
            if system not in row:
                continue
            m = row[system]
            if m is None:
                lines.append(f"| {scenario.name} | {system} | {NA} | | | | | | | | | |")
                continue
            lines.append(
                f"| {scenario.name} | {system} | {m.rps:,.0f} | {_ms(m.p50)} | "
                f"{_ms(m.p99)} | {_ms(m.c1_p50)} | {_ms(m.c1_p99)} | "
                f"{_ms(m.server_ms) if system != 'floor' else '-'} | {m.rows} | "
                f"{m.errors} | {m.client_cpu:.0%} | {_share(m.steal)} |"
            )
    lines.append("")
    errors = [
        f"- {name} on {system}: {m.first_error}"
        for name, row in outcome.measures.items()
        for system, m in row.items()
        if m is not None and m.first_error
    ]
    lines += [
        "`steal`: the share of the machine's CPU time that its hypervisor gave "
        "to other machines during the timed window (/proc/stat): where it is "
        "high, every figure of that row is slower than the code.",
        "",
    ]
    if errors:
        lines += ["First error seen:", "", *errors, ""]
    return lines


def _get(outcome: Outcome, scenario: str, system: str) -> Measure | None:
    return outcome.measures.get(scenario, {}).get(system)


def _ratios(
    scenarios: list[Scenario], systems: list[str], outcome: Outcome
) -> list[str]:
    ours = [s for s in systems if s.startswith("callvault")]
    header = ["scenario"]
    for system in ours:
        header += [f"{system}/datasette rps", f"{system}/floor rps"]
    header += ["c1 p50: callvault − floor", "c1 p50: callvault / floor"]
    header += ["in turn: callvault vs floor c1 p50"]
    header += ["in blocks: callvault vs floor c1 p50"]
    lines = [
        "## Ratios",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    for scenario in scenarios:
        cells = [scenario.name]
        floor = _get(outcome, scenario.name, "floor")
        datasette = _get(outcome, scenario.name, "datasette")
        for system in ours:
            m = _get(outcome, scenario.name, system)
            cells.append(_ratio(m.rps, datasette.rps) if m and datasette else NA)
            cells.append(_ratio(m.rps, floor.rps) if m and floor else NA)
        one = _get(outcome, scenario.name, "callvault")
        if one and floor:
            cells.append(f"{one.c1_p50 - floor.c1_p50:+.2f} ms")
            cells.append(_ratio(one.c1_p50, floor.c1_p50))
        else:
            cells += [NA, NA]
        cells.append(_in_turn(one))
        cells.append(_in_blocks(one))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


def _in_turn(one: Measure | None) -> str:
    return _beside(one.beside_floor_p50s if one else None)


def _in_blocks(one: Measure | None) -> str:
    return _beside(one.blocks_p50s if one else None)


def _beside(p50s: tuple[float, float] | None) -> str:
    """callvault's and the floor's p50, timed in one pass."""
    if p50s is None:
        return NA
    ours, floor = p50s
    return f"{ours:.2f} vs {floor:.2f} ms ({_ratio(ours, floor)})"


def _memory(outcome: Outcome) -> list[str]:
    lines = [
        "## Peak memory (VmHWM) of the server processes, read at the end of their run",
        "",
        "| system | process | RSS after start | peak |",
        "|---|---|---:|---:|",
    ]
    for system, tree in outcome.memory.items():
        start = outcome.memory_at_start.get(system, {})
        roles = outcome.roles.get(system, {})
        for pid, (peak, _) in tree.items():
            at_start = start.get(pid)
            lines.append(
                f"| {system} | {roles.get(pid, 'process')} {pid} | "
                f"{_mb(at_start[1]) if at_start else NA} | {_mb(peak)} |"
            )
        lines.append(f"| {system} | all {len(tree)} | | {_mb(_server_peak(tree))} |")
    lines += [
        "",
        "(a server's memory is the sum of its processes' peaks: with `--workers 2`, "
        "uvicorn's supervisor, two workers, and the resource tracker Python's "
        "multiprocessing starts beside them)",
        "",
    ]
    return lines


def _server_peak(tree: dict[int, tuple[int, int]]) -> int:
    return sum(peak for peak, _ in tree.values())


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "**not met**")


def _targets(scenarios: list[Scenario], outcome: Outcome) -> list[str]:
    lines = ["## Targets", ""]
    for system in ("callvault", "callvault-w2"):
        ratios = []
        for scenario in scenarios:
            m = _get(outcome, scenario.name, system)
            d = _get(outcome, scenario.name, "datasette")
            if m and d:
                ratios.append((_div(m.rps, d.rps), scenario.name))
        if ratios:
            worst = min(ratios)
            lines.append(
                f"- {system} throughput ≥ 2.5x Datasette on every scenario it can "
                f"express: {_verdict(worst[0] >= 2.5)} (lowest {worst[0]:.2f}x, {worst[1]})"
            )
        for name in ("title common", "title rare"):
            m = _get(outcome, name, system)
            d = _get(outcome, name, "datasette")
            if m and d:
                lines.append(
                    f"- {system} ≥ 10x Datasette on {name}: "
                    f"{_verdict(_div(m.rps, d.rps) >= 10)} ({_div(m.rps, d.rps):.1f}x)"
                )
    one = _get(outcome, "page 100", "callvault")
    floor = _get(outcome, "page 100", "floor")
    # Judged in blocks, which the one-process server is always timed in.
    if one and floor and one.blocks_p50s:
        ours, theirs = one.blocks_p50s
        gap = ours - theirs
        lines.append(
            f"- 100-row search p50 within 3 ms of the floor (one connection, "
            f"in blocks): {_verdict(gap <= 3)} ({ours:.2f} vs {theirs:.2f} ms, "
            f"{gap:+.2f} ms); separate c1 passes: {one.c1_p50:.2f} vs "
            f"{floor.c1_p50:.2f} ms; in turn: {_in_turn(one)}"
        )
    one = _get(outcome, "page 1000", "callvault")
    floor = _get(outcome, "page 1000", "floor")
    if one and floor and one.blocks_p50s:
        ours, theirs = one.blocks_p50s
        ratio = _div(ours, theirs)
        lines.append(
            f"- 1,000-row page p50 within 2x the floor (one connection, in blocks): "
            f"{_verdict(ratio <= 2)} ({ours:.2f} vs {theirs:.2f} ms, "
            f"{ratio:.1f}x); separate c1 passes: {one.c1_p50:.2f} vs "
            f"{floor.c1_p50:.2f} ms; in turn: {_in_turn(one)}"
        )
    for system in ("callvault", "callvault-w2"):
        tree = outcome.memory.get(system)
        if tree:
            total = _server_peak(tree)
            biggest = max(peak for peak, _ in tree.values())
            lines.append(
                f"- {system} memory under 200 MB: {_verdict(total < 200 * 1024)} "
                f"({_mb(total)} in {len(tree)} process(es), the largest "
                f"{_mb(biggest)})"
            )
    for system in ("callvault", "callvault-w2"):
        deep = _get(outcome, "page 50 of 100s", system)
        if deep and deep.depth_p50s:
            first_p50, deep_p50 = deep.depth_p50s
            ratio = _div(deep_p50, first_p50)
            lines.append(
                f"- {system} page 50 within 20% of the first (c1 p50, the two "
                f"pages in turn on one connection): {_verdict(ratio <= 1.2)} "
                f"({deep_p50:.2f} vs {first_p50:.2f} ms, {ratio:.2f}x)"
            )
    lines.append("")
    return lines
