"""Custom field values checked by type and stored in one canonical text form
(contract section 3: `value` for single-valued types, `values` for
multiselect, neither to unset)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from callvault.custom_fields.errors import InvalidCustomFieldValue
from callvault.custom_fields.models import CustomField
from callvault.kernel.times import format_instant, parse_instant

StoredValue = str | list[str]

_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
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
            f"`{where}`: {value!r} is not a valid {field.type} for "
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
        message = f"{value!r} is not an option slug; allowed: {', '.join(allowed)}"
        if where:
            raise InvalidCustomFieldValue(f"`{where}`: {message}.")
        raise ValueError(message)
    return value


def _text(_: CustomField, value: str) -> str:
    return value


def _number(_: CustomField, value: str) -> str:
    if not _INTEGER.fullmatch(value.strip()):
        raise ValueError("expected a whole number such as 42")
    return str(int(value))


def _decimal(_: CustomField, value: str) -> str:
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError("expected a number such as 3.14") from None
    if not number.is_finite():
        raise ValueError("expected a finite number")
    return str(number)


def _boolean(_: CustomField, value: str) -> str:
    if value not in ("true", "false"):
        raise ValueError("expected true or false")
    return value


def _date(_: CustomField, value: str) -> str:
    if not _DATE.fullmatch(value):
        raise ValueError("expected YYYY-MM-DD")
    return date.fromisoformat(value).isoformat()


def _datetime(_: CustomField, value: str) -> str:
    return format_instant(parse_instant(value))


def _url(_: CustomField, value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("expected an http or https URL")
    return value.strip()


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
