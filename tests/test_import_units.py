from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from callvault.importers import registry, units, vtt
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
