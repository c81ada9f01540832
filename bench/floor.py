"""The raw-SQL floor: the statement callvault's search code builds for a
request (search.repository.page_statement over search.compile's condition,
or recordings.repository.get for one id), captured as the exact SQL text and
parameters SQLAlchemy hands to the driver, then executed directly with
sqlite3 on the same file. Only execution and fetching the rows are timed."""

from __future__ import annotations

import multiprocessing
import sqlite3
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from bench.dataset import Dataset
from bench.load import Result
from bench.scenarios import PAGE_DEPTH, Scenario, Variant

Statement = tuple[str, tuple[Any, ...]]


def _capture(database: Any, work: Callable[[Session], Any]) -> list[Statement]:
    captured: list[Statement] = []

    def listener(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            captured.append((statement, tuple(parameters)))

    event.listen(database.engine, "before_cursor_execute", listener)
    try:
        with database.session(write=False) as session:
            work(session)
    finally:
        event.remove(database.engine, "before_cursor_execute", listener)
    return captured


def statements(dataset: Dataset, scenario: Scenario) -> list[Statement]:
    from callvault.kernel.db import Database
    from callvault.kernel.logging import configure_logging

    configure_logging("WARNING")
    database = Database(f"sqlite:///{dataset.path.resolve()}")
    try:
        return [
            _statement(database, dataset, v, scenario.deep) for v in scenario.variants
        ]
    finally:
        database.dispose()


def _statement(
    database: Any, dataset: Dataset, variant: Variant, deep: bool
) -> Statement:
    from callvault.recordings import repository as recordings
    from callvault.search import pagination, repository
    from callvault.search.compile import compile_search
    from callvault.search.filters import parse_filter
    from callvault.search.schemas import Filter
    from callvault.search.service import search as search_service

    organization_id = dataset.organization_id
    if variant.get_id is not None:
        recording_id = variant.get_id
        return _capture(
            database, lambda s: recordings.get(s, organization_id, recording_id)
        )[0]
    node = parse_filter(
        Filter.model_validate(variant.filter) if variant.filter else None
    )
    condition = compile_search(node, "sqlite")
    after = None
    if deep:
        after = _position_of_page(
            database, dataset, variant, PAGE_DEPTH, search_service, pagination, node
        )

    def page(session: Session) -> None:
        # limit + 1: the service reads one row beyond the page.
        statement = repository.page_statement(
            organization_id, condition, after, variant.limit + 1
        )
        list(session.scalars(statement))

    return _capture(database, page)[0]


def _position_of_page(database, dataset, variant, depth, search, pagination, node):
    """Where page `depth` starts, by following callvault's own cursors."""
    from callvault.organizations.service import Principal
    from callvault.search.schemas import SearchCallRecordingsRequest

    principal = Principal(
        organization_id=dataset.organization_id,
        organization_name="bench",
        organization_domains=(),
        token_id="bench",
    )
    cursor = None
    with database.session(write=False) as session:
        for _ in range(depth - 1):
            request = SearchCallRecordingsRequest.model_validate(
                {
                    **({"filter": variant.filter} if variant.filter else {}),
                    "limit": variant.limit,
                    "cursor": cursor,
                }
            )
            cursor = search(session, principal, request).pagination["cursor"]
    bound = pagination.binding(dataset.organization_id, node, variant.limit)
    return pagination.decode(cursor, bound)


def count_rows(dataset: Dataset, statement: Statement, limit: int) -> int:
    connection = _connect(dataset.db)
    rows = connection.execute(*statement).fetchall()
    connection.close()
    return min(len(rows), limit)


def _connect(db: str) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{db}?mode=ro", uri=True, check_same_thread=False)


MIN_REQUESTS = 3
MAX_SECONDS = 90.0


def _loop(args: tuple[str, Sequence[Statement], float, float, int]) -> tuple:
    db, work, warmup, seconds, offset = args
    connection = _connect(db)
    latencies: list[float] = []
    count = 0
    begin = time.perf_counter()
    timed_from, stop_at = begin + warmup, begin + warmup + seconds
    index = offset
    last = timed_from
    while True:
        sql, params = work[index % len(work)]
        index += 1
        started = time.perf_counter()
        if started >= stop_at and (
            count >= MIN_REQUESTS or started >= timed_from + MAX_SECONDS
        ):
            break
        connection.execute(sql, params).fetchall()
        ended = time.perf_counter()
        if started >= timed_from:
            count += 1
            latencies.append((ended - started) * 1000)
            last = ended
    connection.close()
    return count, latencies, max(seconds, last - timed_from) if count else seconds


def run(
    dataset: Dataset,
    work: Sequence[Statement],
    *,
    processes: int,
    seconds: float,
    warmup: float,
) -> Result:
    """`processes` loops side by side, each on its own connection."""
    jobs = [(dataset.db, work, warmup, seconds, i * 7) for i in range(processes)]
    if processes == 1:
        outcomes = [_loop(jobs[0])]
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            outcomes = pool.map(_loop, jobs)
    latencies = [value for _, values, _ in outcomes for value in values]
    return Result(
        requests=sum(count for count, _, _ in outcomes),
        errors=0,
        # Loops side by side: the longest one is the window.
        seconds=max(elapsed for _, _, elapsed in outcomes),
        latencies_ms=latencies,
        client_cpu_seconds=0.0,
    )
