"""The error envelope (contract section 2), locked for every route the server
publishes, and the faults no route may answer with a 422 or a 500."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text

from callvault.settings import Settings
from tests.envelope import assert_envelope, refused
from tests.factories import create_recording, recording_body
from tests.live import LiveServer, engine_database, serve_in_thread

PAYLOAD_LIMIT = 10 * 1024 * 1024


def published_operations(server: LiveServer) -> list[tuple[str, str, bool]]:
    """(method, path, takes a JSON body) for every operation in /openapi.json."""
    spec = httpx.get(f"{server.base_url}/openapi.json").json()
    operations = []
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            # A webhook's path names a recorder; every other path parameter
            # is an id, and a fresh UUID names nothing.
            concrete = path.replace("{source}", "gong")
            concrete = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), concrete)
            operations.append((method.upper(), concrete, "requestBody" in operation))
    return operations


def test_the_published_operations_are_the_ones_this_suite_locks(
    server: LiveServer,
) -> None:
    paths = {
        (method, path.split("/")[1]) for method, path, _ in published_operations(server)
    }

    assert {
        ("GET", "call-recordings"),
        ("POST", "call-recordings"),
        ("PATCH", "call-recordings"),
        ("DELETE", "call-recordings"),
        ("GET", "custom-fields"),
        ("POST", "custom-fields"),
        ("GET", "accounts"),
        ("POST", "accounts"),
        ("PATCH", "accounts"),
        ("GET", "me"),
    } <= paths


def test_every_route_answers_401_in_the_envelope_without_a_token(
    server: LiveServer, anonymous: httpx.Client
) -> None:
    for method, path, _ in published_operations(server):
        response = anonymous.request(method, path, json={})
        assert_envelope(response, 401, "invalid_authorization_header")


def test_every_route_answers_401_in_the_envelope_for_an_unknown_token(
    server: LiveServer,
) -> None:
    with server.client("cv_not-a-token-of-ours") as client:
        for method, path, _ in published_operations(server):
            response = client.request(method, path, json={})
            assert_envelope(response, 401, "invalid_api_token")


def test_every_body_route_answers_malformed_json_with_400_in_the_envelope(
    server: LiveServer, api: httpx.Client
) -> None:
    bodies = [(m, p) for m, p, takes_body in published_operations(server) if takes_body]
    assert len(bodies) >= 4

    for method, path in bodies:
        for content in (b'{"title": ', b"[1, 2]", b'"text"', b"null"):
            response = api.request(
                method,
                path,
                content=content,
                headers={"content-type": "application/json"},
            )
            assert_envelope(response, 400, "invalid_request_body")


def test_every_route_with_an_id_answers_an_unknown_one_with_404_in_the_envelope(
    server: LiveServer, api: httpx.Client
) -> None:
    with_ids = [
        (m, p)
        for m, p, _ in published_operations(server)
        if p.count("/") >= 2
        and p.split("/")[2] not in ("search",)
        and not p.startswith("/webhooks/")
    ]
    assert len(with_ids) >= 6

    for method, path in with_ids:
        assert_envelope(api.request(method, path, json={}), 404, "not_found")


def test_an_unknown_route_is_404_in_the_envelope(
    api: httpx.Client, anonymous: httpx.Client
) -> None:
    assert_envelope(api.get("/call-recordingz"), 404, "not_found")
    assert_envelope(anonymous.post("/nothing/here", json={}), 404, "not_found")


def test_a_trailing_slash_is_404_in_the_envelope_not_a_redirect(
    api: httpx.Client,
) -> None:
    recording = create_recording(api)

    for response in (
        api.get(f"/call-recordings/{recording['id']}/"),
        api.post("/call-recordings/search/", json={}),
    ):
        assert_envelope(response, 404, "not_found")
        assert "location" not in response.headers


def test_a_wrong_method_is_405_in_the_envelope_with_allow(api: httpx.Client) -> None:
    response = api.put(f"/call-recordings/{uuid.uuid4()}", json={})

    assert_envelope(response, 405, "method_not_allowed")
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {
        "GET",
        "PATCH",
        "DELETE",
    }
    assert_envelope(api.delete("/me"), 405, "method_not_allowed")


def test_a_duplicate_is_409_in_the_envelope_with_exists_id(api: httpx.Client) -> None:
    body = {"label": "Dup", "type": "text", "object_type": "meeting"}
    first = api.post("/custom-fields", json=body).json()["data"]

    response = api.post("/custom-fields", json=body)

    assert_envelope(response, 409, "duplicate_object")
    assert response.json()["exists_id"] == first["id"]


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        ("GET", "/accounts?limit=x", None, "limit"),
        ("POST", "/accounts", {"name": 7}, "name"),
        ("POST", "/accounts", {"name": "A", "domains": {}}, "domains"),
        ("PATCH", "/accounts/{account}", {"is_disabled": "maybe"}, "is_disabled"),
        ("POST", "/custom-fields", {"label": [], "type": "text"}, "label"),
        (
            "POST",
            "/custom-fields",
            {
                "label": "A",
                "type": "select",
                "object_type": "meeting",
                "select_options": "a",
            },
            "select_options",
        ),
        (
            "POST",
            "/call-recordings",
            {"call_recording_messages": {}},
            "call_recording_messages",
        ),
        ("POST", "/call-recordings", {"start_time": 5}, "start_time"),
        (
            "POST",
            "/call-recordings",
            {"participant_emails": ["a@b.example"]},
            "participant_emails",
        ),
        (
            "PATCH",
            "/call-recordings/{recording}",
            {"custom_fields": {}},
            "custom_fields",
        ),
        (
            "PATCH",
            "/call-recordings/{recording}",
            {"custom_fields": [{"value": 3}]},
            "custom_fields[0].value",
        ),
        (
            "PATCH",
            "/call-recordings/{recording}",
            {"custom_fields": [{"values": "a"}]},
            "custom_fields[0].values",
        ),
        ("PATCH", "/call-recordings/{recording}", {"account_id": 12}, "account_id"),
    ],
)
def test_wrong_json_types_are_400_naming_the_field_never_422(
    api: httpx.Client, method: str, path: str, body: Any, field: str
) -> None:
    recording = create_recording(api)
    account = api.post("/accounts", json={"name": "Typed"}).json()["data"]
    path = path.format(recording=recording["id"], account=account["id"])

    response = api.request(method, path, json=body)

    assert_envelope(response, 400, "invalid_request_body")
    assert f"`{field}`" in " ".join(response.json()["errors"])


def _chunks(total: int, size: int = 1024 * 1024) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        chunk = b" " * min(size, total - sent)
        sent += len(chunk)
        yield chunk


def test_a_body_over_10_mib_is_413_with_a_content_length(api: httpx.Client) -> None:
    response = api.post(
        "/call-recordings",
        content=b" " * (PAYLOAD_LIMIT + 1),
        headers={"content-type": "application/json"},
    )

    assert_envelope(response, 413, "payload_too_large")


def test_a_chunked_body_over_10_mib_is_413(api: httpx.Client) -> None:
    response = api.patch(
        f"/call-recordings/{uuid.uuid4()}",
        content=_chunks(PAYLOAD_LIMIT + 1),
        headers={"content-type": "application/json"},
    )

    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_envelope(response, 413, "payload_too_large")


def test_a_body_of_exactly_10_mib_is_read(api: httpx.Client) -> None:
    body = recording_json_of_size(PAYLOAD_LIMIT)

    response = api.post(
        "/call-recordings", content=body, headers={"content-type": "application/json"}
    )

    assert len(body) == PAYLOAD_LIMIT
    assert response.status_code == 200, response.text[:300]


def recording_json_of_size(size: int) -> bytes:
    message = {"speaker_name": "Ana", "message_content": ""}
    document = recording_body(call_recording_messages=[message])
    base = len(orjson.dumps(document))
    message["message_content"] = "t" * (size - base)
    return orjson.dumps(document)


@pytest.mark.parametrize("slug", [b"a\\u0000b", b"\\ud800"], ids=["nul", "surrogate"])
def test_text_no_database_can_store_is_400(api: httpx.Client, slug: bytes) -> None:
    recording = create_recording(api)
    content = b'{"custom_fields": [{"slug": "' + slug + b'"}]}'

    response = api.patch(
        f"/call-recordings/{recording['id']}",
        content=content,
        headers={"content-type": "application/json"},
    )

    refused(response, 400, "invalid_request_body", "custom_fields[0].slug")


def test_an_internal_failure_is_500_in_the_envelope_without_internals(
    tmp_path: Path,
) -> None:
    with engine_database(tmp_path) as url:
        settings = Settings(database_url=url, rate_limits="off")
        with serve_in_thread(settings) as broken:
            org = broken.new_org()
            # A real fault below the service: the table vanishes under it.
            with broken.database.engine.begin() as connection:
                connection.execute(text("DROP TABLE account_domains"))
            with broken.client(org.token) as client:
                response = client.post("/accounts", json={"name": "A"})

    assert_envelope(response, 500, "internal_error")
    assert response.json()["errors"] == ["Something went wrong on our side."]
    for internal in ("account_domains", "sqlite", "psycopg", "SELECT", "INSERT"):
        assert internal not in response.text


LONG = "x" * 10_000
LONG_CASES = [
    pytest.param("GET", f"/call-recordings/{LONG}", None, id="get-recording"),
    pytest.param("PATCH", f"/call-recordings/{LONG}", {}, id="patch-recording"),
    pytest.param("DELETE", f"/call-recordings/{LONG}", None, id="delete-recording"),
    pytest.param("GET", f"/call-recordings/{LONG}/transcript", None, id="transcript"),
    pytest.param("PUT", f"/call-recordings/{LONG}", {}, id="wrong-method"),
    pytest.param("GET", f"/accounts/{LONG}", None, id="get-account"),
    pytest.param("GET", f"/custom-fields/{LONG}", None, id="get-custom-field"),
    pytest.param("GET", f"/custom-fields?object_type={LONG}", None, id="object-type"),
    pytest.param("GET", f"/nothing/{LONG}", None, id="unknown-route"),
    pytest.param("POST", f"/webhooks/{LONG}", {}, id="webhook-source"),
    pytest.param(
        "PATCH", "/call-recordings/{recording}", {"account_id": LONG}, id="account-id"
    ),
    pytest.param(
        "PATCH",
        "/call-recordings/{recording}",
        {"custom_fields": [{"slug": LONG}]},
        id="custom-field-slug",
    ),
    pytest.param(
        "POST",
        "/call-recordings",
        recording_body(participant_emails=LONG),
        id="participant",
    ),
    pytest.param(
        "POST", "/call-recordings", recording_body(start_time=LONG), id="time"
    ),
    pytest.param("POST", "/accounts", {"name": "Long", "domains": [LONG]}, id="domain"),
    pytest.param(
        "POST",
        "/custom-fields",
        {"label": "L", "type": LONG, "object_type": "meeting"},
        id="field-type",
    ),
    pytest.param(
        "POST",
        "/call-recordings/search",
        {"filter": {"field": LONG, "operator": "equals", "value": "v"}},
        id="filter-field",
    ),
    pytest.param(
        "POST",
        "/call-recordings/search",
        {"filter": {"field": "title", "operator": LONG, "value": "v"}},
        id="filter-operator",
    ),
    pytest.param(
        "POST",
        "/call-recordings/search",
        {"filter": {"field": "start_time", "operator": "time_is_after", "value": LONG}},
        id="filter-time",
    ),
]


@pytest.mark.parametrize(("method", "path", "body"), LONG_CASES)
def test_an_error_repeats_at_most_100_characters_of_a_callers_value(
    api: httpx.Client, method: str, path: str, body: Any
) -> None:
    recording = create_recording(api)

    response = api.request(
        method, path.replace("{recording}", recording["id"]), json=body
    )

    assert 400 <= response.status_code < 500, response.text[:300]
    assert_envelope(response, response.status_code, response.json()["code"])
    message = " ".join(response.json()["errors"])
    assert "x" * 101 not in message, message[:300]
    assert re.search(r"x…|x'…", message), message
    assert re.search(r"\(100\d\d characters\)", message), message
    assert len(message) < 500


def test_an_out_of_range_limit_is_repeated_cut_short(api: httpx.Client) -> None:
    huge = "9" * 4000
    response = api.post(
        "/call-recordings/search",
        content=f'{{"limit": {huge}}}',
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400, response.text[:300]
    (message,) = response.json()["errors"]
    assert message.startswith("`limit` must be an integer from 1 to 1000; got 999")
    assert message.endswith("… (4000 characters).")
    assert len(message) < 300
