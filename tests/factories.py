"""Request bodies a user would send, with sensible defaults."""

from __future__ import annotations

import uuid
from typing import Any


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
