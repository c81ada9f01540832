"""Text that no database can store (NUL, a lone UTF-16 surrogate) is a 400
naming its place, on every route and in every string a request carries:
each body property the OpenAPI publishes, each query parameter, each filter
operand. Never a 500, on SQLite and PostgreSQL alike. And every boolean and
integer of every body is strict: never coerced from a string or a number."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import pytest

from callvault.search.filters import OPERATORS, TAKES_VALUE, TAKES_VALUES
from tests.envelope import assert_envelope, refused
from tests.live import LiveServer

# As JSON escapes: a JSON text may spell both, and Python decodes both.
UNSTORABLE = {"nul": "a\\u0000b", "surrogate": "\\ud800"}
SENTENCES = {
    "nul": "must not contain the NUL character",
    "surrogate": "no lone surrogates",
}
# A JSON string that no decoder turns into a real value: swapped for the
# escape after orjson has written the body.
MARK = "@@unstorable@@"


def _spec(server: LiveServer) -> dict[str, Any]:
    spec: dict[str, Any] = httpx.get(f"{server.base_url}/openapi.json").json()
    return spec


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return _resolve(spec, spec["components"]["schemas"][name])
    non_null = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    return _resolve(spec, non_null[0]) if non_null else schema


def places(
    spec: dict[str, Any],
    schema: dict[str, Any],
    leaf: str = "string",
    seen: frozenset[str] = frozenset(),
) -> Iterator[tuple[str, Any]]:
    """(the path a refusal names, a JSON value with MARK at that path) for
    every `leaf`-typed value the schema holds, through objects and arrays."""
    ref = schema.get("$ref", "")
    schema = _resolve(spec, schema)
    kind = schema.get("type")
    if kind == leaf:
        yield "", MARK
    elif kind == "array":
        for path, value in places(spec, schema["items"], leaf, seen):
            yield "[0]" + (f".{path}" if path and path[0] != "[" else path), [value]
    elif kind == "object" and ref not in seen:
        for name, child in schema.get("properties", {}).items():
            for path, value in places(spec, child, leaf, seen | {ref}):
                joined = f"{name}.{path}" if path and path[0] != "[" else name + path
                yield joined, {name: value}


def string_places(
    spec: dict[str, Any], schema: dict[str, Any]
) -> Iterator[tuple[str, Any]]:
    return places(spec, schema)


def body_operations(server: LiveServer) -> list[tuple[str, str, dict[str, Any]]]:
    spec = _spec(server)
    found = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            body = operation.get("requestBody")
            if body:
                schema = body["content"]["application/json"]["schema"]
                found.append((method.upper(), path, _resolve(spec, schema)))
    return found


def concrete(path: str, ids: dict[str, str]) -> str:
    for name, value in ids.items():
        path = path.replace("{" + name + "}", value)
    return path


@pytest.fixture
def ids(api: httpx.Client) -> dict[str, str]:
    recording = api.post(
        "/call-recordings",
        json={
            "app_type": "custom_call_recorder",
            "start_time": "2025-01-01T00:00:00Z",
            "end_time": "2025-01-01T00:01:00Z",
            "call_recording_messages": [
                {"speaker_name": "Ana", "message_content": "hi"}
            ],
        },
    ).json()["data"]
    account = api.post("/accounts", json={"name": "Unstorable"}).json()["data"]
    return {"id": recording["id"], "account_id": account["id"]}


@pytest.mark.parametrize("kind", list(UNSTORABLE))
def test_every_string_of_every_body_refuses_unstorable_text(
    server: LiveServer, api: httpx.Client, ids: dict[str, str], kind: str
) -> None:
    spec = _spec(server)
    swept = 0
    for method, path, schema in body_operations(server):
        for where, body in string_places(spec, schema):
            content = orjson.dumps(body).replace(
                f'"{MARK}"'.encode(), f'"{UNSTORABLE[kind]}"'.encode()
            )
            response = api.request(
                method,
                concrete(path, ids),
                content=content,
                headers={"content-type": "application/json"},
            )
            refused(response, 400, "invalid_request_body", f"`{where}`")
            assert SENTENCES[kind] in " ".join(response.json()["errors"]), where
            swept += 1
    # Create recording, update recording, custom field, two account bodies
    # and search: every string property they publish, nested ones included.
    assert swept >= 35


def filter_operands() -> Iterator[tuple[str, str, str]]:
    for field, operators in OPERATORS.items():
        for operator in operators:
            if operator in TAKES_VALUE:
                yield field, operator, "value"
            elif operator in TAKES_VALUES:
                yield field, operator, "values"


@pytest.mark.parametrize("kind", list(UNSTORABLE))
@pytest.mark.parametrize(("field", "operator", "key"), list(filter_operands()))
def test_every_filter_operand_refuses_unstorable_text(
    api: httpx.Client, kind: str, field: str, operator: str, key: str
) -> None:
    bad = f'"{UNSTORABLE[kind]}"'
    operand = bad if key == "value" else f'["x", {bad}]'
    content = (
        f'{{"filter": {{"field": "{field}", "operator": "{operator}", '
        f'"{key}": {operand}}}}}'
    )

    response = api.post(
        "/call-recordings/search",
        content=content.encode(),
        headers={"content-type": "application/json"},
    )

    where = "filter.value" if key == "value" else "filter.values[1]"
    refused(response, 400, "invalid_request_body", f"`{where}`", SENTENCES[kind])


def test_every_string_query_parameter_refuses_nul(
    server: LiveServer, api: httpx.Client
) -> None:
    spec = _spec(server)
    swept = 0
    for path, methods in spec["paths"].items():
        if path.startswith("/webhooks/"):
            continue  # authenticated by its secret, not a token: tested there
        for method, operation in methods.items():
            for parameter in operation.get("parameters", []):
                schema = _resolve(spec, parameter["schema"])
                if parameter["in"] != "query" or schema.get("type") != "string":
                    continue
                name = parameter["name"]
                response = api.request(method, path, params={name: "a\x00b"})
                refused(response, 400, "invalid_request_body", f"`{name}`", "NUL")
                swept += 1
    assert swept >= 2


@pytest.mark.parametrize("segment", ["a%00b", "%ED%A0%80", "%FF"])
def test_unstorable_text_in_a_path_names_nothing(
    server: LiveServer, api: httpx.Client, segment: str
) -> None:
    spec = _spec(server)
    for path, methods in spec["paths"].items():
        if "{" not in path or path.startswith("/webhooks/"):
            continue
        for method in methods:
            target = path[: path.index("{")] + segment + path[path.index("}") + 1 :]
            response = api.request(method.upper(), target, json={})
            assert_envelope(response, 404, "not_found")


def test_a_surrogate_pair_is_ordinary_text(api: httpx.Client) -> None:
    response = api.post(
        "/accounts",
        content=b'{"name": "\\ud83d\\ude00 smile"}',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"]["name"] == "\U0001f600 smile"


# A string, a float or the other JSON type where a boolean or an integer
# belongs: refused, never read as one.
NOT_OF_TYPE = {
    "boolean": ['"yes"', '"true"', "0", "1"],
    "integer": ['"5"', "5.0", "true"],
}


@pytest.mark.parametrize("leaf", list(NOT_OF_TYPE))
def test_every_boolean_and_integer_of_every_body_is_strict(
    server: LiveServer, api: httpx.Client, ids: dict[str, str], leaf: str
) -> None:
    spec = _spec(server)
    swept = 0
    for method, path, schema in body_operations(server):
        for where, body in places(spec, schema, leaf):
            for written in NOT_OF_TYPE[leaf]:
                content = orjson.dumps(body).replace(
                    f'"{MARK}"'.encode(), written.encode()
                )
                response = api.request(
                    method,
                    concrete(path, ids),
                    content=content,
                    headers={"content-type": "application/json"},
                )
                refused(response, 400, "invalid_request_body", f"`{where}` must be")
            swept += 1
    # `is_disabled`; `limit` and `call_recording_messages[0].message_at_ms`.
    assert swept >= {"boolean": 1, "integer": 2}[leaf]
