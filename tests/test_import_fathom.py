from __future__ import annotations

import httpx

from tests.importing import FIXTURES, dump, fetch, run_import, summary_counts
from tests.live import LiveServer, Org

FATHOM = FIXTURES / "fathom"


def test_fathom_meetings_pages_become_recordings(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    account = api.post("/accounts", json={"name": "Acme", "domains": ["acme.example"]})
    assert account.status_code == 200, account.text

    result = run_import(server, org, "fathom", FATHOM)

    assert result.exit_code == 1
    assert summary_counts(result) == {
        "created": 5,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
    }
    assert "items[2] (123456793): `recording_start_time`" in result.stdout

    weekly, lines = fetch(api, server, org, "fathom", "123456789")
    assert weekly["title"] == "Acme weekly"
    assert weekly["start_time"] == "2025-04-01T16:01:15Z"
    assert weekly["end_time"] == "2025-04-01T16:29:45Z"
    assert weekly["duration_ms"] == (28 * 60 + 30) * 1000
    assert weekly["url"] == "https://fathom.video/calls/123456789"
    assert weekly["participant_emails"] == ["ana@acme.example", "sam@vendor.example"]
    assert weekly["summary"] == "## Summary\nAna asked about SSO."
    assert weekly["account_id"] == account.json()["data"]["id"]
    assert lines == [
        {
            "speaker_name": "Ana Lima",
            "speaker_email": "ana@acme.example",
            "offset_ms": 5000,
            "text": "Morning!",
        },
        {
            "speaker_name": "Sam Carter",
            "speaker_email": "",
            "offset_ms": 62_000,
            "text": "Hi Ana.",
        },
        {
            "speaker_name": "Unknown Speaker",
            "speaker_email": "",
            "offset_ms": 3_723_000,
            "text": "Can you hear me?",
        },
        {
            "speaker_name": "",
            "speaker_email": "",
            "offset_ms": 3_724_000,
            "text": "(crosstalk)",
        },
    ]

    untitled, lines = fetch(api, server, org, "fathom", "123456790")
    assert untitled["start_time"] == "2025-04-02T09:00:00Z"
    assert untitled["summary"] == ""
    assert untitled["participant_emails"] == ["sam@vendor.example"]
    assert untitled["account_id"] == ""
    assert lines == []

    blank, lines = fetch(api, server, org, "fathom", "123456791")
    assert lines == [] and blank["summary"] == ""

    _, lines = fetch(api, server, org, "fathom", "123456792")
    assert lines == []

    hook, lines = fetch(api, server, org, "fathom", "223456789")
    assert hook["start_time"] == "2025-04-05T08:00:00.250000Z"
    assert hook["duration_ms"] == 20 * 60 * 1000 - 250
    assert lines == [
        {
            "speaker_name": "Bill",
            "speaker_email": "bill@initech.example",
            "offset_ms": 0,
            "text": "Ready.",
        }
    ]


def test_a_listing_without_transcripts_keeps_the_stored_transcript(
    server: LiveServer, org: Org, api: httpx.Client, tmp_path
) -> None:
    run_import(server, org, "fathom", FATHOM / "webhook.json")
    listing = tmp_path / "listing.json"
    listing.write_text(
        (FATHOM / "webhook.json").read_text().split('"transcript"')[0].rstrip(", \n")
        + "}"
    )

    result = run_import(server, org, "fathom", listing)

    assert summary_counts(result)["unchanged"] == 1, result.output
    _, lines = fetch(api, server, org, "fathom", "223456789")
    assert [line["text"] for line in lines] == ["Ready."]


def test_importing_fathom_twice_changes_nothing(server: LiveServer, org: Org) -> None:
    run_import(server, org, "fathom", FATHOM)
    before = dump(server, org)

    again = run_import(server, org, "fathom", FATHOM)

    assert summary_counts(again) == {
        "created": 0,
        "updated": 0,
        "unchanged": 5,
        "failed": 1,
    }
    assert dump(server, org) == before
