"""Accounts through real HTTP (contract section 3b)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from callvault.kernel.cursor import encode_cursor
from tests.envelope import refused
from tests.live import LiveServer, Org


def test_create_answers_every_field_the_client_reads(api: httpx.Client) -> None:
    response = api.post(
        "/accounts",
        json={"name": "Acme", "domains": ["https://WWW.Acme.example/", "acme.example"]},
    )

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["name"] == "Acme"
    assert data["type"] == "customer"
    assert data["is_disabled"] is False
    assert data["logo_url"] == ""
    assert data["latest_customer_activity_time"] == ""
    assert data["domains"] == ["www.acme.example", "acme.example"]
    assert data["primary_domain"] == "www.acme.example"
    assert data["created_at"].endswith("Z")
    assert data["updated_at"] == data["created_at"]


def test_create_accepts_what_the_official_client_sends(api: httpx.Client) -> None:
    response = api.post(
        "/accounts",
        json={
            "name": "Globex",
            "account_type": "partner",
            "domain": "globex.example",
            "logo_url": "https://logo.example/g.png",
            "channels": [{"channel_id": "C1", "source": "slack"}],
            "custom_fields": [{"slug": "tier", "value": "gold"}],
            "external_ids": [{"external_id": "1", "label": "crm"}],
            "owner_id": "someone",
            "subaccount_ids": [],
            "tags": ["vip"],
        },
    )

    data = response.json()["data"]
    assert data["type"] == "partner"
    assert data["domains"] == ["globex.example"]
    assert data["primary_domain"] == "globex.example"
    assert data["logo_url"] == "https://logo.example/g.png"


def test_a_domain_claimed_by_another_account_is_409(api: httpx.Client) -> None:
    first = api.post("/accounts", json={"name": "A", "domains": ["a.example"]})

    response = api.post("/accounts", json={"name": "B", "domains": ["A.example"]})

    refused(response, 409, "duplicate_object", "a.example")
    assert response.json()["exists_id"] == first.json()["data"]["id"]


def test_update_changes_only_what_is_given(api: httpx.Client) -> None:
    created = api.post(
        "/accounts", json={"name": "Old", "domains": ["old.example"]}
    ).json()["data"]

    updated = api.patch(
        f"/accounts/{created['id']}",
        json={"name": "New", "domains": ["new.example", "old.example"]},
    ).json()["data"]

    assert updated["name"] == "New"
    assert updated["domains"] == ["new.example", "old.example"]
    assert updated["primary_domain"] == "old.example"
    assert updated["type"] == "customer"
    assert api.get(f"/accounts/{created['id']}").json()["data"] == updated


def test_list_pages_through_every_account_oldest_first(api: httpx.Client) -> None:
    ids = [
        api.post("/accounts", json={"name": f"Acc {i}"}).json()["data"]["id"]
        for i in range(5)
    ]

    seen, cursor, pages = [], None, 0
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = api.get("/accounts", params=params).json()
        seen += [account["id"] for account in body["data"]]
        pages += 1
        cursor = body["pagination"]["cursor"]
        assert body["pagination"]["has_next_page"] is bool(cursor)
        if not cursor:
            break

    assert seen == ids
    assert pages == 3


def test_another_organizations_account_does_not_exist(
    api: httpx.Client, server: LiveServer
) -> None:
    created = api.post("/accounts", json={"name": "Mine"}).json()["data"]
    other = server.new_org()

    with server.client(other.token) as stranger:
        refused(stranger.get(f"/accounts/{created['id']}"), 404, "not_found")
        refused(
            stranger.patch(f"/accounts/{created['id']}", json={"name": "x"}),
            404,
            "not_found",
        )
        assert stranger.get("/accounts").json()["data"] == []


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"limit": "0"}, ["limit", "1000"]),
        ({"limit": "1001"}, ["limit", "1000"]),
        ({"limit": "x"}, ["limit"]),
        ({"cursor": "bogus"}, ["cursor"]),
        ({"cursor": encode_cursor("accounts", {"t": 5, "id": "x"})}, ["cursor"]),
        ({"cursor": encode_cursor("accounts", {"id": "x"})}, ["cursor"]),
        ({"cursor": encode_cursor("recordings", {"t": "x"})}, ["cursor"]),
    ],
)
def test_list_refuses_a_bad_limit_or_cursor(
    api: httpx.Client, params: dict[str, str], words: list[str]
) -> None:
    refused(api.get("/accounts", params=params), 400, "invalid_request_body", *words)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({}, ["name", "required"]),
        ({"name": ""}, ["name"]),
        ({"name": "A", "domains": ["not a domain"]}, ["domains[0]"]),
        ({"name": "A", "domains": "a.example"}, ["domains"]),
        ({"name": "A", "account_type": "x" * 51}, ["account_type"]),
    ],
)
def test_create_refuses_each_invalid_field_with_a_400_naming_it(
    api: httpx.Client, body: dict[str, Any], words: list[str]
) -> None:
    refused(api.post("/accounts", json=body), 400, "invalid_request_body", *words)


def test_update_refuses_a_primary_domain_it_does_not_have(api: httpx.Client) -> None:
    created = api.post(
        "/accounts", json={"name": "A", "domains": ["p.example"]}
    ).json()["data"]

    response = api.patch(
        f"/accounts/{created['id']}", json={"primary_domain": "q.example"}
    )

    refused(response, 400, "invalid_request_body", "primary_domain")


def test_one_domain_claimed_at_once_goes_to_one_account(
    server: LiveServer, org: Org
) -> None:
    def send(index: int) -> httpx.Response:
        with server.client(org.token) as client:
            body = {"name": f"Racer {index}", "domains": ["raced.example"]}
            return client.post("/accounts", json=body)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(send, range(6)))

    assert sorted(r.status_code for r in responses) == [200] + [409] * 5
    for response in responses:
        if response.status_code == 409:
            refused(response, 409, "duplicate_object", "raced.example")


def test_an_account_update_that_changes_nothing_keeps_updated_at(
    api: httpx.Client,
) -> None:
    body = {"name": "Still", "domains": ["still.example"], "account_type": "partner"}
    created = api.post("/accounts", json=body).json()["data"]
    url = f"/accounts/{created['id']}"

    for same in (
        {},
        body,
        {"primary_domain": "STILL.example", "is_disabled": False, "logo_url": ""},
    ):
        response = api.patch(url, json=same)
        assert response.status_code == 200, response.text
        assert response.json()["data"] == created, same

    renamed = api.patch(url, json={"name": "Moved"}).json()["data"]
    assert renamed["updated_at"] > created["updated_at"]
