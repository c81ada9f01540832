from __future__ import annotations

import httpx

from tests.importing import FIXTURES, count, dump, fetch, run_import, summary_counts
from tests.live import LiveServer, Org

GRANOLA = FIXTURES / "granola"


def line(name: str, email: str, offset: int, text: str) -> dict[str, object]:
    return {
        "speaker_name": name,
        "speaker_email": email,
        "offset_ms": offset,
        "text": text,
    }


def test_granola_notes_become_recordings(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    result = run_import(server, org, "granola", GRANOLA)

    assert result.exit_code == 0, result.output
    assert summary_counts(result)["created"] == 5
    # The webhook body names a note but carries none.
    assert count(server, org) == 5

    renewal, lines = fetch(api, server, org, "granola", "not_1d3tmYTlCICgjy")
    assert renewal["title"] == "Umbrella renewal"
    assert renewal["start_time"] == "2025-06-02T15:00:00Z"
    assert renewal["end_time"] == "2025-06-02T15:30:00Z"
    assert renewal["url"] == "https://notes.granola.ai/d/1d3tmYTlCICgjy"
    assert renewal["summary"] == "**Renewal** agreed."
    assert renewal["calendar_event_id"] == "5j3k2l1m"
    assert renewal["participant_emails"] == [
        "sam@vendor.example",
        "Alice@Umbrella.example",
        "bob@umbrella.example",
    ]
    # Offsets count from the scheduled start; a word said before it counts
    # as said at the start.
    assert lines == [
        line("Sam Carter", "sam@vendor.example", 0, "Early hello."),
        line("", "", 5120, "Hi Sam, Alice here."),
        line("Sam Carter", "sam@vendor.example", 60_500, "Let's start."),
    ]

    adhoc, lines = fetch(api, server, org, "granola", "not_2e4unZUmDJDhkz")
    assert adhoc["start_time"] == "2025-06-03T08:15:00Z"
    assert adhoc["end_time"] == "2025-06-03T08:20:00Z"
    assert adhoc["summary"] == "" and adhoc["calendar_event_id"] == ""
    assert adhoc["participant_emails"] == ["sam@vendor.example"]
    assert lines == [
        line("", "", 0, "Can you hear me?"),
        line("Sam Carter", "sam@vendor.example", 4000, "Yes."),
    ]

    typed, lines = fetch(api, server, org, "granola", "not_3f5voAVnEKEilA")
    assert typed["start_time"] == typed["end_time"] == "2025-06-04T10:22:33Z"
    assert typed["duration_ms"] == 0
    assert typed["summary"] == "Typed notes, nothing recorded."
    assert lines == []

    listed, lines = fetch(api, server, org, "granola", "not_4g6wpBWoFLFjmB")
    assert listed["start_time"] == "2025-06-05T12:00:00Z" and listed["url"] == ""
    assert lines == []
    second, _ = fetch(api, server, org, "granola", "not_5h7xqCXpGMGknC")
    assert second["start_time"] == second["end_time"] == "2025-06-06T15:00:00Z"


def test_importing_granola_twice_changes_nothing(server: LiveServer, org: Org) -> None:
    run_import(server, org, "granola", GRANOLA)
    before = dump(server, org)

    again = run_import(server, org, "granola", GRANOLA)

    assert summary_counts(again)["unchanged"] == 5
    assert dump(server, org) == before
