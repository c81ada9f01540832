from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from callvault.importers import units, vtt

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
