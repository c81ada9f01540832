"""A search sent as `application/json` goes straight to its endpoint
(kernel.direct_route) and answers exactly what FastAPI's own handler answers.

FastAPI reads `application/json; charset=utf-8` as JSON too, but the short
way takes only the plain media type: the same body sent both ways compares
the two handlers through real HTTP.
"""

from __future__ import annotations

import asyncio
import socket
import time
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import APIRouter, Request

from callvault.app import create_app
from callvault.kernel import http
from callvault.kernel.db import Database
from callvault.kernel.deps import CurrentPrincipal, authenticate_request
from callvault.kernel.direct_route import DirectJSONRoute
from callvault.organizations.service import Principal
from callvault.search.schemas import SearchCallRecordingsRequest
from tests.live import LiveServer, Org, Served
from tests.recording_rows import BASE_TIME, Row, add_accounts, add_recordings

DIRECT = "application/json"
FASTAPI = "application/json; charset=utf-8"


def answer(client: httpx.Client, body: bytes, content_type: str) -> dict[str, Any]:
    response = client.post(
        "/call-recordings/search", content=body, headers={"Content-Type": content_type}
    )
    payload = response.json()
    assert payload.pop("request_id") == response.headers["x-request-id"]
    return {
        "status": response.status_code,
        "payload": payload,
        "content-type": response.headers["content-type"],
    }


@pytest.fixture
def recordings(server: LiveServer, org: Org) -> list[Row]:
    account = add_accounts(server.database, org.id, 1)[0]
    rows = [
        Row(
            title=f"Renewal review {n}" if n % 2 else f"Kickoff {n}",
            source="zoom" if n % 3 else "gong",
            account_id=account if n % 4 else None,
            start_time=BASE_TIME + timedelta(days=n),
        )
        for n in range(12)
    ]
    add_recordings(server.database, org.id, rows)
    return rows


BODIES = [
    b"{}",
    b'{"limit": 5}',
    b'{"limit": 3, "filter": {"field": "title", "operator": "string_contains",'
    b' "value": "REVIEW"}}',
    b'{"filter": {"operator": "and", "subfilters": ['
    b'{"field": "source", "operator": "in", "values": ["zoom"]},'
    b'{"operator": "or", "subfilters": ['
    b'{"field": "account_id", "operator": "is_unset"},'
    b'{"field": "title", "operator": "equals", "value": "Kickoff 6"}]}]}}',
    b'{"filter": {"field": "start_time", "operator": "time_range",'
    b' "values": ["2024-01-03T00:00:00Z", "2024-01-09T00:00:00Z"]}}',
    # The service's refusals, raised once the body has validated.
    b'{"limit": 0}',
    b'{"filter": {"field": "title", "operator": "in", "values": ["x"]}}',
    b'{"cursor": "not a cursor"}',
    # The model's refusals and JSON's: FastAPI's handler answers both ways.
    b'{"limit": "5"}',
    b'{"limit": 5, "extra": true}',
    b'{"limit": 5',
    b"null",
    b"[]",
    b"",
]


@pytest.mark.parametrize("body", BODIES)
def test_each_body_is_answered_alike_either_way(
    api: httpx.Client, recordings: list[Row], body: bytes
) -> None:
    direct = answer(api, body, DIRECT)

    assert direct == answer(api, body, FASTAPI)
    assert direct["content-type"] == "application/json"


def test_a_cursor_from_the_direct_way_pages_on_either_way(
    api: httpx.Client, recordings: list[Row]
) -> None:
    first = answer(api, b'{"limit": 5}', DIRECT)["payload"]
    cursor = first["pagination"]["cursor"]
    body = b'{"limit": 5, "cursor": "%s"}' % cursor.encode()

    second = answer(api, body, DIRECT)

    assert second == answer(api, body, FASTAPI)
    assert second["status"] == 200
    assert [item["id"] for item in second["payload"]["data"]] == [
        row.id for row in recordings[::-1][5:10]
    ]


def test_a_refused_token_is_a_401_either_way(
    server: LiveServer, recordings: list[Row]
) -> None:
    with server.client("cv_not_a_token") as stranger:
        direct = answer(stranger, b'{"limit": 5}', DIRECT)
        assert direct == answer(stranger, b'{"limit": 5}', FASTAPI)

    assert direct["status"] == 401
    assert direct["payload"]["code"] == "invalid_api_token"


@pytest.mark.parametrize("content_type", [DIRECT, FASTAPI])
def test_a_caller_that_leaves_mid_body_is_logged_as_gone(
    server: LiveServer, org: Org, monkeypatch: pytest.MonkeyPatch, content_type: str
) -> None:
    served = Served(http.log)
    monkeypatch.setattr(http, "log", served)
    address = urlsplit(server.base_url)
    head = (
        "POST /call-recordings/search HTTP/1.1\r\n"
        f"Host: {address.netloc}\r\n"
        f"Authorization: Bearer {org.token}\r\n"
        f"Content-Type: {content_type}\r\n"
        "Content-Length: 100\r\n\r\n"
    )
    with socket.create_connection((address.hostname, address.port)) as caller:
        caller.sendall(head.encode() + b'{"limit": ')

    deadline = time.monotonic() + 10
    while not served.lines:
        assert time.monotonic() < deadline, "no request line logged"
        time.sleep(0.05)
    assert [(event, fields["status"]) for event, fields in served.lines] == [
        ("http.request_served", 499)
    ]


def test_a_well_formed_search_skips_the_dependency_solver(
    api: httpx.Client, recordings: list[Row], monkeypatch: pytest.MonkeyPatch
) -> None:
    def solver_called(**_: Any) -> None:
        raise AssertionError("FastAPI's dependency solver ran")

    monkeypatch.setattr("fastapi.routing.solve_dependencies", solver_called)

    response = api.post("/call-recordings/search", json={"limit": 2})

    assert response.status_code == 200
    assert len(response.json()["data"]) == 2


def test_the_application_s_overrides_are_applied(
    server: LiveServer, org: Org, recordings: list[Row]
) -> None:
    database = Database(server.settings.database_url)
    app = create_app(server.settings, database=database)
    app.dependency_overrides[authenticate_request] = lambda: Principal(
        organization_id=org.id,
        organization_name="stand-in",
        organization_domains=(),
        token_id="stand-in",
    )

    async def search() -> httpx.Response:
        transport = httpx.ASGITransport(app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://x"
        ) as client:
            # No token: only the override knows the caller.
            return await client.post("/call-recordings/search", json={"limit": 2})

    try:
        response = asyncio.run(search())
    finally:
        database.dispose()

    assert response.status_code == 200, response.text
    assert [item["id"] for item in response.json()["data"]] == [
        row.id for row in recordings[::-1][:2]
    ]


def test_an_endpoint_of_another_shape_is_refused_when_declared() -> None:
    router = APIRouter(route_class=DirectJSONRoute)

    async def with_a_query(
        request: Request,
        principal: CurrentPrincipal,
        body: SearchCallRecordingsRequest,
        page: int = 1,
    ) -> None: ...

    with pytest.raises(TypeError, match="DirectJSONRoute endpoint"):
        router.post("/search")(with_a_query)
