from __future__ import annotations

import httpx

from tests.factories import recording_body


def create(api: httpx.Client, **overrides: object) -> dict:
    response = api.post("/call-recordings", json=recording_body(**overrides))
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_create_returns_every_field_of_the_contract(api: httpx.Client) -> None:
    data = create(api, recording_id="abc-1")

    assert data["source"] == "custom_call_recorder"
    assert data["external_id"] == "abc-1"
    assert data["title"] == "Onboarding kickoff"
    assert data["start_time"] == "2025-01-15T09:30:00Z"
    assert data["end_time"] == "2025-01-15T10:00:00Z"
    assert data["duration_ms"] == 30 * 60 * 1000
    assert data["url"] == "https://recorder.example/r/1"
    assert data["summary"] == ""
    assert data["account_id"] == ""
    assert data["participant_emails"] == ["ana@customer.example", "sam@vendor.example"]
    assert data["custom_fields"] == {}


def test_get_answers_the_created_recording(api: httpx.Client) -> None:
    created = create(api)

    response = api.get(f"/call-recordings/{created['id']}")

    assert response.status_code == 200
    assert response.json()["data"] == created
    assert response.headers["x-request-id"] == response.json()["request_id"]
