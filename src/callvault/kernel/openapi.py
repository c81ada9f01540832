"""The served OpenAPI, shaped like the contract's (`spec/`): bearer security,
the contract's `ErrorApiResponseBody` for every refusal, and no 422, which
this server never answers (every bad input is a 400, contract section 2)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

ERROR_SCHEMA = "ErrorApiResponseBody"
ERROR_BODY: dict[str, Any] = {
    "type": "object",
    "properties": {
        "errors": {
            "type": "array",
            "items": {"type": "string"},
            "description": "The list of errors.",
        },
        "exists_id": {
            "type": "string",
            "description": "The ID of the object that already exists if this is "
            "a duplicate object error.",
        },
        "request_id": {
            "type": "string",
            "description": "The request ID for tracking.",
        },
        "code": {"type": "string", "description": "What went wrong, for programs."},
    },
}
# FastAPI's own validation error bodies: never sent, so never published.
UNSENT_SCHEMAS = ("HTTPValidationError", "ValidationError")
REFUSALS = {
    "400": "The request is invalid; `errors` says which field and why.",
    "401": "No API token, or not a valid one.",
    "404": "No such object in the caller's organization.",
    "413": "The request body is larger than the server accepts.",
    "429": "Over the organization's rate limit; see `Retry-After`.",
    "500": "Something failed on the server's side.",
}


def operation_id(route: APIRoute) -> str:
    """`get_call_recording` -> `GetCallRecording`, the contract's style."""
    return "".join(word.capitalize() for word in route.name.split("_"))


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = shape_like_the_contract(schema)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def shape_like_the_contract(schema: dict[str, Any]) -> dict[str, Any]:
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in UNSENT_SCHEMAS:
        schemas.pop(name, None)
    schemas[ERROR_SCHEMA] = ERROR_BODY
    components["securitySchemes"] = {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "Authorization: Bearer <token>",
        }
    }
    schema["security"] = [{"bearerAuth": []}]
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            _declare_refusals(path, operation)
    return schema


def _declare_refusals(path: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)
    codes = ["400", "401", "429", "500"]
    if re.search(r"\{[^}]+\}", path):
        codes.append("404")
    if "requestBody" in operation:
        codes.append("413")
    for code in sorted(codes):
        responses.setdefault(code, {"description": REFUSALS[code]})
        responses[code].setdefault(
            "content",
            {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
                }
            },
        )
