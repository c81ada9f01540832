"""Where reads run (kernel.deps): on SQLite lookups and searches on the event
loop, a search only within its budget of SQLite instructions; past it, and
on PostgreSQL, in read threads of their own, so that a long search leaves
every other request's token lookup, gets and writes free to go on."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from callvault.kernel import deps, http
from callvault.recordings import service as recordings_service
from callvault.search import service
from tests.factories import create_recording, recording_body
from tests.live import LiveServer, Org, Served
from tests.recording_rows import BASE_TIME, Row, add_recordings

# A two-character needle has no trigram: it is tested on a walk of the
# tenant's recordings, here all of them, some 100,000 SQLite instructions.
WALKED = 20_000


def walked_tenant(server: LiveServer, org: Org) -> str:
    """WALKED recordings of `org`, the oldest alone holding "zq"; its id."""
    rows = [
        Row(title=f"Weekly sync {n}", start_time=BASE_TIME + timedelta(seconds=n))
        for n in range(1, WALKED)
    ]
    oldest = Row(title="Zq review", start_time=BASE_TIME)
    add_recordings(server.database, org.id, [*rows, oldest])
    return oldest.id


ZQ = {"filter": {"field": "title", "operator": "string_contains", "value": "zq"}}


def test_a_long_search_moves_off_the_loop_and_holds_up_no_lookup_or_write(
    server: LiveServer, org: Org, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = create_recording(api)
    oldest = walked_tenant(server, org)
    searching, release = threading.Event(), threading.Event()
    places: list[str] = []
    search = service.search

    def held_off_the_loop(*args: Any, **kwargs: Any) -> Any:
        on_loop = asyncio._get_running_loop() is not None
        places.append("loop" if on_loop else "thread")
        if not on_loop:
            searching.set()
            # Bounded, so that a failure cannot hang the suite.
            release.wait(timeout=60)
        return search(*args, **kwargs)

    monkeypatch.setattr(service, "search", held_off_the_loop)
    answers: list[httpx.Response] = []
    searcher = threading.Thread(
        target=lambda: answers.append(api.post("/call-recordings/search", json=ZQ))
    )
    searcher.start()
    try:
        assert searching.wait(timeout=30)
        bystander = server.new_org(domains=["bystander.example"])
        with server.client(bystander.token) as other:
            assert other.get("/me").status_code == 200
        got = api.get(f"/call-recordings/{recording['id']}", timeout=30)
        created = api.post("/call-recordings", json=recording_body(), timeout=30)
        still_searching = not answers
    finally:
        release.set()
        searcher.join(timeout=60)

    assert got.status_code == 200 and created.status_code == 200
    assert still_searching
    assert answers[0].status_code == 200
    assert [r["id"] for r in answers[0].json()["data"]] == [oldest]
    on_sqlite = server.database.dialect == "sqlite"
    assert places == (["loop", "thread"] if on_sqlite else ["thread"])


def test_a_search_within_its_budget_is_answered_on_the_loop_on_sqlite(
    server: LiveServer, org: Org, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = create_recording(api, title="Zq kickoff")
    places: list[bool] = []
    search = service.search

    def noted(*args: Any, **kwargs: Any) -> Any:
        places.append(asyncio._get_running_loop() is not None)
        return search(*args, **kwargs)

    monkeypatch.setattr(service, "search", noted)
    answer = api.post("/call-recordings/search", json=ZQ)

    assert [r["id"] for r in answer.json()["data"]] == [recording["id"]]
    assert places == [server.database.dialect == "sqlite"]


def test_lookups_by_key_run_on_the_event_loop_only_on_sqlite_counting_locally(
    server: LiveServer, org: Org, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = create_recording(api)
    on_loop: dict[str, bool] = {}

    def noting(name: str, work: Any) -> Any:
        def noted(*args: Any, **kwargs: Any) -> Any:
            on_loop[name] = asyncio._get_running_loop() is not None
            return work(*args, **kwargs)

        return noted

    monkeypatch.setattr(deps, "authenticate", noting("token", deps.authenticate))
    monkeypatch.setattr(
        recordings_service,
        "present_stored",
        noting("get", recordings_service.present_stored),
    )
    monkeypatch.setattr(service, "search", noting("search", service.search))
    got = api.get(f"/call-recordings/{recording['id']}")
    searched = api.post("/call-recordings/search", json={})

    counted_in_redis = (
        server.settings.rate_limits == "on" and server.settings.redis_url is not None
    )
    expected = server.database.dialect == "sqlite" and not counted_in_redis
    assert (got.status_code, searched.status_code) == (200, 200)
    # A search runs on the loop on SQLite however requests are counted: it
    # asks nothing of Redis.
    on_sqlite = server.database.dialect == "sqlite"
    assert on_loop == {"token": expected, "get": expected, "search": on_sqlite}


def endless_statement(dialect: str) -> str:
    """A statement that runs for half a minute or more on either engine."""
    if dialect == "sqlite":
        return (
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
            "LIMIT 300000000) SELECT count(*) FROM c"
        )
    return "SELECT pg_sleep(40)"


def test_a_search_in_a_read_thread_stops_when_its_caller_leaves(
    server: LiveServer, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    running, ended = threading.Event(), threading.Event()
    endings: list[BaseException] = []
    dialect = server.database.dialect

    def endless(reader: Any, *args: Any, **kwargs: Any) -> Any:
        if asyncio._get_running_loop() is not None:
            # On the loop the budget stops it, and it moves to a thread.
            return reader.connection.driver_connection.execute(
                endless_statement(dialect)
            ).fetchall()
        running.set()
        try:
            # As a search runs its statements (kernel.prepared): on SQLite's
            # driver, elsewhere through SQLAlchemy.
            if dialect == "sqlite":
                driver = reader.connection().connection.driver_connection
                return driver.execute(endless_statement(dialect)).fetchall()
            return reader.execute(text(endless_statement(dialect))).all()
        except BaseException as error:
            endings.append(error)
            raise
        finally:
            ended.set()

    served = Served(http.log)
    monkeypatch.setattr(http, "log", served)
    monkeypatch.setattr(service, "search", endless)
    with pytest.raises(httpx.ReadTimeout):
        api.post("/call-recordings/search", json=ZQ, timeout=httpx.Timeout(30, read=2))
    assert running.is_set()

    # Stopped at once, not half a minute later, and answered as a caller
    # that left, not as a failure of the server's.
    assert ended.wait(timeout=10)
    assert endings and isinstance(endings[0], DBAPIError | sqlite3.Error), endings
    deadline = time.monotonic() + 10
    while not any(event == "http.request_served" for event, _ in served.lines):
        assert time.monotonic() < deadline, served.lines
        time.sleep(0.05)
    assert [(event, fields.get("status")) for event, fields in served.lines] == [
        ("http.request_served", 499)
    ]
    monkeypatch.undo()
    assert api.post("/call-recordings/search", json=ZQ).status_code == 200
