"""The served /openapi.json against the contract (spec/): the contract's
operations with their ids, statuses and body shapes, and no 422 anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from tests.live import LiveServer

SPEC = Path(__file__).resolve().parent.parent / "spec" / "call-recordings.openapi.json"
CONTRACT: dict[str, Any] = orjson.loads(SPEC.read_bytes())


@pytest.fixture(scope="module")
def served(server: LiveServer) -> dict[str, Any]:
    document: dict[str, Any] = httpx.get(f"{server.base_url}/openapi.json").json()
    return document


def contract_operations() -> list[tuple[str, str]]:
    return [
        (path, method)
        for path, methods in CONTRACT["paths"].items()
        for method in methods
    ]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def shape(document: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    """What a client sees of a schema: property names and JSON types, with
    pydantic's `anyOf [T, null]` read as T. Recursion stops at depth 4 (the
    filter tree refers to itself)."""
    schema = resolve(document, schema)
    variants = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(variants) == 1:
        schema = resolve(document, variants[0])
    if depth > 4:
        return schema.get("type", "object")
    if "properties" in schema:
        return {
            name: shape(document, sub, depth + 1)
            for name, sub in schema["properties"].items()
        }
    if schema.get("type") == "array":
        return ["array", shape(document, schema["items"], depth + 1)]
    if isinstance(schema.get("additionalProperties"), dict):
        return {"*": shape(document, schema["additionalProperties"], depth + 1)}
    return schema.get("type")


@pytest.mark.parametrize(("path", "method"), contract_operations())
def test_each_contract_operation_is_served_with_its_id_and_statuses(
    served: dict[str, Any], path: str, method: str
) -> None:
    promised = CONTRACT["paths"][path][method]
    answered = served["paths"][path][method]

    assert answered["operationId"] == promised["operationId"]
    assert set(promised["responses"]) <= set(answered["responses"])


@pytest.mark.parametrize(("path", "method"), contract_operations())
def test_each_contract_operation_has_the_contracts_body_shapes(
    served: dict[str, Any], path: str, method: str
) -> None:
    promised = CONTRACT["paths"][path][method]
    answered = served["paths"][path][method]

    for status, response in promised["responses"].items():
        want = response["content"]["application/json"]["schema"]
        got = answered["responses"][status]["content"]["application/json"]["schema"]
        wanted, served_shape = shape(CONTRACT, want), shape(served, got)
        # The error body adds `code` (contract README, section 2).
        if isinstance(served_shape, dict):
            served_shape.pop("code", None)
        assert served_shape == wanted, status
    if "requestBody" in promised:
        want = promised["requestBody"]["content"]["application/json"]["schema"]
        got = answered["requestBody"]["content"]["application/json"]["schema"]
        assert shape(served, got) == shape(CONTRACT, want)


def test_no_operation_publishes_a_422(served: dict[str, Any]) -> None:
    published = [
        f"{method.upper()} {path}"
        for path, methods in served["paths"].items()
        for method, operation in methods.items()
        if "422" in operation["responses"]
    ]

    assert published == []
    assert "HTTPValidationError" not in served["components"]["schemas"]


def test_every_operation_declares_the_error_body_for_a_bad_request(
    served: dict[str, Any],
) -> None:
    error = "#/components/schemas/ErrorApiResponseBody"
    undeclared = [
        f"{method.upper()} {path}"
        for path, methods in served["paths"].items()
        for method, operation in methods.items()
        if operation["responses"]["400"]["content"]["application/json"]["schema"]
        != {"$ref": error}
    ]

    assert undeclared == []
    assert served["security"] == [{"bearerAuth": []}]
