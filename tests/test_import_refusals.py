"""What an import refuses, record by record: values out of what the database
stores, text it cannot store, values of the wrong type, documents of no
known layout. Each fails its own record with the field and why; the rest of
the batch is imported, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from rich.console import Console

from callvault.importers import console as import_console
from tests.importing import count, fetch, run_import, summary_counts
from tests.live import LiveServer, Org

START = "2025-01-01T10:00:00Z"


def failures(stdout: str) -> list[str]:
    lines = stdout.splitlines()
    if "Failures (file, record: reason)" not in lines:
        return []
    return lines[lines.index("Failures (file, record: reason)") + 1 :]


def write(path: Path, data: Any) -> Path:
    # The standard encoder writes big integers exactly, as a recorder would.
    path.write_text(json.dumps(data))
    return path


def gong_call(call_id: str, **meta: Any) -> dict[str, Any]:
    return {
        "metaData": {
            "id": call_id,
            "title": "Call " + call_id,
            "started": START,
            "duration": 60,
            **meta,
        }
    }


def jsonl_line(external_id: str, **fields: Any) -> str:
    line = {
        "source": "gong",
        "external_id": external_id,
        "start_time": START,
        "end_time": "2025-01-01T11:00:00Z",
        **fields,
    }
    return json.dumps(line) + "\n"


def test_a_gong_duration_beyond_64_bits_fails_its_call_and_the_next_is_imported(
    server: LiveServer, org: Org, api: httpx.Client, tmp_path: Path
) -> None:
    page = write(
        tmp_path / "calls.json",
        {"calls": [gong_call("huge", duration=10**20), gong_call("fine")]},
    )

    result = run_import(server, org, "gong", page)

    assert result.exit_code == 1, result.output
    assert summary_counts(result) == {
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "failed": 1,
    }
    assert failures(result.stdout) == [
        f"{page}, calls[0] (id huge): `metaData.duration`: 100000000000000000000 "
        "is out of range: milliseconds must fit in a 64-bit integer"
    ]
    stored, _ = fetch(api, server, org, "gong", "fine")
    assert stored["duration_ms"] == 60_000


def test_a_fireflies_date_past_year_9999_fails_its_transcript(
    server: LiveServer, org: Org, api: httpx.Client, tmp_path: Path
) -> None:
    answer = write(
        tmp_path / "transcripts.json",
        {
            "data": {
                "transcripts": [
                    {"id": "far", "date": 1e20, "duration": 1},
                    {"id": "soon", "date": 1735725600000, "duration": 1.5},
                    {"id": "long", "date": 1735725600000, "duration": 10**12},
                ]
            }
        },
    )

    result = run_import(server, org, "fireflies", answer)

    assert summary_counts(result)["created"] == 1
    assert failures(result.stdout) == [
        f"{answer}, transcripts[0] (far): `date`: 1e+20 is out of range: "
        "times must fall in the years 1 to 9999 (UTC)",
        f"{answer}, transcripts[2] (long): `duration`: 60000000000000000 ms is "
        "out of range: times must fall in the years 1 to 9999 (UTC)",
    ]
    stored, _ = fetch(api, server, org, "fireflies", "soon")
    assert (stored["start_time"], stored["duration_ms"]) == (START, 90_000)


def test_a_zoom_duration_beyond_64_bits_fails_its_meeting(
    server: LiveServer, org: Org, tmp_path: Path
) -> None:
    page = write(
        tmp_path / "recordings.json",
        {
            "meetings": [
                {"uuid": "big==", "start_time": START, "duration": 10**20},
                {"uuid": "ok==", "start_time": START, "duration": 30},
            ]
        },
    )

    result = run_import(server, org, "zoom", page)

    assert summary_counts(result)["created"] == 1
    assert failures(result.stdout) == [
        f"{page}, meetings[0] (big==): `duration`: 100000000000000000000 is out "
        "of range: milliseconds must fit in a 64-bit integer"
    ]


def test_jsonl_integers_beyond_64_bits_fail_their_line_only(
    server: LiveServer, org: Org, api: httpx.Client, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text(
        jsonl_line("duration", duration_ms=10**20)
        + jsonl_line(
            "offset", transcript=[{"text": "hi", "offset_ms": 10**20, "position": 0}]
        )
        + jsonl_line("fine", transcript=[{"text": "hello", "offset_ms": 5}])
    )

    result = run_import(server, org, "jsonl", calls)

    assert summary_counts(result)["created"] == 1
    assert failures(result.stdout) == [
        f"{calls}, line 1 (gong duration): `duration_ms`: 100000000000000000000 "
        "disagrees with end_time minus start_time (3600000 ms); leave it out or "
        "send that",
        f"{calls}, line 2 (gong offset): `transcript[0].offset_ms`: "
        "100000000000000000000 is out of range (0 to 9223372036854775807 "
        "milliseconds from the call start)",
    ]
    _, lines = fetch(api, server, org, "gong", "fine")
    assert [line["offset_ms"] for line in lines] == [5]


def test_a_jsonl_duration_that_disagrees_with_the_times_is_refused(
    server: LiveServer, org: Org, api: httpx.Client, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text(
        jsonl_line("negative", duration_ms=-100)
        + jsonl_line("given", duration_ms=3_600_000)
        + jsonl_line("derived")
    )

    result = run_import(server, org, "jsonl", calls)

    assert summary_counts(result)["created"] == 2
    assert failures(result.stdout) == [
        f"{calls}, line 1 (gong negative): `duration_ms`: -100 disagrees with "
        "end_time minus start_time (3600000 ms); leave it out or send that"
    ]
    for external_id in ("given", "derived"):
        stored, _ = fetch(api, server, org, "gong", external_id)
        assert stored["duration_ms"] == 3_600_000


def test_text_the_api_refuses_fails_its_record_on_every_engine(
    server: LiveServer, org: Org, api: httpx.Client, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text(
        jsonl_line("nul", title="a\u0000b")
        + jsonl_line("line", transcript=[{"text": "x\u0000", "speaker_name": "Ana"}])
        + jsonl_line("fine", title="a b")
    )
    # A lone surrogate can only arrive escaped: `\ud800` in the JSON text.
    page = tmp_path / "gong.json"
    page.write_text(
        '{"calls": [{"metaData": {"id": "lone", "title": "x\\ud800", '
        f'"started": "{START}", "duration": 1}}}}, '
        '{"metaData": {"id": "mail", "title": "t", '
        f'"started": "{START}", "duration": 1}}, '
        '"parties": [{"emailAddress": "a\\u0000@b.example"}]}]}'
    )
    api_answer = api.post("/call-recordings", json={"title": "a\u0000b"})

    lines = run_import(server, org, "jsonl", calls)
    vendor = run_import(server, org, "gong", page)

    assert api_answer.status_code == 400
    assert failures(lines.stdout) == [
        f"{calls}, line 1 (gong nul): `title`: text must not contain the NUL "
        "character (\\u0000)",
        f"{calls}, line 2 (gong line): `transcript[0].text`: text must not "
        "contain the NUL character (\\u0000)",
    ]
    assert failures(vendor.stdout) == [
        f"{page}, calls[0] (id lone): `title`: text must be valid Unicode (no "
        "lone surrogates)",
        f"{page}, calls[1] (id mail): `participant_emails`: text must not "
        "contain the NUL character (\\u0000)",
    ]
    assert count(server, org) == 1


def test_fathom_ids_beyond_64_bits_keep_every_digit(
    server: LiveServer, org: Org, api: httpx.Client, tmp_path: Path
) -> None:
    def meeting(recording_id: Any) -> dict[str, Any]:
        return {"recording_id": recording_id, "recording_start_time": START}

    page = write(
        tmp_path / "meetings.json",
        {
            "items": [
                meeting(18446744073709551617),
                meeting(18446744073709551618),
                meeting(10**30),
                meeting(1.5),
                meeting(12.0),
            ]
        },
    )

    result = run_import(server, org, "fathom", page)

    assert summary_counts(result)["created"] == 4
    assert failures(result.stdout) == [
        f"{page}, items[3] (): `recording_id`: expected a string or a whole "
        "number, got the number 1.5"
    ]
    for external_id in (
        "18446744073709551617",
        "18446744073709551618",
        "1" + "0" * 30,
        "12",
    ):
        stored, _ = fetch(api, server, org, "fathom", external_id)
        assert stored["external_id"] == external_id


@pytest.mark.parametrize(
    ("source", "document", "expected"),
    [
        (
            "fathom",
            {
                "items": [
                    {"recording_id": 1, "recording_start_time": START, "title": ["x"]}
                ]
            },
            "items[0] (1): `title`: expected a string, got a list",
        ),
        (
            "gong",
            {"calls": [gong_call("1", title=7)]},
            "calls[0] (id 1): `metaData.title`: expected a string, got a number",
        ),
        (
            "grain",
            {
                "recordings": [
                    {
                        "id": "g",
                        "start_datetime": START,
                        "end_datetime": START,
                        "url": {"a": 1},
                    }
                ]
            },
            "recordings[0] (g): `url`: expected a string, got an object",
        ),
        (
            "granola",
            {"id": "not_1", "created_at": START, "summary_text": True},
            "note (not_1): `summary_text`: expected a string, got a boolean",
        ),
        (
            "zoom",
            {"uuid": "u==", "start_time": START, "duration": 1, "topic": [1]},
            "meeting (u==): `topic`: expected a string, got a list",
        ),
        (
            "fireflies",
            {
                "id": "f",
                "date": 1735725600000,
                "sentences": [{"text": 5, "start_time": 1}],
            },
            "transcript (f): `sentences[0].text`: expected a string, got a number",
        ),
    ],
    ids=["fathom", "gong", "grain", "granola", "zoom", "fireflies"],
)
def test_a_text_field_of_another_type_fails_naming_the_field(
    server: LiveServer,
    org: Org,
    tmp_path: Path,
    source: str,
    document: dict[str, Any],
    expected: str,
) -> None:
    path = write(tmp_path / f"{source}.json", document)

    result = run_import(server, org, source, path)

    assert result.exit_code == 1
    assert failures(result.stdout) == [f"{path}, {expected}"]
    assert count(server, org) == 0


def test_a_granola_note_with_unreadable_times_is_reported(
    server: LiveServer, org: Org, tmp_path: Path
) -> None:
    note = write(
        tmp_path / "not_garbage.json",
        {
            "id": "not_garbage",
            "created_at": "garbage",
            "transcript": [{"text": "hi", "start_time": "garbage"}],
        },
    )
    undated = write(
        tmp_path / "not_undated.json", {"id": "not_undated", "created_at": "garbage"}
    )

    result = run_import(server, org, "granola", tmp_path)

    assert result.exit_code == 1
    assert summary_counts(result)["failed"] == 2
    assert failures(result.stdout) == [
        f"{note}, note (not_garbage): `transcript[0].start_time`: 'garbage' is "
        "not an RFC3339 time with an offset (for example 2025-01-01T09:30:00Z)",
        f"{undated}, note (not_undated): `created_at`: 'garbage' is not an "
        "RFC3339 time with an offset (for example 2025-01-01T09:30:00Z)",
    ]


def test_a_document_of_no_known_layout_fails_naming_the_file(
    server: LiveServer, org: Org, tmp_path: Path
) -> None:
    numbers = write(tmp_path / "arr.json", [1, 2, 3])
    text = write(tmp_path / "calls.json", {"calls": "x"})
    other = write(tmp_path / "other.json", {"records": {}, "hello": 1})

    result = run_import(server, org, "gong", numbers, text, other)

    assert result.exit_code == 1
    expected = (
        "not a Gong calls page ({calls}), a call ({metaData}), a webhook body "
        "({callData}) or a transcripts answer ({callTranscripts})"
    )
    assert failures(result.stdout) == [
        f"{numbers}, calls[0]: expected a call object, got a number",
        f"{numbers}, calls[1]: expected a call object, got a number",
        f"{numbers}, calls[2]: expected a call object, got a number",
        f"{text}, file: {expected}; got an object with keys calls",
        f"{other}, file: {expected}; got an object with keys hello, records",
    ]


@pytest.mark.parametrize(
    "source", ["fathom", "grain", "granola", "zoom", "fireflies", "gong"]
)
def test_every_vendor_reports_a_document_it_cannot_read(
    server: LiveServer, org: Org, tmp_path: Path, source: str
) -> None:
    path = write(tmp_path / "junk.json", "just a string")

    result = run_import(server, org, source, path)

    assert result.exit_code == 1
    [failure] = failures(result.stdout)
    assert failure.startswith(f"{path}, file: not a")
    assert failure.endswith("; got str")


def test_a_file_that_is_not_utf8_says_so_and_where(
    server: LiveServer, org: Org, tmp_path: Path
) -> None:
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'{"calls": [\n  {"metaData": {"title": "Caf\xe9"}}]}')
    lines = tmp_path / "calls.jsonl"
    lines.write_bytes(
        jsonl_line("fine").encode() + b'{"source": "gong", "title": "\xff"}\n'
    )

    vendor = run_import(server, org, "gong", latin)
    own = run_import(server, org, "jsonl", lines)

    assert failures(vendor.stdout) == [
        f"{latin}, file: not UTF-8 text: byte 0xe9 at line 2, column 30 (save "
        "the file as UTF-8)"
    ]
    assert failures(own.stdout) == [
        f"{lines}, line 2: not UTF-8 text: byte 0xff at line 1, column 30 (save "
        "the file as UTF-8)"
    ]
    assert summary_counts(own)["created"] == 1


def test_an_import_leaves_nothing_on_stderr_when_it_is_not_a_terminal(
    server: LiveServer, org: Org, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text("".join(jsonl_line(f"call-{n}") for n in range(50)))

    result = run_import(server, org, "jsonl", calls)

    assert result.exit_code == 0, result.output
    assert summary_counts(result)["created"] == 50
    assert result.stderr == ""


def test_on_a_terminal_the_bar_shows_for_large_imports_only(
    server: LiveServer, org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text(jsonl_line("small"))

    def shown() -> str:
        screen = io.StringIO()
        terminal = Console(file=screen, force_terminal=True, width=80)
        summary = import_console.run(
            server.database, org.name, "jsonl", [calls], terminal
        )
        assert summary.failed == 0
        return screen.getvalue()

    small = shown()
    monkeypatch.setattr(import_console, "PROGRESS_FROM_BYTES", 1)
    large = shown()

    assert small == ""
    assert "importing jsonl" in large


def test_failures_are_listed_in_the_order_of_their_lines(
    server: LiveServer, org: Org, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text(
        # Refused when written: only the database knows the accounts.
        jsonl_line("unknown", account_id="00000000-0000-4000-8000-000000000000")
        + "{not json\n"
        + jsonl_line("fine")
    )

    result = run_import(server, org, "jsonl", calls)

    assert summary_counts(result)["created"] == 1
    listed = failures(result.stdout)
    assert [line.split(" (")[0].split(":")[0] for line in listed] == [
        f"{calls}, line 1",
        f"{calls}, line 2",
    ], listed


def test_a_jsonl_custom_field_unknown_when_written_is_named_by_its_key(
    server: LiveServer, org: Org, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text(jsonl_line("unknown", custom_fields={"nosuch": {"value": "1"}}))

    result = run_import(server, org, "jsonl", calls)

    (failure,) = failures(result.stdout)
    assert "line 1 (gong unknown): `custom_fields.nosuch`: no meeting custom " in (
        failure
    ), failure


def test_a_jsonl_file_may_begin_with_a_byte_order_mark(
    server: LiveServer, org: Org, tmp_path: Path
) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_bytes(b"\xef\xbb\xbf" + jsonl_line("first").encode() + b"\r\n")

    result = run_import(server, org, "jsonl", calls)

    assert failures(result.stdout) == []
    assert summary_counts(result)["created"] == 1
