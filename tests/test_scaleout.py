"""Several `callvault serve` processes on one database: shared rate limits on
PostgreSQL with Redis, concurrent writers on SQLite."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from callvault.kernel.db import Database
from callvault.organizations import service as org_service
from callvault.organizations.models import Organization
from callvault.recordings.models import CallRecording
from tests.factories import recording_body
from tests.live import (
    REDIS_URL,
    Org,
    fresh_postgres_database,
    postgres_unreachable_reason,
    redis_unreachable_reason,
    unavailable,
)
from tests.processes import ServerProcess, redis_prefix, serve_processes, server_env

Send = Callable[[httpx.Client, str], httpx.Response]

# The operation the shared-quota test spends; a key of REQUESTS.
BURST_OPERATION = "search"
REQUESTS: dict[str, Send] = {
    "get": lambda client, recording_id: client.get(f"/call-recordings/{recording_id}"),
    "search": lambda client, _: client.post("/call-recordings/search", json={}),
}
BURST_LIMIT = 12
BURST_SIZE = 30


def new_org(database: Database) -> Org:
    name = f"org-{uuid.uuid4().hex[:10]}"
    with database.session(write=True) as session:
        organization = org_service.create_organization(session, name, [])
        token = org_service.create_token(session, organization)
    return Org(name=name, id=organization.id, token=token)


def client(server: ServerProcess, org: Org) -> httpx.Client:
    headers = {"Authorization": f"Bearer {org.token}"}
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=60)


def create_recording(server: ServerProcess, org: Org) -> str:
    with client(server, org) as api:
        response = api.post("/call-recordings", json=recording_body())
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])


@pytest.fixture
def postgres_and_redis() -> None:
    reasons = [
        r for r in (postgres_unreachable_reason(), redis_unreachable_reason()) if r
    ]
    if reasons:
        unavailable("; ".join(reasons))


@pytest.mark.usefixtures("postgres_and_redis")
def test_two_servers_share_one_quota_per_organization(tmp_path: Path) -> None:
    with fresh_postgres_database() as url:
        env = server_env(
            database_url=url,
            redis_url=REDIS_URL,
            redis_key_prefix=redis_prefix(),
            **{f"rate_limit_{BURST_OPERATION}": f"{BURST_LIMIT}/minute"},
        )
        with serve_processes(env, tmp_path, workers=(1, 1)) as servers:
            database = Database(url)
            try:
                busy, quiet = new_org(database), new_org(database)
                first_run_orgs = _count_first_run_orgs(database)
            finally:
                database.dispose()
            recording_id = create_recording(servers[0], busy)
            quiet_recording_id = create_recording(servers[1], quiet)

            statuses = _burst(servers, busy, recording_id)
            with client(servers[1], quiet) as api:
                untouched = REQUESTS[BURST_OPERATION](api, quiet_recording_id)
            outputs = [server.output() for server in servers]

    assert statuses == {200: BURST_LIMIT, 429: BURST_SIZE - BURST_LIMIT}
    assert untouched.status_code == 200
    assert untouched.headers["x-ratelimit-remaining"] == str(BURST_LIMIT - 1)
    # Both servers migrated one fresh database at the same moment; one of
    # them made the first organization, the other found it.
    assert first_run_orgs == 1
    assert sum("Its API token, shown only this once" in o for o in outputs) == 1


def _burst(servers: list[ServerProcess], org: Org, recording_id: str) -> Counter[int]:
    clients = [client(server, org) for server in servers]
    send = REQUESTS[BURST_OPERATION]
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            responses = list(
                pool.map(
                    lambda i: send(clients[i % len(clients)], recording_id),
                    range(BURST_SIZE),
                )
            )
    finally:
        for each in clients:
            each.close()
    for response in responses:
        if response.status_code == 429:
            assert response.json()["code"] == "rate_limited"
            assert int(response.headers["retry-after"]) >= 1
    return Counter(response.status_code for response in responses)


def _count_first_run_orgs(database: Database) -> int:
    with database.session(write=False) as session:
        count = session.scalar(
            select(func.count())
            .select_from(Organization)
            .where(Organization.name == "demo")
        )
    return int(count or 0)


WRITERS = 20
CREATES_EACH = 3
GENEROUS = "10000/minute"


def test_workers_on_sqlite_take_every_concurrent_write(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'callvault.db'}"
    env = server_env(
        database_url=url,
        rate_limit_create=GENEROUS,
        rate_limit_update=GENEROUS,
        rate_limit_default=GENEROUS,
    )
    # Two servers started together on a file that does not exist yet: three
    # processes migrate it at once, then two workers and one more serve it.
    with serve_processes(env, tmp_path, workers=(2, 1)) as servers:
        worker_pids = servers[0].worker_pids()
        database = Database(url)
        try:
            org = new_org(database)
            shared = _recording_with_fields(servers[0], org)
            results = _write_concurrently(servers, org, shared)
            stored = _stored_external_ids(database, org)
            first_run_orgs = _count_first_run_orgs(database)
        finally:
            database.dispose()
        with client(servers[1], org) as api:
            shared_fields = api.get(f"/call-recordings/{shared}").json()["data"]
        outputs = "".join(server.output() for server in servers)

    assert len(worker_pids) == 2
    assert Counter(status for status, _ in results) == {
        200: WRITERS * (CREATES_EACH + 1)
    }
    created = {name for _, name in results if name.startswith("writer-")}
    assert len(created) == WRITERS * CREATES_EACH
    assert stored == created | {"shared"}
    assert shared_fields["custom_fields"] == {
        f"note_{i}": {"slug": f"note_{i}", "value": f"from writer {i}"}
        for i in range(WRITERS)
    }
    assert first_run_orgs == 1
    assert "database is locked" not in outputs
    assert "http.unexpected_error" not in outputs


def _recording_with_fields(server: ServerProcess, org: Org) -> str:
    with client(server, org) as api:
        for i in range(WRITERS):
            field = {"label": f"Note {i}", "slug": f"note_{i}", "type": "text"}
            response = api.post(
                "/custom-fields", json={**field, "object_type": "meeting"}
            )
            assert response.status_code == 200, response.text
        response = api.post(
            "/call-recordings", json=recording_body(recording_id="shared")
        )
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["id"])


def _write_concurrently(
    servers: list[ServerProcess], org: Org, shared: str
) -> list[tuple[int, str]]:
    """Every writer creates recordings, then sets its own field of the shared one."""
    start = threading.Barrier(WRITERS)

    def writer(index: int) -> list[tuple[int, str]]:
        done = []
        with client(servers[index % len(servers)], org) as api:
            start.wait()
            for n in range(CREATES_EACH):
                external_id = f"writer-{index}-{n}"
                body = recording_body(recording_id=external_id)
                response = api.post("/call-recordings", json=body)
                done.append((response.status_code, external_id))
            value = {"slug": f"note_{index}", "value": f"from writer {index}"}
            response = api.patch(
                f"/call-recordings/{shared}", json={"custom_fields": [value]}
            )
            done.append((response.status_code, f"patch-{index}"))
        return done

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        return [
            result for batch in pool.map(writer, range(WRITERS)) for result in batch
        ]


def _stored_external_ids(database: Database, org: Org) -> set[str]:
    with database.session(write=False) as session:
        return set(
            session.scalars(
                select(CallRecording.external_id).where(
                    CallRecording.organization_id == org.id
                )
            )
        )
