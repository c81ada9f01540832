"""Request field types shared by every domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from callvault.kernel.times import parse_instant


def _instant(value: Any) -> Any:
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("expected an RFC3339 time string such as 2025-01-01T09:30:00Z")
    return parse_instant(value)


# An RFC3339 time with an offset; a time without one is refused.
Instant = Annotated[
    datetime,
    BeforeValidator(_instant),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


class Pagination(BaseModel):
    """The contract's `Pagination`, shared by every list and search."""

    cursor: str = Field(description="The next page's cursor; empty on the last.")
    has_next_page: bool
