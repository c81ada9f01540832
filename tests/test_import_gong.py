from __future__ import annotations

import httpx

from tests.importing import FIXTURES, dump, fetch, run_import, summary_counts
from tests.live import LiveServer, Org

GONG = FIXTURES / "gong"


def test_a_folder_joins_calls_pages_with_the_transcripts_answer(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    result = run_import(server, org, "gong", GONG / "listing")

    assert result.exit_code == 0, result.output
    assert summary_counts(result) == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "failed": 0,
    }
    renewal, lines = fetch(api, server, org, "gong", "7782342274025937895")
    assert renewal["title"] == "Acme | Renewal planning"
    assert renewal["start_time"] == "2025-03-04T17:15:30.123456Z"
    assert renewal["end_time"] == "2025-03-04T17:46:00.623456Z"
    assert renewal["duration_ms"] == 1_830_500
    assert renewal["url"] == "https://app.gong.io/call?id=7782342274025937895"
    assert renewal["participant_emails"] == ["dana@acme.example", "Sam@Vendor.example"]
    assert renewal["summary"] == (
        "Dana wants to renew for two years if the SSO issue is fixed."
    )
    assert lines == [
        {
            "speaker_name": "Dana Scully",
            "speaker_email": "dana@acme.example",
            "offset_ms": 460,
            "text": "Hi Sam, can you hear me?",
        },
        {
            "speaker_name": "Dana Scully",
            "speaker_email": "dana@acme.example",
            "offset_ms": 1700,
            "text": "Great.",
        },
        {
            "speaker_name": "Sam Carter",
            "speaker_email": "Sam@Vendor.example",
            "offset_ms": 3100,
            "text": "Loud and clear. Let's talk renewal.",
        },
        {
            "speaker_name": "Phone guest",
            "speaker_email": "",
            "offset_ms": 61000,
            "text": "Sorry, I'm on the phone.",
        },
        {
            "speaker_name": "",
            "speaker_email": "",
            "offset_ms": 1_830_000,
            "text": "Bye all.",
        },
    ]

    onboarding, lines = fetch(api, server, org, "gong", "7782342274025937896")
    assert onboarding["start_time"] == "2025-03-05T04:30:00Z"
    assert onboarding["end_time"] == "2025-03-05T04:40:00Z"
    assert onboarding["summary"] == ""
    assert lines == []

    internal, lines = fetch(api, server, org, "gong", "7782342274025937897")
    assert internal["participant_emails"] == []
    assert internal["duration_ms"] == 45_000
    assert lines == []


def test_a_webhook_body_imports_its_call(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    result = run_import(server, org, "gong", GONG / "webhook.json")

    assert result.exit_code == 0, result.output
    qbr, lines = fetch(api, server, org, "gong", "7782342274025937898")
    assert qbr["start_time"] == "2025-03-07T13:00:00.500000Z"
    assert qbr["end_time"] == "2025-03-07T14:00:00.500000Z"
    assert qbr["participant_emails"] == ["bill@initech.example"]
    assert qbr["summary"] == "Quarterly business review."
    assert lines == []


def test_a_transcript_without_its_call_is_reported_and_the_rest_imported(
    server: LiveServer, org: Org
) -> None:
    result = run_import(server, org, "gong", GONG)

    assert result.exit_code == 1
    assert summary_counts(result) == {
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
    }
    assert "transcript-without-call.json" in result.stdout
    assert "no call 1111" in result.stdout


def test_importing_gong_twice_changes_nothing(server: LiveServer, org: Org) -> None:
    run_import(server, org, "gong", GONG)
    before = dump(server, org)

    again = run_import(server, org, "gong", GONG)

    assert summary_counts(again)["unchanged"] == 4
    assert summary_counts(again)["created"] == summary_counts(again)["updated"] == 0
    assert dump(server, org) == before
