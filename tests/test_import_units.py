from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from callvault.importers import jsonl, registry, units, vtt
from callvault.importers.errors import RecordProblem
from callvault.importers.records import Document, Failed, Imported

moments = st.datetimes(
    min_value=datetime(2000, 1, 1),
    max_value=datetime(2100, 1, 1),
    timezones=st.just(UTC),
)
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=99 * 3_600_000 - 1))
def test_clock_times_are_read_to_the_millisecond(ms: int) -> None:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)

    assert (
        units.clock_ms(f"{hours:02}:{minutes:02}:{seconds:02}.{millis:03}", "t") == ms
    )
    assert units.clock_ms(f"{hours:02}:{minutes:02}:{seconds:02}", "t") == ms - millis


@settings(max_examples=200, deadline=None)
@given(moments, offsets)
def test_any_offset_is_stored_as_the_same_instant_in_utc(
    moment: datetime, offset_minutes: int
) -> None:
    moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    local = moment.astimezone(timezone(timedelta(minutes=offset_minutes)))

    parsed = units.instant(local.isoformat(), "t")

    assert parsed == moment and parsed.utcoffset() == timedelta(0)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=10_000_000),
            st.text("abcdefghij ", min_size=1, max_size=20).filter(str.strip),
            st.text("xyz", min_size=1, max_size=8),
        ),
        max_size=8,
    )
)
def test_vtt_cues_keep_their_speaker_start_and_words(
    cues: list[tuple[int, str, str]],
) -> None:
    def stamp(ms: int) -> str:
        hours, rest = divmod(ms, 3_600_000)
        minutes, rest = divmod(rest, 60_000)
        return f"{hours:02}:{minutes:02}:{rest // 1000:02}.{rest % 1000:03}"

    body = "WEBVTT\n\n" + "\n\n".join(
        f"{i}\n{stamp(ms)} --> {stamp(ms + 1)}\n{name}: {words}"
        for i, (ms, words, name) in enumerate(cues, start=1)
    )

    assert vtt.parse(body) == [
        (name, "", ms, words.strip()) for ms, words, name in cues
    ]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)

# Documents shaped like each recorder's, with any JSON in any field.
TEMPLATES: dict[str, Callable[[Any], Any]] = {
    "gong": lambda v: {
        "calls": [{"metaData": {"id": "1", "started": v, "duration": v, "title": v}}],
        "callTranscripts": v,
    },
    "fathom": lambda v: {"items": [{"recording_id": v, "title": v, "transcript": v}]},
    "grain": lambda v: {"recordings": [{"id": v, "start_datetime": v, "url": v}]},
    "granola": lambda v: {"id": v, "created_at": v, "transcript": v, "owner": v},
    "zoom": lambda v: {"meetings": [{"uuid": v, "start_time": v, "duration": v}]},
    "fireflies": lambda v: {"id": "x", "date": v, "duration": v, "sentences": v},
    "jsonl": lambda v: {"source": "s", "external_id": "e", "transcript": v},
}


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(TEMPLATES)), json_values, st.booleans())
def test_no_content_makes_a_converter_raise(
    source: str, value: Any, bare: bool
) -> None:
    data = value if bare else TEMPLATES[source](value)

    outcomes = list(registry.converter(source)([Document("doc.json", data)]))

    for outcome in outcomes:
        assert isinstance(outcome, Imported | Failed)
        if isinstance(outcome, Failed):
            assert outcome.file == "doc.json" and outcome.reason


@pytest.mark.parametrize("value", ["00:00:60", "01:60:00", "00:61.000"])
def test_a_clock_time_past_59_minutes_or_seconds_is_refused(value: str) -> None:
    with pytest.raises(RecordProblem, match=r"`cue start`: .* run to 59"):
        units.clock_ms(value, "cue start")


def test_minutes_run_past_the_hour_when_no_hours_are_written() -> None:
    assert units.clock_ms("75:30.250", "t") == 75 * 60_000 + 30_250


VTT_HEADER = "WEBVTT\n\nNOTE a comment\n\nSTYLE\n::cue { color: red }\n\n"


def test_vtt_skips_notes_and_styles() -> None:
    body = VTT_HEADER + "00:00:01.000 --> 00:00:02.000\nAda: hello"

    assert vtt.parse(body) == [("Ada", "", 1000, "hello")]


def test_a_vtt_cue_named_like_a_note_is_a_cue() -> None:
    body = "WEBVTT\n\nNOTES 1\n00:00:01.000 --> 00:00:02.000\nAda: hello"

    assert vtt.parse(body) == [("Ada", "", 1000, "hello")]


@pytest.mark.parametrize(
    ("cue", "problem"),
    [
        ("just words between cues", "`cue 3`: no `start --> end` timing line"),
        ("00:00:01.000 -> 00:00:02.000\nAda: hi", "no `start --> end` timing"),
        ("00:00:05.000 --> 00:00:02.000\nAda: hi", "before it starts"),
        ("00:00:aa.000 --> 00:00:02.000\nAda: hi", "`cue 3 start`"),
    ],
)
def test_vtt_fails_a_block_that_is_no_cue_rather_than_drop_it(
    cue: str, problem: str
) -> None:
    body = VTT_HEADER + cue + "\n\n00:00:09.000 --> 00:00:10.000\nAda: bye"

    with pytest.raises(RecordProblem, match=re.escape(problem)):
        vtt.parse(body)


def _jsonl_line(**fields: Any) -> str:
    line = {
        "source": "gong",
        "external_id": "1",
        "start_time": "2025-01-15T09:30:00Z",
        "end_time": "2025-01-15T10:00:00Z",
        **fields,
    }
    return json.dumps(line)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"source": ""}, "`source`: '' is blank"),
        ({"external_id": ""}, "`external_id` must not be empty"),
        ({"source": " \t"}, "`source`: ' \\t' is blank"),
        ({"source": "\u200b"}, "`source`: '\\u200b' is blank or holds characters"),
        ({"source": "s" * 65}, "`source` must be at most 64 characters; it has 65"),
        ({"start_time": "2025-01-15T09:30:00"}, "`start_time`"),
        ({"custom_fields": []}, "`custom_fields` must be a JSON object"),
        ({"transcript": "hello"}, "`transcript` must be a JSON list"),
        (
            {"custom_fields": {"notes": {"slug": "seats", "value": "x"}}},
            "`custom_fields.notes`: its `slug` is 'seats'",
        ),
    ],
)
def test_a_jsonl_line_the_api_would_refuse_fails_naming_the_field(
    fields: dict[str, Any], problem: str
) -> None:
    outcome = jsonl.convert_line(_jsonl_line(**fields), "calls.jsonl", 3)

    assert isinstance(outcome, Failed), outcome
    assert problem in outcome.reason, outcome.reason


def test_a_jsonl_custom_field_may_leave_its_slug_to_its_key() -> None:
    outcome = jsonl.convert_line(
        _jsonl_line(custom_fields={"stage": {"value": "won"}}), "calls.jsonl", 1
    )

    assert isinstance(outcome, Imported), outcome
    (value,) = outcome.recording.custom_fields or []
    assert (value.slug, value.value) == ("stage", "won")
