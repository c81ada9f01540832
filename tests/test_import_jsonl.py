from __future__ import annotations

import httpx

from tests.importing import FIXTURES, count, dump, fetch, run_import, summary_counts
from tests.live import LiveServer, Org

CALLS = FIXTURES / "jsonl" / "calls.jsonl"


def setup_org(api: httpx.Client) -> str:
    account = api.post(
        "/accounts", json={"name": "Customer", "domains": ["customer.example"]}
    )
    assert account.status_code == 200, account.text
    field = api.post(
        "/custom-fields",
        json={
            "label": "Stage",
            "type": "select",
            "object_type": "meeting",
            "select_options": [
                {"slug": "won", "label": "Won"},
                {"slug": "lost", "label": "Lost"},
            ],
        },
    )
    assert field.status_code == 200, field.text
    return str(account.json()["data"]["id"])


def test_jsonl_lines_become_recordings_with_their_transcripts(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    account_id = setup_org(api)

    result = run_import(server, org, "jsonl", CALLS)

    assert result.exit_code == 1, result.output
    assert summary_counts(result) == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "failed": 3,
    }
    assert "line 5" in result.stdout and "timezone" in result.stdout
    assert "line 6" in result.stdout and "ends before it starts" in result.stdout
    assert "line 8" in result.stdout and "not valid JSON" in result.stdout

    recording, transcript = fetch(api, server, org, "custom_call_recorder", "exp-1")
    assert recording["id"] != "0b6f1c9e-0000-4000-8000-000000000001"
    assert recording["title"] == "Quarterly review"
    assert recording["start_time"] == "2025-02-03T09:00:00Z"
    assert recording["end_time"] == "2025-02-03T09:45:30.250000Z"
    assert recording["duration_ms"] == 2730250
    assert recording["participant_emails"] == [
        "ana@customer.example",
        "Sam@Vendor.example",
    ]
    assert recording["url"] == "https://recorder.example/r/exp-1"
    assert recording["summary"] == "Renewal discussed."
    assert recording["calendar_event_id"] == "cal-77"
    # account_id "" says "no account": no matching by participants.
    assert recording["account_id"] == ""
    assert transcript == [
        {
            "speaker_name": "Ana",
            "speaker_email": "ana@customer.example",
            "offset_ms": 0,
            "text": "Hello!",
        },
        {
            "speaker_name": "Sam",
            "speaker_email": "",
            "offset_ms": 4000,
            "text": "Thanks for joining.",
        },
        {
            "speaker_name": "",
            "speaker_email": "",
            "offset_ms": None,
            "text": "(inaudible)",
        },
    ]

    discovery, lines = fetch(api, server, org, "gong", "7782342274025937895")
    assert discovery["start_time"] == "2025-02-04T13:30:00Z"
    assert discovery["duration_ms"] == 30 * 60 * 1000
    assert lines == []
    for external_id in ("blank-transcript", "null-transcript"):
        stored, lines = fetch(api, server, org, "gong", external_id)
        assert lines == []
    assert stored["title"] == "" and stored["url"] == "" and stored["summary"] == ""

    tagged, _ = fetch(api, server, org, "zoom", "custom-fields")
    assert tagged["account_id"] == account_id
    assert tagged["custom_fields"] == {"stage": {"slug": "stage", "value": "won"}}


def test_importing_the_same_lines_again_changes_nothing(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    setup_org(api)
    run_import(server, org, "jsonl", CALLS)
    before = dump(server, org)

    again = run_import(server, org, "jsonl", CALLS)

    assert summary_counts(again) == {
        "created": 0,
        "updated": 0,
        "unchanged": 5,
        "failed": 3,
    }
    assert dump(server, org) == before


def test_a_changed_line_updates_its_recording_and_replaces_the_transcript(
    server: LiveServer, org: Org, api: httpx.Client, tmp_path
) -> None:
    first = tmp_path / "first.jsonl"
    first.write_text(
        '{"source": "gong", "external_id": "c1", "title": "Old", '
        '"start_time": "2025-01-01T10:00:00Z", "end_time": "2025-01-01T10:10:00Z", '
        '"transcript": [{"speaker_name": "A", "offset_ms": 0, "text": "one"}, '
        '{"speaker_name": "B", "offset_ms": 10, "text": "two"}]}\n'
    )
    second = tmp_path / "second.jsonl"
    second.write_text(
        '{"source": "gong", "external_id": "c1", "title": "New", '
        '"start_time": "2025-01-01T10:00:00Z", "end_time": "2025-01-01T10:10:00Z", '
        '"transcript": [{"speaker_name": "C", "offset_ms": 5, "text": "three"}]}\n'
    )
    assert run_import(server, org, "jsonl", first).exit_code == 0
    created, _ = fetch(api, server, org, "gong", "c1")

    result = run_import(server, org, "jsonl", second)

    assert result.exit_code == 0, result.output
    assert summary_counts(result)["updated"] == 1
    updated, lines = fetch(api, server, org, "gong", "c1")
    assert updated["id"] == created["id"]
    assert updated["title"] == "New"
    assert updated["updated_at"] > created["updated_at"]
    assert lines == [
        {"speaker_name": "C", "speaker_email": "", "offset_ms": 5, "text": "three"}
    ]
    assert count(server, org) == 1


def test_a_changed_custom_field_updates_the_recording(
    server: LiveServer, org: Org, api: httpx.Client, tmp_path
) -> None:
    setup_org(api)
    line = (
        '{"source": "zoom", "external_id": "f1", "start_time": "2025-01-01T10:00:00Z", '
        '"end_time": "2025-01-01T10:10:00Z", "custom_fields": '
        '{"stage": {"slug": "stage", "value": "STAGE"}}}\n'
    )
    calls = tmp_path / "calls.jsonl"
    calls.write_text(line.replace("STAGE", "won"))
    run_import(server, org, "jsonl", calls)

    same = run_import(server, org, "jsonl", calls)
    calls.write_text(line.replace("STAGE", "lost"))
    changed = run_import(server, org, "jsonl", calls)
    calls.write_text(line.replace("STAGE", "maybe"))
    invalid = run_import(server, org, "jsonl", calls)

    assert summary_counts(same)["unchanged"] == 1
    assert summary_counts(changed)["updated"] == 1
    assert summary_counts(invalid)["failed"] == 1
    assert "'maybe' is not an option slug" in invalid.stdout
    recording, _ = fetch(api, server, org, "zoom", "f1")
    assert recording["custom_fields"] == {"stage": {"slug": "stage", "value": "lost"}}


def test_an_account_id_in_upper_case_links_its_account(
    server: LiveServer, org: Org, api: httpx.Client, tmp_path
) -> None:
    account_id = setup_org(api)
    calls = tmp_path / "calls.jsonl"
    calls.write_text(
        '{"source": "zoom", "external_id": "a1", "start_time": "2025-01-01T10:00:00Z", '
        f'"end_time": "2025-01-01T10:10:00Z", "account_id": "{account_id.upper()}"}}\n'
    )

    result = run_import(server, org, "jsonl", calls)

    assert result.exit_code == 0, result.output
    recording, _ = fetch(api, server, org, "zoom", "a1")
    assert recording["account_id"] == account_id
