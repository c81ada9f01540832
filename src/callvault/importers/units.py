"""Every unit the recorders send times in, converted to UTC instants and
milliseconds. Each importer calls these for its own fields, in one place.

Values out of what the database stores fail their record here, with the
field: instants must fall in the years 1 to 9999 (UTC), milliseconds fit in
a 64-bit integer.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from callvault.importers.errors import RecordProblem
from callvault.kernel.times import parse_instant
from callvault.recordings.schemas import MAX_BIGINT

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")
_EPOCH = datetime.fromtimestamp(0, UTC)

OUT_OF_YEARS = "out of range: times must fall in the years 1 to 9999 (UTC)"
OUT_OF_BITS = "out of range: milliseconds must fit in a 64-bit integer"


def instant(value: Any, field: str) -> datetime:
    """An ISO 8601 time with an offset (any offset), as UTC."""
    if not isinstance(value, str):
        raise RecordProblem(f"`{field}` is missing or not a time")
    try:
        return parse_instant(value.strip())
    except ValueError as problem:
        raise RecordProblem(f"`{field}`: {problem}") from None


def utc(moment: datetime, field: str) -> datetime:
    """An aware datetime as UTC; 0001-01-01T00:00:00+01:00 has no UTC instant."""
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise RecordProblem(
            f"`{field}`: {moment.isoformat()} is {OUT_OF_YEARS}"
        ) from None


def number(value: Any, field: str) -> int | float:
    """A finite JSON number, or a string holding one (some recorders send
    both). Integers stay integers, so that nothing large is rounded."""
    if isinstance(value, bool) or value is None:
        raise RecordProblem(f"`{field}` is missing or not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        value = _parsed_number(value.strip(), field)
    if not isinstance(value, float | int):
        raise RecordProblem(f"`{field}`: expected a number, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise RecordProblem(f"`{field}`: {value!r} is not a finite number")
    return value


def _parsed_number(text: str, field: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        raise RecordProblem(f"`{field}`: {text!r} is not a number") from None


def epoch_ms(value: Any, field: str) -> datetime:
    read = number(value, field)
    ms = read if isinstance(read, int) else round(read)
    return _shifted(_EPOCH, ms, repr(value), field)


def seconds_ms(value: Any, field: str) -> int:
    return _scaled_ms(value, 1000, field)


def minutes_ms(value: Any, field: str) -> int:
    return _scaled_ms(value, 60_000, field)


def milliseconds(value: Any, field: str) -> int:
    return _scaled_ms(value, 1, field)


def _scaled_ms(value: Any, scale: int, field: str) -> int:
    read = number(value, field)
    ms = read * scale if isinstance(read, int) else _rounded(read * scale, value, field)
    return _bounded(ms, value, field)


def _rounded(ms: float, value: Any, field: str) -> int:
    if not math.isfinite(ms):
        raise RecordProblem(f"`{field}`: {value!r} is {OUT_OF_BITS}")
    return round(ms)


def _bounded(ms: int, value: Any, field: str) -> int:
    if not -MAX_BIGINT <= ms <= MAX_BIGINT:
        raise RecordProblem(f"`{field}`: {value!r} is {OUT_OF_BITS}")
    return ms


def clock_ms(value: Any, field: str) -> int:
    """`HH:MM:SS`, `MM:SS` or WebVTT `HH:MM:SS.mmm` as milliseconds."""
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise RecordProblem(f"`{field}`: {value!r} is not a HH:MM:SS time")
    hours, minutes, seconds, fraction = match.groups()
    if int(seconds) > 59 or (hours is not None and int(minutes) > 59):
        raise RecordProblem(
            f"`{field}`: {value!r} is not a time: minutes and seconds run to 59"
        )
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return _bounded(total * 1000 + int((fraction or "0").ljust(3, "0")), value, field)


def after(start: datetime, ms: int, field: str) -> datetime:
    """The end of a call of `ms` milliseconds, `field` naming the duration."""
    return _shifted(start, ms, f"{ms} ms", field)


def _shifted(start: datetime, ms: int, shown: str, field: str) -> datetime:
    try:
        return start + timedelta(milliseconds=ms)
    except OverflowError:
        raise RecordProblem(f"`{field}`: {shown} is {OUT_OF_YEARS}") from None


def offset_from(start: datetime, moment: datetime) -> int:
    """Milliseconds from the call start; a line said before the call's
    scheduled start counts as said at the start."""
    delta = moment - start
    ms = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    return max(ms, 0)
