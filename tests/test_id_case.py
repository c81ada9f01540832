"""Ids in any case (RFC 9562, section 4: a UUID's hex digits are
case-insensitive on input): every id a request carries, in its path, body or
search filter, names the same object in upper case, and every answer gives
the canonical lower-case form."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import create_recording, field_body


def test_a_recording_is_found_by_its_id_in_upper_case(api: httpx.Client) -> None:
    recording = create_recording(api)
    path = f"/call-recordings/{recording['id'].upper()}"

    fetched = api.get(path)
    patched = api.patch(path, json={})
    transcript = api.get(f"{path}/transcript")

    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["data"]["id"] == recording["id"]
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"]["id"] == recording["id"]
    assert transcript.status_code == 200, transcript.text
    assert [line["text"] for line in transcript.json()["data"]][0] == "Hello!"
    assert api.delete(path).status_code == 200
    assert api.get(f"/call-recordings/{recording['id']}").status_code == 404


def test_an_account_and_a_custom_field_are_found_in_upper_case(
    api: httpx.Client,
) -> None:
    account = api.post("/accounts", json={"name": "Cased"}).json()["data"]
    field = api.post("/custom-fields", json=field_body("text")).json()["data"]

    fetched = api.get(f"/accounts/{account['id'].upper()}")
    patched = api.patch(f"/accounts/{account['id'].upper()}", json={"name": "Renamed"})
    defined = api.get(f"/custom-fields/{field['id'].upper()}")

    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["data"]["id"] == account["id"]
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"]["id"] == account["id"]
    assert patched.json()["data"]["name"] == "Renamed"
    assert defined.status_code == 200, defined.text
    assert defined.json()["data"]["id"] == field["id"]


def test_an_account_id_in_upper_case_links_its_canonical_form(
    api: httpx.Client,
) -> None:
    account = api.post("/accounts", json={"name": "Linked"}).json()["data"]
    upper = account["id"].upper()

    created = create_recording(api, account_id=upper)
    other = create_recording(api)
    patched = api.patch(f"/call-recordings/{other['id']}", json={"account_id": upper})

    assert created["account_id"] == account["id"]
    assert patched.status_code == 200, patched.text
    assert patched.json()["data"]["account_id"] == account["id"]
    fetched = api.get(f"/call-recordings/{other['id']}").json()["data"]
    assert fetched["account_id"] == account["id"]


def _search(api: httpx.Client, **body: Any) -> dict[str, Any]:
    response = api.post("/call-recordings/search", json=body)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def test_an_account_id_filter_in_upper_case_matches(api: httpx.Client) -> None:
    account = api.post("/accounts", json={"name": "Searched"}).json()["data"]
    linked = create_recording(api, account_id=account["id"])
    unlinked = create_recording(api)
    upper = account["id"].upper()

    def ids(condition: dict[str, Any]) -> list[str]:
        found = _search(api, filter={"field": "account_id", **condition})["data"]
        return [item["id"] for item in found]

    assert ids({"operator": "equals", "value": upper}) == [linked["id"]]
    assert ids({"operator": "in", "values": [upper]}) == [linked["id"]]
    assert ids({"operator": "not_in", "values": [upper]}) == [unlinked["id"]]


def test_a_cursor_of_an_upper_case_filter_reads_the_next_page(
    api: httpx.Client,
) -> None:
    account = api.post("/accounts", json={"name": "Paged"}).json()["data"]
    older = create_recording(
        api,
        account_id=account["id"],
        start_time="2025-01-14T09:30:00Z",
        end_time="2025-01-14T10:00:00Z",
    )
    newer = create_recording(api, account_id=account["id"])
    upper = {
        "field": "account_id",
        "operator": "equals",
        "value": account["id"].upper(),
    }
    lower = {**upper, "value": account["id"]}

    first = _search(api, filter=upper, limit=1)
    second = _search(api, filter=upper, limit=1, cursor=first["pagination"]["cursor"])
    as_lower = _search(api, filter=lower, limit=1, cursor=first["pagination"]["cursor"])

    assert [item["id"] for item in first["data"]] == [newer["id"]]
    assert [item["id"] for item in second["data"]] == [older["id"]]
    assert second["pagination"] == {"cursor": "", "has_next_page": False}
    assert as_lower["data"] == second["data"]
