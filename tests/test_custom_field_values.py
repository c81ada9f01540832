"""Custom field values of `number`, `decimal` and `date`: stored in one
canonical form, and refused, in a sentence, when not plainly written."""

from __future__ import annotations

import httpx
import pytest

from tests.envelope import refused
from tests.factories import create_recording, field_body


def _set(api: httpx.Client, kind: str, value: str) -> httpx.Response:
    field = api.post("/custom-fields", json=field_body(kind)).json()["data"]
    recording = create_recording(api)
    return api.patch(
        f"/call-recordings/{recording['id']}",
        json={"custom_fields": [{"slug": field["slug"], "value": value}]},
    )


@pytest.mark.parametrize(
    ("kind", "written", "stored"),
    [
        ("number", "-0", "0"),
        ("number", "+5", "5"),
        ("number", "007", "7"),
        ("number", "0" * 5000 + "12", "12"),
        ("number", "-9223372036854775808", "-9223372036854775808"),
        ("number", "9223372036854775807", "9223372036854775807"),
        ("decimal", "1234.50", "1234.50"),
        ("decimal", "+001.5", "1.5"),
        ("decimal", "-0.00", "0.00"),
        ("decimal", "-0", "0"),
        ("decimal", "0.0000001", "0.0000001"),
        ("decimal", "-12.345", "-12.345"),
    ],
)
def test_a_number_is_stored_canonically(
    api: httpx.Client, kind: str, written: str, stored: str
) -> None:
    response = _set(api, kind, written)

    assert response.status_code == 200, response.text
    (value,) = response.json()["data"]["custom_fields"].values()
    assert value["value"] == stored


@pytest.mark.parametrize(
    ("kind", "written", "words"),
    [
        ("number", " 5", ["whole number", "without spaces"]),
        ("number", "5 ", ["whole number", "without spaces"]),
        ("number", "9223372036854775808", ["from -9223372036854775808"]),
        ("number", "9" * 5000, ["from -9223372036854775808", "5000 characters"]),
        ("decimal", "1e400", ["plain notation", "without exponent"]),
        ("decimal", "1E+400", ["plain notation"]),
        ("decimal", " 1.5", ["plain notation"]),
        ("decimal", ".5", ["plain notation"]),
        ("decimal", "5.", ["plain notation"]),
        ("decimal", "NaN", ["plain notation"]),
        ("decimal", "Infinity", ["plain notation"]),
        ("decimal", "1" * 39, ["at most 38 digits"]),
        ("decimal", "0." + "0" * 40 + "1", ["at most 38 digits"]),
        ("date", "2025-02-30", ["a day of the calendar"]),
    ],
)
def test_a_number_not_plainly_written_is_refused(
    api: httpx.Client, kind: str, written: str, words: list[str]
) -> None:
    response = _set(api, kind, written)

    refused(response, 400, "invalid_request_body", "`custom_fields[0].value`", *words)
    assert "out of range" not in response.text
    assert "sys.set_int_max_str_digits" not in response.text
    assert len(response.text) < 1000


@pytest.mark.parametrize(
    "written",
    [
        "https://tickets.example/T-1",
        "http://localhost:8080/calls?id=7#notes",
        "HTTPS://Tickets.example/T-1",
        "https://[2001:db8::1]/r/1",
        "https://bücher.example/katalog",
    ],
)
def test_a_url_is_stored_as_written(api: httpx.Client, written: str) -> None:
    response = _set(api, "url", written)

    assert response.status_code == 200, response.text
    (value,) = response.json()["data"]["custom_fields"].values()
    assert value["value"] == written


@pytest.mark.parametrize(
    "written",
    [
        "https://exa mple.com",
        "https://tickets.example/T 1",
        " https://tickets.example/T-1",
        "https://tickets.example/T-1 ",
        "https://exa\tmple.com",
        "https://tickets.example/\nT-1",
        "ftp://tickets.example/T-1",
        "mailto:ana@customer.example",
        "tickets.example/T-1",
        "//tickets.example/T-1",
        "https://",
        "https:///T-1",
        "https:tickets.example",
        "https://tickets.example:99999/",
        "https://1.2.3.4.5/",
    ],
)
def test_a_url_that_is_not_an_absolute_http_url_is_refused(
    api: httpx.Client, written: str
) -> None:
    field = api.post("/custom-fields", json=field_body("url")).json()["data"]
    recording = create_recording(api)

    response = api.patch(
        f"/call-recordings/{recording['id']}",
        json={"custom_fields": [{"slug": field["slug"], "value": written}]},
    )

    refused(
        response,
        400,
        "invalid_request_body",
        "`custom_fields[0].value`",
        repr(field["slug"]),
        "an absolute http or https URL with a host and no spaces",
    )
