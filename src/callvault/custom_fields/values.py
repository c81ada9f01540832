"""Custom field values checked by type and stored in one canonical text form
(contract section 3: `value` for single-valued types, `values` for
multiselect, neither to unset)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from pydantic import HttpUrl, TypeAdapter, ValidationError

from callvault.custom_fields.errors import InvalidCustomFieldValue
from callvault.custom_fields.models import CustomField
from callvault.kernel.errors import quoted
from callvault.kernel.times import format_instant, parse_instant

StoredValue = str | list[str]

_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
# Plain notation only: `1e400`, `.5`, `5.`, `Infinity` and surrounding spaces
# are refused, not read into a form the caller never wrote.
_PLAIN_DECIMAL = re.compile(r"[+-]?\d+(\.\d+)?", re.ASCII)
# Whole numbers fit a signed 64-bit integer, as every client's integer does.
_NUMBER_BOUND = 2**63
# As many digits as the widest SQL DECIMAL most databases hold: DECIMAL(38, s).
DECIMAL_DIGITS = 38
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def canonical_value(
    field: CustomField, value: str | None, values: list[str] | None, where: str
) -> StoredValue | None:
    """The value to store, or None to unset the field."""
    if value is not None and values is not None:
        raise InvalidCustomFieldValue(
            f"`{where}`: give either `value` or `values`, not both."
        )
    if field.type == "multiselect":
        if value is not None:
            raise InvalidCustomFieldValue(
                f"`{where}.value`: {field.slug!r} is a multiselect field; "
                "send its option slugs in `values`."
            )
        return _options(field, values, where) if values else None
    if values is not None:
        raise InvalidCustomFieldValue(
            f"`{where}.values`: {field.slug!r} is a {field.type} field; "
            "send one `value`."
        )
    if value is None or value == "":
        return None
    return _single(field, value, f"{where}.value")


def _single(field: CustomField, value: str, where: str) -> str:
    checker = _CHECKERS[field.type]
    try:
        return checker(field, value)
    except ValueError as problem:
        raise InvalidCustomFieldValue(
            f"`{where}`: {quoted(value)} is not a valid {field.type} for "
            f"{field.slug!r}: {problem}"
        ) from None


def _options(field: CustomField, values: list[str], where: str) -> list[str]:
    chosen: dict[str, None] = {}
    for index, item in enumerate(values):
        chosen.setdefault(_select(field, item, f"{where}.values[{index}]"), None)
    return list(chosen)


def _select(field: CustomField, value: str, where: str = "") -> str:
    allowed = [option["slug"] for option in field.options or []]
    if value not in allowed:
        message = (
            f"{quoted(value)} is not an option slug; allowed: {', '.join(allowed)}"
        )
        if where:
            raise InvalidCustomFieldValue(f"`{where}`: {message}.")
        raise ValueError(message)
    return value


def _text(_: CustomField, value: str) -> str:
    return value


def _number(_: CustomField, value: str) -> str:
    """Stored canonically: no sign for zero or positives, no leading zeros."""
    if not _INTEGER.fullmatch(value):
        raise ValueError("expected a whole number such as 42, without spaces")
    # Leading zeros go before int() reads it: a long run of them is still a
    # small number, and past 4300 digits int() refuses to read any.
    digits = value.lstrip("+-").lstrip("0") or "0"
    out_of_range = ValueError(
        f"expected a whole number from {-_NUMBER_BOUND} to {_NUMBER_BOUND - 1}"
    )
    if len(digits) > len(str(_NUMBER_BOUND)):
        raise out_of_range
    number = -int(digits) if value.startswith("-") else int(digits)
    if not -_NUMBER_BOUND <= number < _NUMBER_BOUND:
        raise out_of_range
    return str(number)


def _decimal(_: CustomField, value: str) -> str:
    """Stored as written but canonical: no `+`, no leading zeros, no sign on
    zero; the digits after the point are kept (`1234.50` stays)."""
    if not _PLAIN_DECIMAL.fullmatch(value):
        raise ValueError(
            "expected a number in plain notation such as 3.14 or -0.5, "
            "without exponent or spaces"
        )
    whole, _point, fraction = value.lstrip("+-").partition(".")
    if len(whole.lstrip("0")) + len(fraction) > DECIMAL_DIGITS:
        raise ValueError(
            f"expected at most {DECIMAL_DIGITS} digits, leading zeros aside"
        )
    number = Decimal(value)
    if number.is_zero():
        number = abs(number)
    return format(number, "f")


def _boolean(_: CustomField, value: str) -> str:
    if value not in ("true", "false"):
        raise ValueError("expected true or false")
    return value


def _date(_: CustomField, value: str) -> str:
    if not _DATE.fullmatch(value):
        raise ValueError("expected YYYY-MM-DD")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError("expected a day of the calendar as YYYY-MM-DD") from None


def _datetime(_: CustomField, value: str) -> str:
    return format_instant(parse_instant(value))


_HTTP_URL = TypeAdapter(HttpUrl)
_NOT_A_URL = (
    "expected an absolute http or https URL with a host and no spaces, "
    "such as https://tickets.example/T-1"
)


def _url(_: CustomField, value: str) -> str:
    """Stored as written, once pydantic's URL parser (WHATWG rules, IDNA
    hosts, ports) takes it."""
    # The parser forgives what a written URL must not hold: it drops tabs and
    # newlines, escapes spaces, and finds a host for `https:///x` in the path.
    if any(char.isspace() or not char.isprintable() for char in value):
        raise ValueError(_NOT_A_URL)
    if not urlsplit(value).hostname:
        raise ValueError(_NOT_A_URL)
    try:
        _HTTP_URL.validate_python(value)
    except ValidationError:
        raise ValueError(_NOT_A_URL) from None
    return value


_CHECKERS: dict[str, Callable[[CustomField, str], str]] = {
    "text": _text,
    "number": _number,
    "decimal": _decimal,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
    "url": _url,
    "select": _select,
}


def present(slug: str, stored: StoredValue) -> dict[str, Any]:
    """The response shape: `{"slug", "value"}` or `{"slug", "values"}`."""
    if isinstance(stored, list):
        return {"slug": slug, "values": stored}
    return {"slug": slug, "value": stored}
