"""Two PATCHes of one recording at the same moment, each naming a different
custom field: both land (contract section 3, "fields not named keep their
values"), on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.factories import recording_body
from tests.live import LiveServer, Org

ROUNDS = 12


def define_text_field(api: httpx.Client, label: str) -> str:
    response = api.post(
        "/custom-fields",
        json={"label": label, "type": "text", "object_type": "meeting"},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["data"]["slug"])


def test_concurrent_patches_of_different_fields_both_survive(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    slugs = [define_text_field(api, "Next step"), define_text_field(api, "Owner")]
    created = api.post("/call-recordings", json=recording_body()).json()["data"]
    path = f"/call-recordings/{created['id']}"
    clients = [server.client(org.token), server.client(org.token)]

    seen = []
    try:
        for round_ in range(ROUNDS):
            patches = _patch_together(clients, path, slugs, round_)
            seen.append((patches, api.get(path).json()["data"]))
    finally:
        for client in clients:
            client.close()

    for round_, (patches, final) in enumerate(seen):
        assert [p.status_code for p in patches] == [200, 200]
        assert final["custom_fields"] == {
            slug: {"slug": slug, "value": f"{slug}-{round_}"} for slug in slugs
        }
        # The updates took turns: the one committed last answered with both
        # fields and its time is the recording's.
        last = max((p.json()["data"] for p in patches), key=lambda d: d["updated_at"])
        assert last == final


def _patch_together(
    clients: list[httpx.Client], path: str, slugs: list[str], round_: int
) -> list[httpx.Response]:
    together = threading.Barrier(len(clients))

    def patch(index: int) -> httpx.Response:
        body = {
            "custom_fields": [
                {"slug": slugs[index], "value": f"{slugs[index]}-{round_}"}
            ]
        }
        together.wait()
        return clients[index].patch(path, json=body)

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return list(pool.map(patch, range(len(clients))))


# More writes at once than the server has worker threads (anyio's 40).
CROWD = 64


def test_more_writes_at_once_than_worker_threads_all_land(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    """A write's unit of work ends (commits) in a worker thread of its own:
    writers waiting for the database's write lock must leave one free, or
    the writer holding the lock can never finish."""
    slug = define_text_field(api, "Crowd")
    created = api.post("/call-recordings", json=recording_body()).json()["data"]
    path = f"/call-recordings/{created['id']}"
    together = threading.Barrier(CROWD)

    def patch(index: int) -> int:
        with server.client(org.token) as client:
            together.wait()
            body = {"custom_fields": [{"slug": slug, "value": f"v{index}"}]}
            return client.patch(path, json=body, timeout=120).status_code

    with ThreadPoolExecutor(max_workers=CROWD) as pool:
        statuses = list(pool.map(patch, range(CROWD)))

    assert statuses == [200] * CROWD
    final = api.get(path).json()["data"]["custom_fields"][slug]["value"]
    assert final in {f"v{index}" for index in range(CROWD)}
