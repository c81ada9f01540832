"""Request bodies a user would send, with sensible defaults, and the calls
that make the objects a test starts from."""

from __future__ import annotations

import uuid
from typing import Any

import httpx


def recording_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "app_type": "custom_call_recorder",
        "recording_id": f"rec-{uuid.uuid4().hex[:12]}",
        "title": "Onboarding kickoff",
        "start_time": "2025-01-15T09:30:00Z",
        "end_time": "2025-01-15T10:00:00Z",
        "participant_emails": "ana@customer.example,sam@vendor.example",
        "primary_user_email": "sam@vendor.example",
        "recording_url": "https://recorder.example/r/1",
        "call_recording_messages": [
            {
                "speaker_email": "ana@customer.example",
                "speaker_name": "Ana",
                "message_content": "Hello!",
                "message_at_ms": 0,
            },
            {
                "speaker_name": "Sam",
                "message_content": "Welcome aboard.",
                "message_at_ms": 1500,
            },
        ],
    }
    body.update(overrides)
    return body


# One meeting field of every type the contract names, as a user would define
# them, with a valid value and its canonical form as answered.
FIELD_SPECS: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    ("text", {}, {"value": "Wants SSO"}, {"value": "Wants SSO"}),
    ("number", {}, {"value": "42"}, {"value": "42"}),
    ("decimal", {}, {"value": "1234.50"}, {"value": "1234.50"}),
    ("boolean", {}, {"value": "true"}, {"value": "true"}),
    ("date", {}, {"value": "2025-03-31"}, {"value": "2025-03-31"}),
    (
        "datetime",
        {},
        {"value": "2025-03-31T17:00:00+02:00"},
        {"value": "2025-03-31T15:00:00Z"},
    ),
    (
        "url",
        {},
        {"value": "https://tickets.example/T-1"},
        {"value": "https://tickets.example/T-1"},
    ),
    (
        "select",
        {"select_options": [{"label": "Positive"}, {"label": "Negative"}]},
        {"value": "positive"},
        {"value": "positive"},
    ),
    (
        "multiselect",
        {"select_options": [{"label": "Pricing"}, {"label": "Security"}]},
        {"values": ["security", "pricing"]},
        {"values": ["security", "pricing"]},
    ),
]


def field_body(kind: str, **overrides: Any) -> dict[str, Any]:
    extra = next(spec[1] for spec in FIELD_SPECS if spec[0] == kind)
    body: dict[str, Any] = {
        "label": f"{kind.title()} field",
        "type": kind,
        "object_type": "meeting",
        **extra,
    }
    body.update(overrides)
    return body


def create_recording(api: httpx.Client, **overrides: Any) -> dict[str, Any]:
    """A recording made through the API; `overrides` change the default body."""
    response = api.post("/call-recordings", json=recording_body(**overrides))
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()["data"]
    return data
