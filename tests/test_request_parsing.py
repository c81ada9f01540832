"""What a user is told when a request body cannot be read or has the wrong
types: a 400 `invalid_request_body` saying what is wrong, never FastAPI's
"There was an error parsing the body", never a silent coercion."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.envelope import refused
from tests.factories import create_recording, recording_body

SEARCH = "/call-recordings/search"
JSON = {"content-type": "application/json"}


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b'{"cursor": "\xff\xfe"}', ["not valid UTF-8", "0xff", "offset 12"]),
        (b"[" * 5000 + b"]" * 5000, ["nested too deeply"]),
        (b'{"filter": ' + b'{"subfilters": [' * 5000 + b"]}" * 5001, ["nested"]),
        (b'{"x": ' + b"9" * 100_000 + b"}", ["`x`", "100000 digits", "too large"]),
        (b'{"limit": ' + b"9" * 5000 + b"}", ["`limit`", "5000 digits", "too large"]),
        (b'{"limit": 1} xx', ["not valid JSON", "more text after the JSON value"]),
        (
            b'{"filter": '
            + b'{"operator": "and", "subfilters": [' * 255
            + b'{"field": "title", "operator": "equals", "value": "x"}'
            + b"]}" * 255
            + b"}",
            ["The request body is nested too deeply"],
        ),
        (b'{"limit": }', ["not valid JSON: expecting value at character 11."]),
        (
            b'{"cursor": "ab',
            ["not valid JSON: unterminated string starting at character 12."],
        ),
        (b'{"cursor": "\\u12"}', ["not valid JSON: invalid \\uXXXX escape at"]),
        (b'{"limit": 1}}', ["more text after the JSON value, at character 13."]),
    ],
    ids=[
        "utf8",
        "deep",
        "deep-filter",
        "digits",
        "limit",
        "trailing",
        "deep-for-pydantic",
        "broken",
        "unterminated",
        "escape",
        "extra",
    ],
)
def test_an_unreadable_body_says_what_is_wrong(
    api: httpx.Client, content: bytes, words: list[str]
) -> None:
    response = api.post(SEARCH, content=content, headers=JSON)

    refused(response, 400, "invalid_request_body", *words)
    assert "error parsing the body" not in response.text


def test_an_unreadable_body_without_a_token_is_401_first(
    anonymous: httpx.Client,
) -> None:
    response = anonymous.post(SEARCH, content=b'{"a": "\xff"}', headers=JSON)

    refused(response, 401, "invalid_authorization_header", "Bearer")


@pytest.mark.parametrize(
    ("headers", "sent"),
    [
        # What `curl -d` sends without `-H "Content-Type: application/json"`.
        (
            {"content-type": "application/x-www-form-urlencoded"},
            "`Content-Type: application/x-www-form-urlencoded`",
        ),
        ({"content-type": "text/plain"}, "`Content-Type: text/plain`"),
        ({}, "no Content-Type"),
    ],
)
def test_a_json_body_sent_as_another_type_names_the_content_type(
    api: httpx.Client, headers: dict[str, str], sent: str
) -> None:
    response = api.post(SEARCH, content=b'{"limit": 1}', headers=headers)

    refused(
        response, 400, "invalid_request_body", "`Content-Type: application/json`", sent
    )


def test_json_with_a_charset_or_a_json_suffix_is_read(api: httpx.Client) -> None:
    for kind in ("application/json; charset=utf-8", "application/problem+json"):
        response = api.post(
            SEARCH, content=b'{"limit": 1}', headers={"content-type": kind}
        )
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("value", ["yes", "off", "true", 0, 1, None])
def test_a_boolean_is_only_true_or_false(api: httpx.Client, value: object) -> None:
    account = api.post("/accounts", json={"name": "Strict"}).json()["data"]

    response = api.patch(f"/accounts/{account['id']}", json={"is_disabled": value})

    if value is None:  # null means "not given"
        assert response.status_code == 200
        assert response.json()["data"]["is_disabled"] is False
        return
    refused(
        response, 400, "invalid_request_body", "`is_disabled` must be `true` or `false`"
    )
    again = api.get(f"/accounts/{account['id']}").json()["data"]
    assert again["is_disabled"] is False


@pytest.mark.parametrize("value", ["5", 5.0, 5.5, True])
def test_an_integer_is_only_a_json_integer(api: httpx.Client, value: object) -> None:
    message = {"speaker_name": "Ana", "message_content": "hi", "message_at_ms": value}

    response = api.post(
        "/call-recordings", json=recording_body(call_recording_messages=[message])
    )
    search = api.post(SEARCH, json={"limit": value})

    refused(
        response,
        400,
        "invalid_request_body",
        "`call_recording_messages[0].message_at_ms` must be an integer",
    )
    refused(search, 400, "invalid_request_body", "`limit` must be an integer")


@pytest.mark.parametrize("value", [10**30, 2**63, -1, -(10**30)])
def test_a_message_offset_out_of_range_names_the_range(
    api: httpx.Client, value: int
) -> None:
    message = {"speaker_name": "Ana", "message_content": "hi", "message_at_ms": value}

    response = api.post(
        "/call-recordings", json=recording_body(call_recording_messages=[message])
    )

    refused(
        response,
        400,
        "invalid_request_body",
        "`call_recording_messages[0].message_at_ms` must be an integer from 0 to "
        f"{2**63 - 1}",
    )
    assert "Input should" not in response.text


@pytest.mark.parametrize("value", ["0", "1001", "-1", "9" * 30])
def test_an_account_page_limit_out_of_range_names_the_range(
    api: httpx.Client, value: str
) -> None:
    response = api.get("/accounts", params={"limit": value})

    refused(
        response,
        400,
        "invalid_request_body",
        "`limit` must be an integer from 1 to 1000",
    )


@pytest.mark.parametrize("value", ["x", "1e3", "", "0x10", "9" * 5000])
def test_a_query_integer_that_is_no_integer_is_said_so(
    api: httpx.Client, value: str
) -> None:
    response = api.get("/accounts", params={"limit": value})

    refused(response, 400, "invalid_request_body", "`limit`", "integer")
    assert "Input should" not in response.text
    assert "Unable to parse" not in response.text
    assert len(response.text) < 400


@pytest.mark.parametrize("value", ["1_0", "+5", " 5", "5 ", "٥"])
def test_a_query_integer_is_digits_only(api: httpx.Client, value: str) -> None:
    """Python's int() reads these as numbers; a caller who sends them has
    made a mistake worth hearing about, not a page of 10."""
    response = api.get("/accounts", params={"limit": value})

    refused(
        response,
        400,
        "invalid_request_body",
        "`limit` must be an integer, written in digits",
    )


def test_a_wrong_method_names_only_what_the_concrete_path_serves(
    api: httpx.Client,
) -> None:
    on_search = api.put(SEARCH, json={})
    on_recording = api.put(f"/call-recordings/{uuid.uuid4()}", json={})
    on_transcript = api.post(f"/call-recordings/{uuid.uuid4()}/transcript")

    refused(on_search, 405, "method_not_allowed", "PUT")
    assert on_search.headers["allow"] == "POST"
    assert on_recording.headers["allow"] == "DELETE, GET, PATCH"
    assert on_transcript.headers["allow"] == "GET"


@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE", "PUT"])
def test_search_is_no_recording_id_for_another_method(
    api: httpx.Client, anonymous: httpx.Client, method: str
) -> None:
    body = {} if method in ("PATCH", "PUT") else None

    for client in (api, anonymous):
        response = client.request(method, SEARCH, json=body)

        refused(
            response, 405, "method_not_allowed", f"{method} is not allowed on {SEARCH}"
        )
        assert response.headers["allow"] == "POST"


def test_head_on_search_is_405_allowing_post(api: httpx.Client) -> None:
    response = api.head(SEARCH)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_a_wrong_method_on_a_recording_still_allows_its_methods(
    api: httpx.Client,
) -> None:
    recording = create_recording(api)

    response = api.post(f"/call-recordings/{recording['id']}", json={})

    refused(response, 405, "method_not_allowed", "POST")
    assert response.headers["allow"] == "DELETE, GET, PATCH"
