"""Searches and lookups run in read threads of their own (kernel.deps): a
search in progress, however long, leaves every other request's token lookup,
gets and writes free to go on."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
import pytest

from callvault.kernel import deps
from callvault.recordings import service as recordings_service
from callvault.search import service
from tests.factories import create_recording, recording_body
from tests.live import LiveServer, Org


def test_a_search_in_progress_holds_up_no_lookup_or_write(
    server: LiveServer, org: Org, api: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    recording = create_recording(api)
    searching, release = threading.Event(), threading.Event()
    search = service.search

    def held_search(*args: Any, **kwargs: Any) -> Any:
        searching.set()
        # Bounded, so that a failure cannot hang the suite.
        release.wait(timeout=60)
        return search(*args, **kwargs)

    monkeypatch.setattr(service, "search", held_search)
    answers: list[httpx.Response] = []
    searcher = threading.Thread(
        target=lambda: answers.append(api.post("/call-recordings/search", json={}))
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
    assert on_loop == {"token": expected, "get": expected, "search": False}
