"""The raw-SQL floor: every SELECT callvault's own service issues for a
request on a warm server (`search.service.search` for a search, with the
trigram probe of a title needle unless the service remembers it common, and
the page query; `recordings.service.present_stored` for a get), captured as
the driver runs it (sqlite3's trace callback, the values written in), then
executed directly with sqlite3 on the same file, one after the other, on a
connection with the page cache callvault reads with. Only execution and
fetching the rows are timed.

On SQLite that SQL reads each recording's response JSON as stored
(recordings.documents), so the floor includes reading the documents."""

from __future__ import annotations

import dataclasses
import multiprocessing
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session

from bench.dataset import Dataset
from bench.load import Result
from bench.scenarios import PAGE_DEPTH, Scenario, Variant, search_body

Statement = tuple[str, tuple[Any, ...]]
# The statements of one request, in the order the service runs them.
Work = list[Statement]


def _capture(database: Any, work: Callable[[Session], Any]) -> list[Statement]:
    """The SELECTs of `work` run a second time, as a request runs on a warm
    server: the first run lets the service remember a common title needle,
    as the warm-up window before every timed one does for callvault.

    Read with sqlite3's trace callback, which sees what the driver runs
    whether SQLAlchemy or the search's compiled plans send it, with the
    values written into the SQL as SQLite expands them."""
    with database.session(write=False) as session:
        work(session)
    captured: list[str] = []
    with database.session(write=False) as session:
        driver = session.connection().connection.driver_connection
        driver.set_trace_callback(captured.append)
        try:
            work(session)
        finally:
            driver.set_trace_callback(None)
    selects = [sql for sql in captured if sql.lstrip().upper().startswith("SELECT")]
    return [(sql, ()) for sql in selects]


def statements(dataset: Dataset, scenario: Scenario) -> list[Work]:
    """One request's statements for each variant of the scenario."""
    from callvault.kernel.db import Database
    from callvault.kernel.logging import configure_logging

    configure_logging("WARNING")
    database = Database(f"sqlite:///{dataset.path.resolve()}")
    try:
        return [
            _statements(database, dataset, v, scenario.deep) for v in scenario.variants
        ]
    finally:
        database.dispose()


def _statements(database: Any, dataset: Dataset, variant: Variant, deep: bool) -> Work:
    from callvault.recordings.service import present_stored
    from callvault.search.service import search

    organization_id = dataset.organization_id
    if variant.get_id is not None:
        recording_id = variant.get_id
        return _capture(
            database, lambda s: present_stored(s, organization_id, recording_id)
        )
    principal = _principal(dataset)
    cursor = None
    if deep:
        # Page PAGE_DEPTH, by following callvault's own cursors.
        with database.session(write=False) as session:
            for _ in range(PAGE_DEPTH - 1):
                page = search(session, principal, _request(variant, cursor))
                cursor = page.pagination["cursor"]
    request = _request(variant, cursor)
    return _capture(database, lambda s: search(s, principal, request))


def _request(variant: Variant, cursor: str | None) -> Any:
    from callvault.search.schemas import SearchCallRecordingsRequest

    body = search_body(dataclasses.replace(variant, cursor=cursor))
    return SearchCallRecordingsRequest.model_validate(body)


def _principal(dataset: Dataset) -> Any:
    from callvault.organizations.service import Principal

    return Principal(
        organization_id=dataset.organization_id,
        organization_name="bench",
        organization_domains=(),
        token_id="bench",
    )


def count_rows(dataset: Dataset, work: Work, limit: int) -> int:
    """Rows of the request's last statement, its page or its recording."""
    connection = _connect(dataset.db)
    rows = connection.execute(*work[-1]).fetchall()
    connection.close()
    return min(len(rows), limit)


def _connect(db: str) -> sqlite3.Connection:
    from callvault.settings import SQLITE_READ_CACHE_MB

    connection = sqlite3.connect(
        f"file:{db}?mode=ro", uri=True, check_same_thread=False
    )
    # The page cache callvault's reading connection has (kernel.db).
    connection.execute(f"PRAGMA cache_size=-{SQLITE_READ_CACHE_MB * 1024}")
    return connection


@contextmanager
def in_turn(dataset: Dataset, work: Sequence[Work]) -> Iterator[Callable[[int], None]]:
    """`run(i)`: the i-th request's statements (in turn over `work`), on a
    connection of its own, for `load.side_by_side_p50s`."""
    connection = _connect(dataset.db)

    def run(index: int) -> None:
        for sql, params in work[index % len(work)]:
            connection.execute(sql, params).fetchall()

    try:
        yield run
    finally:
        connection.close()


MIN_REQUESTS = 3
MAX_SECONDS = 90.0


def _loop(args: tuple[str, Sequence[Work], float, float, int]) -> tuple:
    db, work, warmup, seconds, offset = args
    connection = _connect(db)
    latencies: list[float] = []
    count = 0
    begin = time.perf_counter()
    timed_from, stop_at = begin + warmup, begin + warmup + seconds
    index = offset
    last = timed_from
    while True:
        statements = work[index % len(work)]
        index += 1
        started = time.perf_counter()
        if started >= stop_at and (
            count >= MIN_REQUESTS or started >= timed_from + MAX_SECONDS
        ):
            break
        for sql, params in statements:
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
    work: Sequence[Work],
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
