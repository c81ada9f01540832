"""Every refused search answers 400 `invalid_request_body`, naming the path in
the request and what is allowed there; never a 422 or a 500."""

from __future__ import annotations

from typing import Any

import httpx
import pytest


def leaf(field: str, operator: str, **operand: Any) -> dict[str, Any]:
    return {"field": field, "operator": operator, **operand}


TIME = "2025-01-01T00:00:00Z"
TITLE = leaf("title", "equals", value="x")


def nest(levels: int) -> dict[str, Any]:
    node: dict[str, Any] = TITLE
    for _ in range(levels - 1):
        node = {"operator": "and", "subfilters": [node]}
    return node


# (body, substrings every one of which the message must hold)
INVALID_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    (
        {"filter": leaf("title", "in", values=["x"])},
        ["`filter.operator`", "'in'", "`title`", "`equals`, `string_contains`"],
    ),
    (
        {"filter": {"operator": "or", "subfilters": [TITLE, leaf("source", "is_set")]}},
        ["`filter.subfilters[1].operator`", "`source`", "`equals`, `in`, `not_in`"],
    ),
    (
        {"filter": leaf("start_time", "equals", value=TIME)},
        ["`filter.operator`", "`time_is_after`, `time_is_before`, `time_range`"],
    ),
    (
        {"filter": leaf("account_id", "string_contains", value="a")},
        ["`filter.operator`", "`equals`, `in`, `not_in`, `is_set`, `is_unset`"],
    ),
    (
        {"filter": leaf("summary", "equals", value="x")},
        [
            "`filter.field`",
            "'summary'",
            "`account_id`, `source`, `title`, `start_time`",
        ],
    ),
    (
        {"filter": {"operator": "equals", "value": "x"}},
        ["`filter.field` is required", "`account_id`, `source`"],
    ),
    ({"filter": {"field": "title"}}, ["`filter.operator` is required", "`and`, `or`"]),
    (
        {"filter": leaf("title", "equals")},
        ["`filter.value` is required", "`title` `equals`", "non-empty"],
    ),
    (
        {"filter": leaf("title", "equals", value="")},
        ["`filter.value` is required", "non-empty string"],
    ),
    (
        {"filter": leaf("title", "string_contains", value="")},
        ["`filter.value` is required", "`string_contains`"],
    ),
    (
        {"filter": leaf("title", "equals", values=["a", "b"])},
        ["`filter.values`", "`equals` takes `value`"],
    ),
    (
        {"filter": leaf("source", "in", value="zoom")},
        ["`filter.value`", "`in` takes `values`"],
    ),
    (
        {"filter": leaf("source", "in")},
        ["`filter.values` is required", "`source` `in`", "list of non-empty strings"],
    ),
    (
        {"filter": leaf("source", "not_in", values=[])},
        ["`filter.values` is required", "non-empty list"],
    ),
    (
        {"filter": leaf("source", "in", values=["zoom", ""])},
        ["`filter.values[1]` must not be empty"],
    ),
    (
        {"filter": leaf("account_id", "is_set", value="x")},
        ["`filter.value`", "`is_set` takes neither `value` nor `values`"],
    ),
    (
        {"filter": leaf("start_time", "time_is_after", value="2025-01-01T00:00:00")},
        ["`filter.value`", "RFC3339", "offset"],
    ),
    (
        {"filter": leaf("start_time", "time_is_before", value="yesterday")},
        ["`filter.value`", "RFC3339"],
    ),
    (
        {"filter": leaf("start_time", "time_range", values=[TIME])},
        ["`filter.values`", "exactly two", "[start, end)"],
    ),
    (
        {"filter": leaf("start_time", "time_range", values=[TIME, TIME, TIME])},
        ["`filter.values`", "exactly two"],
    ),
    (
        {
            "filter": leaf(
                "start_time", "time_range", values=["2025-02-01T00:00:00Z", TIME]
            )
        },
        ["`filter.values`", "after the end", "[start, end)"],
    ),
    (
        {
            "filter": leaf(
                "start_time", "time_range", values=[TIME, "2025-13-01T00:00:00Z"]
            )
        },
        ["`filter.values[1]`", "not a valid time"],
    ),
    (
        {"filter": {"operator": "and"}},
        ["`filter.subfilters` is required", "one or more"],
    ),
    (
        {"filter": {"operator": "or", "subfilters": []}},
        ["`filter.subfilters` is required", "`or`"],
    ),
    (
        {"filter": {"operator": "and", "value": "x", "subfilters": [TITLE]}},
        ["`filter.value`", "`and` takes `subfilters` only"],
    ),
    (
        {"filter": {**TITLE, "subfilters": [TITLE]}},
        ["`filter.subfilters`", "only `and` and `or` take subfilters"],
    ),
    (
        {"filter": nest(4)},
        ["`filter.subfilters[0].subfilters[0].subfilters[0]`", "at most 3 levels"],
    ),
    (
        {"filter": {"operator": "or", "subfilters": [TITLE] * 101}},
        ["`filter`", "101 conditions", "at most 100"],
    ),
    (
        {"filter": leaf("source", "in", values=[str(n) for n in range(1001)])},
        ["`filter`", "1001 values", "at most 1000"],
    ),
    ({"limit": 0}, ["`limit`", "from 1 to 1000"]),
    ({"limit": 1001}, ["`limit`", "from 1 to 1000"]),
    ({"limit": -5}, ["`limit`", "from 1 to 1000"]),
]

WRONG_TYPES: list[tuple[Any, list[str]]] = [
    ({"filter": "title"}, ["`filter` must be a JSON object"]),
    ({"filter": ["a"]}, ["`filter`"]),
    ({"filter": leaf("source", "in", values="zoom")}, ["`filter.values`", "list"]),
    (
        {"filter": leaf("source", "in", values=["zoom", 3])},
        ["`filter.values[1]`", "string"],
    ),
    ({"filter": leaf("title", "equals", value=7)}, ["`filter.value`", "string"]),
    ({"filter": {"field": "title", "operator": 1}}, ["`filter.operator`", "string"]),
    (
        {"filter": {"field": ["title"], "operator": "equals"}},
        ["`filter.field`", "string"],
    ),
    (
        {"filter": {"operator": "and", "subfilters": [TITLE, "x"]}},
        ["`filter.subfilters[1]`"],
    ),
    (
        {"filter": {"operator": "and", "subfilters": TITLE}},
        ["`filter.subfilters`", "list"],
    ),
    (
        {
            "filter": {
                "operator": "or",
                "subfilters": [
                    {
                        "operator": "and",
                        "subfilters": [
                            {"field": "title", "operator": "equals", "value": False}
                        ],
                    }
                ],
            }
        },
        ["`filter.subfilters[0].subfilters[0].value`", "string"],
    ),
    ({"limit": "10"}, ["`limit`", "integer"]),
    ({"limit": 10.5}, ["`limit`", "integer"]),
    ({"limit": True}, ["`limit`", "integer"]),
    ({"cursor": 12}, ["`cursor`", "string"]),
    ({"cursor": {"a": 1}}, ["`cursor`", "string"]),
    (["not", "an", "object"], ["JSON object"]),
    ("just a string", ["JSON object"]),
]


@pytest.mark.parametrize(("body", "expected"), INVALID_FILTERS + WRONG_TYPES)
def test_refused_with_the_path_and_what_is_allowed(
    api: httpx.Client, body: Any, expected: list[str]
) -> None:
    response = api.post("/call-recordings/search", json=body)

    assert response.status_code == 400, response.text
    payload = response.json()
    assert payload["code"] == "invalid_request_body"
    message = " ".join(payload["errors"])
    for part in expected:
        assert part in message
    assert payload["request_id"] == response.headers["x-request-id"]


def test_malformed_json_is_a_400(api: httpx.Client) -> None:
    response = api.post(
        "/call-recordings/search",
        content=b'{"filter": ',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request_body"


def test_deeply_nested_json_is_a_400_not_a_500(api: httpx.Client) -> None:
    deep = '{"operator": "and", "subfilters": [' * 5000 + "]}" * 5000
    response = api.post(
        "/call-recordings/search",
        content=('{"filter": ' + deep + "}").encode(),
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_request_body"


def test_search_needs_a_token(anonymous: httpx.Client) -> None:
    response = anonymous.post("/call-recordings/search", json={})

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_authorization_header"
