"""Every unit the recorders send times in, converted to UTC instants and
milliseconds. Each importer calls these for its own fields, in one place."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from callvault.importers.errors import RecordProblem
from callvault.kernel.times import parse_instant

_CLOCK = re.compile(r"^(?:(\d+):)?(\d{1,2}):(\d{1,2})(?:[.,](\d{1,3}))?$")


def instant(value: Any, field: str) -> datetime:
    """An ISO 8601 time with an offset (any offset), as UTC."""
    if not isinstance(value, str):
        raise RecordProblem(f"`{field}` is missing or not a time")
    try:
        return parse_instant(value.strip())
    except ValueError as problem:
        raise RecordProblem(f"`{field}`: {problem}") from None


def number(value: Any, field: str) -> float:
    """A JSON number, or a string holding one (some recorders send both)."""
    if isinstance(value, bool) or value is None:
        raise RecordProblem(f"`{field}` is missing or not a number")
    try:
        return float(value)
    except (TypeError, ValueError):
        raise RecordProblem(f"`{field}`: {value!r} is not a number") from None


def epoch_ms(value: Any, field: str) -> datetime:
    milliseconds = number(value, field)
    return datetime.fromtimestamp(0, UTC) + timedelta(milliseconds=milliseconds)


def seconds_ms(value: Any, field: str) -> int:
    return round(number(value, field) * 1000)


def minutes_ms(value: Any, field: str) -> int:
    return round(number(value, field) * 60_000)


def milliseconds(value: Any, field: str) -> int:
    return round(number(value, field))


def clock_ms(value: Any, field: str) -> int:
    """`HH:MM:SS`, `MM:SS` or WebVTT `HH:MM:SS.mmm` as milliseconds."""
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise RecordProblem(f"`{field}`: {value!r} is not a HH:MM:SS time")
    hours, minutes, seconds, fraction = match.groups()
    total = int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)
    return total * 1000 + int((fraction or "0").ljust(3, "0"))


def after(start: datetime, ms: int) -> datetime:
    return start + timedelta(milliseconds=ms)


def offset_from(start: datetime, moment: datetime) -> int:
    """Milliseconds from the call start; a line said before the call's
    scheduled start counts as said at the start."""
    delta = moment - start
    ms = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
    return max(ms, 0)
