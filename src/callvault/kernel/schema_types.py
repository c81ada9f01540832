"""Request field types shared by every domain."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema, field_validator

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


def check_storable(value: Any) -> None:
    """Refuse text PostgreSQL cannot store (SQLite would): the rule of every
    request body and of every imported record."""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("text must not contain the NUL character (\\u0000)")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                "text must be valid Unicode (no lone surrogates)"
            ) from None
    elif isinstance(value, list):
        for item in value:
            check_storable(item)


class RequestBody(BaseModel):
    """Base of every request body: strings must be storable in SQLite and
    PostgreSQL alike, which refuses NUL and lone surrogates in text."""

    @field_validator("*", mode="after")
    @classmethod
    def _text_is_storable(cls, value: Any) -> Any:
        check_storable(value)
        return value
