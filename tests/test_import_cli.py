from __future__ import annotations

from pathlib import Path

import httpx

from tests.importing import fetch, run_cli, run_import, summary_counts
from tests.live import LiveServer, Org


def test_import_help_names_every_source(server: LiveServer) -> None:
    result = run_cli(server, "import", "--help")

    assert result.exit_code == 0
    for source in ("gong", "fathom", "grain", "granola", "zoom", "fireflies", "jsonl"):
        assert source in result.stdout


def test_an_unknown_source_or_organization_is_an_error(
    server: LiveServer, org: Org, tmp_path: Path
) -> None:
    (tmp_path / "calls.json").write_text("{}")

    unknown_source = run_import(server, org, "otter", tmp_path)
    unknown_org = run_cli(server, "import", "gong", str(tmp_path), "--org", "nobody")

    assert unknown_source.exit_code == unknown_org.exit_code == 1
    assert "No importer for 'otter'" in unknown_source.output
    assert "No organization named 'nobody'" in unknown_org.output


def test_an_unreadable_file_is_reported_and_the_others_imported(
    server: LiveServer, org: Org, tmp_path: Path
) -> None:
    (tmp_path / "broken.json").write_text('{"items": [')
    (tmp_path / "meeting.json").write_text(
        '{"recording_id": 1, "recording_start_time": "2025-01-01T10:00:00Z",'
        ' "recording_end_time": "2025-01-01T10:01:00Z"}'
    )

    result = run_import(server, org, "fathom", tmp_path)

    assert result.exit_code == 1
    assert summary_counts(result)["created"] == 1
    assert "broken.json, file: not valid JSON" in result.stdout


def test_a_reimport_keeps_an_account_set_by_hand(
    server: LiveServer, org: Org, api: httpx.Client, tmp_path: Path
) -> None:
    chosen = api.post("/accounts", json={"name": "Chosen"}).json()["data"]["id"]
    line = (
        '{"source": "gong", "external_id": "kept", "title": "TITLE", '
        '"start_time": "2025-01-01T10:00:00Z", "end_time": "2025-01-01T10:10:00Z"}\n'
    )
    calls = tmp_path / "calls.jsonl"
    calls.write_text(line.replace("TITLE", "First"))
    run_import(server, org, "jsonl", calls)
    recording, _ = fetch(api, server, org, "gong", "kept")
    api.patch(f"/call-recordings/{recording['id']}", json={"account_id": chosen})

    calls.write_text(line.replace("TITLE", "Second"))
    result = run_import(server, org, "jsonl", calls)

    assert summary_counts(result)["updated"] == 1
    updated, _ = fetch(api, server, org, "gong", "kept")
    assert (updated["title"], updated["account_id"]) == ("Second", chosen)


def test_an_unknown_account_fails_its_record_only(
    server: LiveServer, org: Org, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text(
        '{"source": "gong", "external_id": "a", "account_id": "nope", '
        '"start_time": "2025-01-01T10:00:00Z", "end_time": "2025-01-01T10:10:00Z"}\n'
        '{"source": "gong", "external_id": "b", '
        '"start_time": "2025-01-01T10:00:00Z", "end_time": "2025-01-01T10:10:00Z"}\n'
    )

    result = run_import(server, org, "jsonl", calls)

    assert summary_counts(result) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
    }
    assert "line 1 (gong a): `account_id`: no account with id 'nope'." in result.stdout
