from __future__ import annotations

import httpx

from tests.importing import FIXTURES, dump, fetch, run_import, summary_counts
from tests.live import LiveServer, Org

ZOOM = FIXTURES / "zoom"


def line(name: str, offset: int, text: str) -> dict[str, object]:
    return {
        "speaker_name": name,
        "speaker_email": "",
        "offset_ms": offset,
        "text": text,
    }


def test_zoom_meetings_are_joined_with_their_vtt_files(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    result = run_import(server, org, "zoom", ZOOM)

    assert result.exit_code == 0, result.output
    assert summary_counts(result)["created"] == 5

    weekly, lines = fetch(api, server, org, "zoom", "4444AAAiAAAAAiAiAiiAii==")
    assert weekly["title"] == "Wonka weekly"
    assert weekly["start_time"] == "2025-07-01T15:00:05Z"
    assert weekly["end_time"] == "2025-07-01T15:32:05Z"
    assert weekly["duration_ms"] == 32 * 60_000
    assert weekly["url"] == "https://example.zoom.us/rec/share/wonka-weekly"
    assert weekly["participant_emails"] == ["sam@vendor.example"]
    assert weekly["summary"] == ""
    assert lines == [
        line("Sam Carter", 1250, "Welcome, everyone."),
        line("Charlie Bucket", 4500, "Thanks! Quick question about the factory tour."),
        line("", 70_000, "(laughter)"),
        line("Guest 12", 3_600_001, "Time: ten past."),
    ]

    # Same meeting id, another instance: its own recording, by uuid.
    second, lines = fetch(api, server, org, "zoom", "5555BBB/jBBBBjBjBjjBjj==")
    assert second["duration_ms"] == 30_000
    assert lines == []

    _, lines = fetch(api, server, org, "zoom", "6666CCCkCCCCCkCkCkkCkk==")
    assert lines == []

    late, lines = fetch(api, server, org, "zoom", "8888EEEmEEEEEmEmEmmEmm==")
    assert late["end_time"] == "2025-07-11T19:45:00Z"
    assert late["participant_emails"] == [] and lines == []

    hook, lines = fetch(api, server, org, "zoom", "7777DDDlDDDDDlDlDllDll==")
    assert hook["start_time"] == "2025-07-10T07:30:00Z"
    assert hook["end_time"] == "2025-07-10T07:50:00Z"
    assert lines == [line("Sam Carter", 3000, "Hello from the webhook meeting.")]


def test_importing_zoom_twice_changes_nothing(server: LiveServer, org: Org) -> None:
    run_import(server, org, "zoom", ZOOM)
    before = dump(server, org)

    again = run_import(server, org, "zoom", ZOOM)

    assert summary_counts(again)["unchanged"] == 5
    assert dump(server, org) == before
