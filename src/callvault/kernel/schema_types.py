"""Request field types shared by every domain."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from callvault.kernel.times import parse_instant


def storable(text: str) -> str:
    """`text` unchanged, or ValueError when no database can store it:
    PostgreSQL refuses NUL in text and neither engine's driver encodes a lone
    UTF-16 surrogate, so such text would fail below the service as a 500."""
    if "\x00" in text:
        raise ValueError("text must not contain the NUL character (\\u0000)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode (no lone surrogates)") from None
    return text


# Every string a request carries, in a body, a query or a filter: refused with
# a 400 naming its exact place (`custom_fields[0].values[1]`) when it holds
# text no database can store.
Text = Annotated[str, AfterValidator(storable)]


def _instant(value: Any) -> Any:
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("expected an RFC3339 time string such as 2025-01-01T09:30:00Z")
    return parse_instant(storable(value))


# An RFC3339 time with an offset; a time without one is refused.
Instant = Annotated[
    datetime,
    BeforeValidator(_instant),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]


# The error type of IntegerBetween: its message completes "`path` ...".
INTEGER_RANGE = "integer_range"
# An integer written as text, in a query string: digits, an optional minus.
_DIGITS = re.compile(r"-?[0-9]+")


@dataclass(frozen=True)
class IntegerBetween:
    """`Annotated[int, IntegerBetween(low, high)]`: an integer from `low` to
    `high`, both included, refused with a sentence that names both ends,
    where pydantic's own `le` and `ge` name only the end that was crossed."""

    low: int
    high: int

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(
            _digits_only,
            core_schema.no_info_after_validator_function(self._check, handler(source)),
        )

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(minimum=self.low, maximum=self.high)
        return json_schema

    def _check(self, value: int) -> int:
        if not self.low <= value <= self.high:
            raise PydanticCustomError(
                INTEGER_RANGE,
                "must be an integer from {low} to {high}",
                {"low": self.low, "high": self.high},
            )
        return value


def _digits_only(value: Any) -> Any:
    """Text read as an integer only when it is digits: pydantic also reads
    `1_0`, `+5` and ` 5 `, which no caller means as a number."""
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise PydanticCustomError(
            "int_parsing", "must be an integer, written in digits"
        )
    return value


class Pagination(BaseModel):
    """The contract's `Pagination`, shared by every list and search."""

    cursor: str = Field(description="The next page's cursor; empty on the last.")
    has_next_page: bool


class RequestBody(BaseModel):
    """Base of every request body and every object inside one.

    Strict: a JSON value of the wrong type is a 400 naming its path, never
    coerced, so `"yes"`, `"off"` and `0` are not booleans and `"5"` is not an
    integer, in every body alike. Its strings are `Text`.
    """

    model_config = ConfigDict(strict=True)


# Pydantic's words for a wrong JSON type, in the contract's terms.
_TYPE_SENTENCES = {
    "bool_type": "must be `true` or `false` (a JSON boolean)",
    "int_type": "must be an integer (a JSON number without a fraction)",
    "int_from_float": "must be an integer (a JSON number without a fraction)",
    "string_type": "must be a string",
    "list_type": "must be a JSON list",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "dict_type": "must be a JSON object",
    # Strict text with a length bound reads the string as Unicode first.
    "string_unicode": "text must be valid Unicode (no lone surrogates)",
    # A query parameter is text, read as an integer when it is one.
    "int_parsing": "must be an integer, written in digits",
    "int_parsing_size": "must be an integer, and this one is far too large",
}


def field_sentence(detail: Mapping[str, Any], where: str) -> str:
    """What is wrong with the field at `where`, from one of pydantic's error
    details, in the contract's terms; no closing full stop."""
    kind = detail.get("type", "")
    if kind == "missing":
        return f"`{where}` is required"
    if kind in _TYPE_SENTENCES:
        return f"`{where}` {_TYPE_SENTENCES[kind]}"
    if kind == INTEGER_RANGE:
        return f"`{where}` {detail.get('msg')}"
    if kind in ("string_too_short", "string_too_long", "too_short", "too_long"):
        return _length_sentence(detail, where)
    reason = str(detail.get("msg", "is invalid")).removeprefix("Value error, ")
    return f"`{where}`: {reason}"


def _length_sentence(detail: Mapping[str, Any], where: str) -> str:
    context = detail.get("ctx", {})
    value = detail.get("input")
    unit = "characters" if isinstance(value, str) else "items"
    length = len(value) if isinstance(value, str | list | dict) else None
    has = f"; it has {length}" if length is not None else ""
    if "max_length" in context:
        return f"`{where}` must be at most {context['max_length']} {unit}{has}"
    least = context.get("min_length", 1)
    if least == 1 and unit == "characters":
        return f"`{where}` must not be empty"
    return f"`{where}` must be at least {least} {unit}{has}"
