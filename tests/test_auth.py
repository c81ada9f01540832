"""Authentication and tenancy (contract section 5) through real HTTP."""

from __future__ import annotations

import httpx
import pytest

from callvault.organizations import service as org_service
from tests.envelope import refused
from tests.live import LiveServer, Org


@pytest.mark.parametrize(
    "header",
    [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer:cv_x", "Token cv_abc"],
    ids=["absent", "empty", "basic", "bearer-alone", "no-space", "other-scheme"],
)
def test_a_missing_or_malformed_header_is_401_invalid_authorization_header(
    server: LiveServer, header: str | None
) -> None:
    headers = {} if header is None else {"Authorization": header}

    response = httpx.get(f"{server.base_url}/me", headers=headers)

    refused(response, 401, "invalid_authorization_header", "Bearer")


def test_an_unknown_token_is_401_invalid_api_token(server: LiveServer) -> None:
    with server.client("cv_" + "x" * 43) as client:
        refused(client.get("/me"), 401, "invalid_api_token")


def test_the_scheme_is_matched_without_case(server: LiveServer, org: Org) -> None:
    response = httpx.get(
        f"{server.base_url}/me", headers={"Authorization": f"bearer {org.token}"}
    )

    assert response.status_code == 200


def test_a_revoked_token_is_refused_from_then_on(server: LiveServer, org: Org) -> None:
    with server.client(org.token) as client:
        assert client.get("/me").status_code == 200

        with server.database.session(write=True) as session:
            org_service.revoke_token(session, org.token[:12])

        refused(client.get("/me"), 401, "invalid_api_token", "revoked")
        refused(client.post("/accounts", json={"name": "x"}), 401, "invalid_api_token")


def test_a_caller_without_a_token_learns_that_before_any_fault_of_the_body(
    anonymous: httpx.Client,
) -> None:
    response = anonymous.post(
        "/call-recordings",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )

    refused(response, 401, "invalid_authorization_header")


def test_me_answers_the_organization_and_the_token_as_its_user(
    api: httpx.Client, org: Org
) -> None:
    body = api.get("/me").json()

    assert body["data"]["id"] == org.id
    assert body["data"]["name"] == org.name
    assert body["data"]["user"]["email"] == ""
    assert len(body["data"]["user"]["id"]) == 36


def test_two_tokens_of_one_organization_see_the_same_data(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    with server.database.session(write=True) as session:
        organization = org_service.require_organization(session, org.name)
        second = org_service.create_token(session, organization)
    account = api.post("/accounts", json={"name": "Shared"}).json()["data"]

    with server.client(second) as other:
        fetched = other.get(f"/accounts/{account['id']}")
        me = other.get("/me").json()["data"]

    assert fetched.json()["data"] == account
    assert me["id"] == org.id
    assert me["user"]["id"] != api.get("/me").json()["data"]["user"]["id"]
