"""What each stage of a search request costs, in-process: `python -m bench.stages`.

Runs the pieces callvault's search handler calls, one at a time, on a cached
benchmark database and reports the CPU time of each per request: the token
lookup, the page query through the ORM against the same SQL on sqlite3, the
custom-field query, building the response dicts, and JSON. No HTTP, no
threads, so the figures hold even on a busy machine.
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
    from callvault.recordings import repository as recordings
    from callvault.recordings.service import present_many
    from callvault.search import repository
    from callvault.search.compile import compile_search
    from callvault.search.filters import parse_filter
    from callvault.search.schemas import Filter, SearchCallRecordingsRequest
    from callvault.search.service import search

    variant = scenario.variants[0]
    statement = floor.statements(data, scenarios.Scenario("", "", [variant]))[0]
    node = parse_filter(
        Filter.model_validate(variant.filter) if variant.filter else None
    )
    condition = compile_search(node, "sqlite")
    limit = variant.limit
    org = data.organization_id
    with database.session(write=False) as session:
        principal = authenticate(session, data.token)
        rows = repository.search_page(session, org, condition, None, limit + 1)
        page = present_many(session, org, rows[:limit])
    body = {
        "data": page,
        "pagination": {"cursor": "x", "has_next_page": True},
        "request_id": "r",
    }
    request = SearchCallRecordingsRequest.model_validate(scenarios.search_body(variant))
    ids = [r.id for r in rows[:limit]]
    in_session = _in_session(database)
    stages = [
        ("session open+close (empty)", in_session(lambda s: None)),
        (
            "auth: authenticate() in its own session",
            in_session(lambda s: authenticate(s, data.token)),
        ),
        (
            "floor: page SQL on sqlite3 (execute+fetch)",
            lambda: raw.execute(*statement).fetchall(),
        ),
        (
            "page query (search_page: response columns)",
            in_session(
                lambda s: repository.search_page(s, org, condition, None, limit + 1)
            ),
        ),
        (
            "custom field values query (field_values)",
            in_session(lambda s: recordings.field_values(s, ids)),
        ),
        (
            "custom field probe (has_field_values)",
            in_session(lambda s: recordings.has_field_values(s, org)),
        ),
        (
            "present_many (custom fields + dicts)",
            in_session(lambda s: present_many(s, org, rows[:limit])),
        ),
        ("orjson.dumps of the body", lambda: orjson.dumps(body)),
        (
            "whole search service (no HTTP, no auth)",
            in_session(lambda s: search(s, principal, request)),
        ),
        (
            "sketch: sqlite3 tuples -> response dicts from stored text + dumps",
            lambda: orjson.dumps(_sketch_page(raw, statement, limit)),
        ),
    ]
    print(f"\n{scenario.name} ({len(ids)} rows)")
    for label, work in stages:
        print(f"  {cost(work, seconds):8.3f} ms  {label}")


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
    from callvault.recordings import repository as recordings
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
            "repository.get via ORM",
            in_session(lambda s: recordings.get(s, data.organization_id, one)),
        ),
        (
            "get + present (present_stored: response row + custom fields)",
            in_session(lambda s: present_stored(s, data.organization_id, one)),
        ),
    ]:
        print(f"  {cost(work, args.seconds):8.3f} ms  {label}")
    raw.close()
    database.dispose()
    return 0


COLUMNS = (
    "id, account_id, calendar_event_id, created_at, updated_at, duration_ms, "
    "start_time, end_time, external_id, participant_emails, source, summary, title, url"
)


def _instant(text: str) -> str:
    # Stored as naive UTC 'YYYY-MM-DD HH:MM:SS[.ffffff]': the RFC3339 form is
    # a string edit away, no datetime needed.
    text = text.replace(" ", "T", 1)
    if text.endswith(".000000"):
        text = text[:-7]
    return text + "Z"


def _sketch_page(raw: sqlite3.Connection, statement, limit: int) -> dict:
    """How cheap the page could be: the same WHERE/ORDER/LIMIT, the columns
    the response needs, and dicts built from tuples."""
    sql, params = statement
    sql = (
        "SELECT "
        + COLUMNS
        + " FROM call_recordings "
        + sql.split("FROM call_recordings", 1)[1]
    )
    rows = raw.execute(sql, params).fetchall()
    data = [
        {
            "id": r[0],
            "account_id": r[1] or "",
            "calendar_event_id": r[2],
            "created_at": _instant(r[3]),
            "updated_at": _instant(r[4]),
            "custom_fields": {},
            "duration_ms": r[5],
            "start_time": _instant(r[6]),
            "end_time": _instant(r[7]),
            "external_id": r[8],
            "participant_emails": orjson.Fragment(r[9]),
            "source": r[10],
            "summary": r[11],
            "title": r[12],
            "url": r[13],
        }
        for r in rows[:limit]
    ]
    return {
        "data": data,
        "pagination": {"cursor": "x", "has_next_page": len(rows) > limit},
    }


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
