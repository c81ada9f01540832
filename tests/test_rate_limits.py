"""Rate limits per organization and operation (contract section 1), through
real HTTP, counted in memory and in Redis."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from callvault.kernel.db import Database
from callvault.settings import Settings
from tests.factories import recording_body
from tests.live import (
    REDIS_URL,
    LiveServer,
    Org,
    free_port,
    fresh_postgres_database,
    postgres_unreachable_reason,
    redis_unreachable_reason,
    serve_in_thread,
    unavailable,
)
from tests.processes import redis_prefix, serve_processes, server_env

GET_LIMIT = 3
UPDATE_LIMIT = 2
CREATE_LIMIT = 5
DELETE_LIMIT = 2
DEFAULT_LIMIT = 4
RATE_LIMIT_FIELDS = (
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "ratelimit",
    "ratelimit-policy",
)


@pytest.fixture(scope="module", params=["memory", "redis"])
def limited(request: pytest.FixtureRequest, database_url: str) -> Iterator[LiveServer]:
    redis_url = None
    if request.param == "redis":
        reason = redis_unreachable_reason()
        if reason:
            unavailable(reason)
        redis_url = REDIS_URL
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        redis_key_prefix=redis_prefix(),
        rate_limit_get=f"{GET_LIMIT}/minute",
        rate_limit_update=f"{UPDATE_LIMIT}/minute",
        rate_limit_create=f"{CREATE_LIMIT}/minute",
        rate_limit_delete=f"{DELETE_LIMIT} per 30 seconds",
        rate_limit_default=f"{DEFAULT_LIMIT} per 2 minutes",
    )
    with serve_in_thread(settings) as live:
        yield live


@pytest.fixture
def tenant(limited: LiveServer) -> Org:
    return limited.new_org()


@pytest.fixture
def limited_api(limited: LiveServer, tenant: Org) -> Iterator[httpx.Client]:
    with limited.client(tenant.token) as client:
        yield client


def create(api: httpx.Client) -> str:
    response = api.post("/call-recordings", json=recording_body())
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])


def ietf_state(response: httpx.Response) -> tuple[str, int, int]:
    """(policy, remaining, seconds to reset) from the `RateLimit` field."""
    match = re.fullmatch(r'"(\w+)";r=(\d+);t=(\d+)', response.headers["ratelimit"])
    assert match, response.headers["ratelimit"]
    return match[1], int(match[2]), int(match[3])


def test_every_counted_response_carries_the_fields(limited_api: httpx.Client) -> None:
    recording_id = create(limited_api)

    first = limited_api.get(f"/call-recordings/{recording_id}")
    second = limited_api.get(f"/call-recordings/{recording_id}")

    assert first.status_code == second.status_code == 200
    assert first.headers["x-ratelimit-limit"] == str(GET_LIMIT)
    assert first.headers["x-ratelimit-remaining"] == str(GET_LIMIT - 1)
    assert second.headers["x-ratelimit-remaining"] == str(GET_LIMIT - 2)
    assert first.headers["ratelimit-policy"] == f'"get";q={GET_LIMIT};w=60'
    policy, remaining, reset = ietf_state(second)
    assert (policy, remaining) == ("get", GET_LIMIT - 2)
    assert 1 <= reset <= 60
    unix_reset = int(second.headers["x-ratelimit-reset"])
    assert time.time() - 1 <= unix_reset <= time.time() + 61


def test_the_request_over_the_limit_is_a_429(limited_api: httpx.Client) -> None:
    recording_id = create(limited_api)
    for _ in range(GET_LIMIT):
        assert limited_api.get(f"/call-recordings/{recording_id}").status_code == 200

    refused = limited_api.get(f"/call-recordings/{recording_id}")

    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "rate_limited"
    assert body["request_id"] == refused.headers["x-request-id"]
    assert body["errors"] == [
        f"Too many get requests: the limit is {GET_LIMIT} per minute. "
        f"Retry in {refused.headers['retry-after']} seconds."
    ]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert ietf_state(refused) == ("get", 0, int(refused.headers["retry-after"]))


def test_head_counts_against_the_quota_of_its_get(limited_api: httpx.Client) -> None:
    recording_id = create(limited_api)

    head = limited_api.head(f"/call-recordings/{recording_id}")
    get = limited_api.get(f"/call-recordings/{recording_id}")

    assert head.status_code == get.status_code == 200
    assert head.headers["ratelimit-policy"] == f'"get";q={GET_LIMIT};w=60'
    assert head.headers["x-ratelimit-remaining"] == str(GET_LIMIT - 1)
    assert get.headers["x-ratelimit-remaining"] == str(GET_LIMIT - 2)


def test_errors_count_and_carry_the_fields(limited_api: httpx.Client) -> None:
    response = limited_api.get("/call-recordings/00000000-0000-0000-0000-000000000000")

    assert response.status_code == 404
    assert response.headers["x-ratelimit-remaining"] == str(GET_LIMIT - 1)


def test_each_operation_has_its_own_quota(limited_api: httpx.Client) -> None:
    recording_id = create(limited_api)
    for _ in range(GET_LIMIT):
        limited_api.get(f"/call-recordings/{recording_id}")

    patches = [
        limited_api.patch(f"/call-recordings/{recording_id}", json={})
        for _ in range(UPDATE_LIMIT + 1)
    ]
    me = limited_api.get("/me")

    assert [p.status_code for p in patches] == [200] * UPDATE_LIMIT + [429]
    assert patches[0].headers["ratelimit-policy"] == f'"update";q={UPDATE_LIMIT};w=60'
    assert me.status_code == 200
    assert me.headers["ratelimit-policy"] == f'"default";q={DEFAULT_LIMIT};w=120'
    assert me.headers["x-ratelimit-remaining"] == str(DEFAULT_LIMIT - 1)


def test_create_and_delete_have_their_own_quotas(limited_api: httpx.Client) -> None:
    creates = [
        limited_api.post("/call-recordings", json=recording_body())
        for _ in range(CREATE_LIMIT + 1)
    ]
    ids = [c.json()["data"]["id"] for c in creates[: DELETE_LIMIT + 1]]
    deletes = [limited_api.delete(f"/call-recordings/{i}") for i in ids]

    assert [c.status_code for c in creates] == [200] * CREATE_LIMIT + [429]
    assert creates[0].headers["ratelimit-policy"] == f'"create";q={CREATE_LIMIT};w=60'
    assert [d.status_code for d in deletes] == [200] * DELETE_LIMIT + [429]
    assert deletes[0].headers["ratelimit-policy"] == f'"delete";q={DELETE_LIMIT};w=30'
    assert 1 <= int(deletes[-1].headers["retry-after"]) <= 30


def test_unlisted_routes_share_the_default_quota(limited_api: httpx.Client) -> None:
    statuses = [
        limited_api.get("/me").status_code,
        limited_api.get(
            "/custom-fields", params={"object_type": "meeting"}
        ).status_code,
        limited_api.get("/accounts").status_code,
        limited_api.get("/me").status_code,
        limited_api.get("/accounts").status_code,
    ]

    assert statuses == [200] * DEFAULT_LIMIT + [429]


def test_another_organization_keeps_its_quota(
    limited: LiveServer, limited_api: httpx.Client
) -> None:
    recording_id = create(limited_api)
    for _ in range(GET_LIMIT + 1):
        limited_api.get(f"/call-recordings/{recording_id}")
    other = limited.new_org()

    with limited.client(other.token) as other_api:
        response = other_api.get(f"/call-recordings/{create(other_api)}")

    assert response.status_code == 200
    assert response.headers["x-ratelimit-remaining"] == str(GET_LIMIT - 1)


def test_health_checks_and_refused_tokens_are_not_counted(
    limited: LiveServer,
) -> None:
    with limited.client(None) as anonymous:
        probes = [anonymous.get(path) for path in ("/healthz", "/readyz") * 3]
        unauthenticated = anonymous.get("/me")

    assert [p.status_code for p in probes] == [200] * 6
    assert unauthenticated.status_code == 401
    for response in [*probes, unauthenticated]:
        assert not set(RATE_LIMIT_FIELDS) & set(response.headers)


def test_rate_limits_off_switches_every_limit_off(database_url: str) -> None:
    settings = Settings(
        database_url=database_url, rate_limits="off", rate_limit_get="1/minute"
    )
    with serve_in_thread(settings) as live:
        org = live.new_org()
        with live.client(org.token) as api:
            recording_id = create(api)
            responses = [api.get(f"/call-recordings/{recording_id}") for _ in range(4)]

    assert [r.status_code for r in responses] == [200] * 4
    assert not set(RATE_LIMIT_FIELDS) & set(responses[-1].headers)


def test_requests_are_served_while_redis_is_down(
    database_url: str, tmp_path: Path
) -> None:
    env = server_env(
        database_url=database_url,
        redis_url=f"redis://127.0.0.1:{free_port()}/0",
        rate_limit_get="1/minute",
    )
    with serve_processes(env, tmp_path) as (server,):
        live = LiveServer(server.base_url, Database(database_url), Settings())
        try:
            org = live.new_org()
        finally:
            live.database.dispose()
        with live.client(org.token) as api:
            recording_id = create(api)
            responses = [api.get(f"/call-recordings/{recording_id}") for _ in range(5)]
        with live.client(None) as anonymous:
            ready = anonymous.get("/readyz")
        output = server.output()

    assert [r.status_code for r in responses] == [200] * 5
    assert not set(RATE_LIMIT_FIELDS) & set(responses[-1].headers)
    assert output.count("ratelimits.storage_unreachable") == 1
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable", "reason": "Redis: not reachable"}


def test_a_bad_limit_stops_the_server_at_start(database_url: str) -> None:
    env = server_env(database_url=database_url, rate_limit_search="often")
    finished = subprocess.run(
        [sys.executable, "-m", "callvault", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert finished.returncode == 2
    assert "CALLVAULT_RATE_LIMIT_SEARCH: 'often' is not a rate limit" in " ".join(
        finished.stderr.split()
    )


def test_readyz_reports_a_database_that_went_away() -> None:
    reason = postgres_unreachable_reason()
    if reason:
        unavailable(reason)

    with (
        fresh_postgres_database() as url,
        serve_in_thread(Settings(database_url=url)) as live,
        live.client(None) as anonymous,
    ):
        before = anonymous.get("/readyz")
        live.database.dispose()
        _drop(url)
        after = anonymous.get("/readyz")

    assert before.status_code == 200
    assert after.status_code == 503
    assert after.json()["reason"].startswith("database: ")


def _drop(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(
        make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()
