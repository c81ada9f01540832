"""RFC3339 instants: parsed strictly, stored and answered in UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# RFC3339 section 5.6 date-time; the offset is mandatory (contract section 2:
# a time without an offset is a 400). Lower-case t/z are allowed by the RFC.
_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", re.ASCII
)


def parse_instant(text: str) -> datetime:
    """Parse an RFC3339 date-time with an offset into an aware UTC datetime.

    Fractions beyond microseconds are truncated; Python keeps no more.
    Raises ValueError with a sentence a user can act on.
    """
    if not _RFC3339.fullmatch(text):
        raise ValueError(
            f"{text!r} is not an RFC3339 time with an offset "
            "(for example 2025-01-01T09:30:00Z)"
        )
    normalized = text.replace("t", "T").replace("z", "Z")
    fraction = re.search(r"\.(\d+)", normalized)
    if fraction and len(fraction.group(1)) > 6:
        normalized = normalized.replace(fraction.group(0), "." + fraction.group(1)[:6])
    try:
        return datetime.fromisoformat(normalized).astimezone(UTC)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a valid time: {error}") from None
    except OverflowError:
        # 0001-01-01T00:00:00+01:00 is a valid RFC3339 text whose UTC instant
        # falls before the first representable one.
        raise ValueError(f"{text!r} is outside the years 1 to 9999 in UTC") from None


def format_instant(moment: datetime) -> str:
    """Answer an instant as RFC3339 in UTC with `Z`, microseconds when present."""
    # isoformat, unlike strftime's %Y, pads years before 1000 to four digits.
    naive = moment.astimezone(UTC).replace(tzinfo=None)
    precision = "microseconds" if naive.microsecond else "seconds"
    return naive.isoformat(timespec=precision) + "Z"


def utcnow() -> datetime:
    return datetime.now(UTC)
