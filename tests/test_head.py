"""HEAD wherever GET is served (RFC 9110, section 9.3.2): the status and
header fields GET would answer, without the content, through real HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.factories import create_recording, field_body
from tests.live import LiveServer

# Fields that differ between any two responses, whatever their method.
PER_RESPONSE = {"date", "x-request-id"}


def same_answer(got: httpx.Response, want: httpx.Response) -> None:
    """HEAD answered as GET was: status and fields alike, and no content."""
    assert got.status_code == want.status_code, got.request.url
    assert got.content == b""
    fields = {k: v for k, v in got.headers.items() if k not in PER_RESPONSE}
    assert fields == {k: v for k, v in want.headers.items() if k not in PER_RESPONSE}
    assert got.headers["x-request-id"].startswith("req_")


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_a_health_probe_answers_head_as_get(anonymous: httpx.Client, path: str) -> None:
    head = anonymous.head(path)

    assert head.status_code == 200
    same_answer(head, anonymous.get(path))


def test_every_read_of_the_api_answers_head_as_get(api: httpx.Client) -> None:
    recording = create_recording(api)
    account = api.post("/accounts", json={"name": "Headed"}).json()["data"]
    field = api.post("/custom-fields", json=field_body("text")).json()["data"]
    paths = [
        "/me",
        f"/call-recordings/{recording['id']}",
        f"/call-recordings/{recording['id']}/transcript",
        "/accounts",
        f"/accounts/{account['id']}",
        "/custom-fields?object_type=meeting",
        f"/custom-fields/{field['id']}",
    ]

    for path in paths:
        head = api.head(path)
        assert head.status_code == 200, path
        same_answer(head, api.get(path))


def test_head_of_an_unknown_id_is_the_get_404(api: httpx.Client) -> None:
    path = "/call-recordings/00000000-0000-4000-8000-000000000000"

    same_answer(api.head(path), api.get(path))


def test_head_needs_the_token_as_get_does(anonymous: httpx.Client) -> None:
    head = anonymous.head("/me")

    assert head.status_code == 401
    same_answer(head, anonymous.get("/me"))


def test_head_where_no_get_is_served_is_405_naming_the_methods(
    api: httpx.Client,
) -> None:
    head = api.head("/call-recordings")

    assert head.status_code == 405
    assert head.headers["allow"] == "POST"
    assert head.content == b""


def test_the_published_openapi_has_no_head_operations(server: LiveServer) -> None:
    spec: dict[str, Any] = httpx.get(f"{server.base_url}/openapi.json").json()

    assert [
        f"{method} {path}"
        for path, operations in spec["paths"].items()
        for method in operations
        if method == "head"
    ] == []
