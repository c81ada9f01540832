"""RFC3339 instants: parsed strictly, stored and answered in UTC."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from callvault.kernel.errors import quoted

# RFC3339 section 5.6 date-time; the offset is mandatory (contract section 2:
# a time without an offset is a 400). Lower-case t/z are allowed by the RFC.
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))",
    re.ASCII,
)
_MICRO_DIGITS = 6


@dataclass(frozen=True)
class WrittenInstant:
    """An instant as written: `floor` is it truncated to the microsecond, the
    precision callvault stores; `rest` the digits written beyond it (trailing
    zeros dropped), so that `exact` is true when nothing was cut."""

    floor: datetime
    rest: str

    @property
    def exact(self) -> bool:
        return not self.rest

    def __lt__(self, other: WrittenInstant) -> bool:
        # Digits of a fraction compare as strings once trailing zeros are gone.
        return (self.floor, self.rest) < (other.floor, other.rest)


def parse_instant(text: str) -> datetime:
    """Parse an RFC3339 date-time with an offset into an aware UTC datetime.

    Fractions beyond microseconds are truncated; Python keeps no more.
    Raises ValueError with a sentence a user can act on.
    """
    return parse_written_instant(text).floor


def parse_written_instant(text: str) -> WrittenInstant:
    """`parse_instant`, keeping what lies beyond the microsecond."""
    match = _RFC3339.fullmatch(text)
    if not match:
        raise ValueError(
            f"{quoted(text)} is not an RFC3339 time with an offset "
            "(for example 2025-01-01T09:30:00Z)"
        )
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    fraction, zulu, sign, offset_hours, offset_minutes = match.groups()[6:]
    problem = _calendar_problem(year, month, day) or _clock_problem(
        hour, minute, second
    )
    if zulu is None and (int(offset_hours) > 23 or int(offset_minutes) > 59):
        problem = "offsets run from -23:59 to +23:59"
    if problem:
        raise ValueError(f"{quoted(text)} is not a valid time: {problem}")
    fraction = fraction or ""
    micro = int(fraction[:_MICRO_DIGITS].ljust(_MICRO_DIGITS, "0"))
    offset = timedelta(0)
    if zulu is None:
        offset = timedelta(hours=int(offset_hours), minutes=int(offset_minutes))
        offset = -offset if sign == "-" else offset
    written = datetime(
        year, month, day, hour, minute, second, micro, tzinfo=timezone(offset)
    )
    try:
        floor = written.astimezone(UTC)
    except OverflowError:
        # 0001-01-01T00:00:00+01:00 is a valid RFC3339 text whose UTC instant
        # falls before the first representable one.
        raise ValueError(
            f"{quoted(text)} is outside the years 1 to 9999 in UTC"
        ) from None
    return WrittenInstant(floor, fraction[_MICRO_DIGITS:].rstrip("0"))


def _calendar_problem(year: int, month: int, day: int) -> str | None:
    if year == 0:
        return "years run from 0001 to 9999"
    if not 1 <= month <= 12:
        return "months run from 01 to 12"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{year:04d}-{month:02d} has days 01 to {days:02d}"
    return None


def _clock_problem(hour: int, minute: int, second: int) -> str | None:
    if hour > 23:
        return "hours run from 00 to 23 (midnight is 00:00:00 of the next day)"
    if minute > 59:
        return "minutes run from 00 to 59"
    if second > 59:
        return "seconds run from 00 to 59; leap seconds are not accepted"
    return None


def format_instant(moment: datetime) -> str:
    """Answer an instant as RFC3339 in UTC with `Z`, microseconds when present."""
    # isoformat, unlike strftime's %Y, pads years before 1000 to four digits.
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    precision = "microseconds" if naive.microsecond else "seconds"
    return naive.isoformat(timespec=precision) + "Z"


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_created(context: Any) -> datetime:
    """The default of an `updated_at`: its row's `created_at`, so that a row
    never changed reads the same instant twice. The row's columns take
    their defaults in order, `created_at` first."""
    created: datetime = context.get_current_parameters()["created_at"]
    return created
