from __future__ import annotations

import httpx

from tests.importing import FIXTURES, dump, fetch, run_import, summary_counts
from tests.live import LiveServer, Org

FIREFLIES = FIXTURES / "fireflies"


def test_fireflies_transcripts_become_recordings(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    result = run_import(server, org, "fireflies", FIREFLIES)

    assert result.exit_code == 1
    assert summary_counts(result) == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
    }
    assert "transcripts[3] (01JZ8QH7XKQ4Z3V6W2N9B5C1D3): `date`" in result.stdout

    demo, lines = fetch(api, server, org, "fireflies", "01JZ8QH7XKQ4Z3V6W2N9B5C1D0")
    assert demo["title"] == "Stark Industries demo"
    assert demo["start_time"] == "2025-07-13T13:00:00Z"
    assert demo["end_time"] == "2025-07-13T13:27:15Z"
    assert demo["duration_ms"] == 1_635_000
    assert demo["url"] == "https://app.fireflies.ai/view/01JZ8QH7XKQ4Z3V6W2N9B5C1D0"
    assert demo["participant_emails"] == [
        "pepper@stark.example",
        "happy@stark.example",
        "sam@vendor.example",
    ]
    assert demo["summary"] == "Demo of the new dashboard."
    assert lines == [
        {
            "speaker_name": "Sam Carter",
            "speaker_email": "sam@vendor.example",
            "offset_ms": 480,
            "text": "Let's start the demo.",
        },
        {
            "speaker_name": "Pepper Potts",
            "speaker_email": "pepper@stark.example",
            "offset_ms": 12_345,
            "text": "Looks great.",
        },
        {
            "speaker_name": "Happy",
            "speaker_email": "",
            "offset_ms": 61_000,
            "text": "Can I ask something?",
        },
        {
            "speaker_name": "",
            "speaker_email": "",
            "offset_ms": 1_500_000,
            "text": "mm-hmm",
        },
    ]

    pending, lines = fetch(api, server, org, "fireflies", "01JZ8QH7XKQ4Z3V6W2N9B5C1D1")
    assert pending["start_time"] == "2025-07-14T13:00:00Z"
    assert pending["summary"] == "" and lines == []

    blank, lines = fetch(api, server, org, "fireflies", "01JZ8QH7XKQ4Z3V6W2N9B5C1D2")
    assert blank["start_time"] == "2025-07-15T13:00:00.123000Z"
    assert blank["participant_emails"] == [] and lines == []

    second, lines = fetch(api, server, org, "fireflies", "01JZ8QH7XKQ4Z3V6W2N9B5C1D4")
    assert second["participant_emails"] == ["sam@vendor.example", "Wayne@Wayne.example"]
    assert second["duration_ms"] == 150_000
    assert lines == [
        {
            "speaker_name": "Bruce",
            "speaker_email": "wayne@wayne.example",
            "offset_ms": 90_500,
            "text": "I'm here.",
        }
    ]

    single, lines = fetch(api, server, org, "fireflies", "01JZ8QH7XKQ4Z3V6W2N9B5C1D9")
    assert single["duration_ms"] == 45_000 and lines == []


def test_importing_fireflies_twice_changes_nothing(
    server: LiveServer, org: Org
) -> None:
    run_import(server, org, "fireflies", FIREFLIES)
    before = dump(server, org)

    again = run_import(server, org, "fireflies", FIREFLIES)

    assert summary_counts(again)["unchanged"] == 5
    assert dump(server, org) == before
