from __future__ import annotations

import httpx

from tests.importing import FIXTURES, dump, fetch, run_import, summary_counts
from tests.live import LiveServer, Org

GRAIN = FIXTURES / "grain"


def test_grain_recordings_are_joined_with_their_transcript_arrays(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    result = run_import(server, org, "grain", GRAIN)

    assert result.exit_code == 0, result.output
    assert summary_counts(result)["created"] == 4

    hooli, lines = fetch(
        api, server, org, "grain", "b5185ccb-9a08-458c-9be1-db17a03fb14c"
    )
    assert hooli["title"] == "Hooli discovery"
    assert hooli["start_time"] == "2025-05-06T18:00:00Z"
    assert hooli["end_time"] == "2025-05-06T18:32:10.500000Z"
    assert hooli["duration_ms"] == 1_930_500
    assert hooli["participant_emails"] == ["gavin@hooli.example", "sam@vendor.example"]
    assert hooli["summary"] == "Hooli evaluates the platform."
    assert lines == [
        {
            "speaker_name": "Gavin Belson",
            "speaker_email": "gavin@hooli.example",
            "offset_ms": 1200,
            "text": "Thanks for making time.",
        },
        {
            "speaker_name": "Sam Carter",
            "speaker_email": "sam@vendor.example",
            "offset_ms": 4300,
            "text": "Of course.",
        },
        {
            "speaker_name": "Guest",
            "speaker_email": "",
            "offset_ms": 65000,
            "text": "Quick question.",
        },
        {
            "speaker_name": "",
            "speaker_email": "",
            "offset_ms": 1_900_000,
            "text": "[music]",
        },
    ]

    bare, lines = fetch(
        api, server, org, "grain", "0f9d4b2e-3c1a-4f5e-8d7c-6b5a4e3d2c1b"
    )
    assert bare["participant_emails"] == [] and bare["summary"] == ""
    assert lines == []

    blank, lines = fetch(
        api, server, org, "grain", "7e6d5c4b-3a29-4817-9605-f4e3d2c1b0a9"
    )
    assert blank["start_time"] == "2025-05-08T07:00:00Z"
    assert lines == []

    single, lines = fetch(
        api, server, org, "grain", "aa11bb22-cc33-4d44-8e55-ff6677889900"
    )
    assert single["start_time"] == "2025-05-10T07:30:00Z"
    assert single["end_time"] == "2025-05-10T07:32:00Z"
    assert lines == [
        {
            "speaker_name": "Pat",
            "speaker_email": "pat@globex.example",
            "offset_ms": 500,
            "text": "Hello from Pat.",
        }
    ]


def test_a_transcript_naming_no_recording_is_reported(
    server: LiveServer, org: Org, tmp_path
) -> None:
    (tmp_path / "recordings.json").write_text(
        (GRAIN / "listing" / "recordings-page-1.json").read_text()
    )
    (tmp_path / "transcript-unknown.json").write_text("[]")

    result = run_import(server, org, "grain", tmp_path)

    assert result.exit_code == 1
    assert summary_counts(result)["created"] == 2
    assert "transcript-unknown.json, transcript: names no recording" in result.stdout


def test_importing_grain_twice_changes_nothing(server: LiveServer, org: Org) -> None:
    run_import(server, org, "grain", GRAIN)
    before = dump(server, org)

    again = run_import(server, org, "grain", GRAIN)

    assert summary_counts(again)["unchanged"] == 4
    assert summary_counts(again)["failed"] == 0
    assert dump(server, org) == before
