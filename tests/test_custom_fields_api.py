"""Custom field definitions through real HTTP (contract section 3b)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.envelope import refused
from tests.factories import FIELD_SPECS, field_body
from tests.live import LiveServer, Org

KINDS = [spec[0] for spec in FIELD_SPECS]


@pytest.mark.parametrize("kind", KINDS)
def test_create_answers_every_field_the_client_reads(
    api: httpx.Client, kind: str
) -> None:
    response = api.post("/custom-fields", json=field_body(kind))

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    assert data["label"] == f"{kind.title()} field"
    assert data["slug"] == f"{kind}_field"
    assert data["type"] == kind
    assert data["object_type"] == "meeting"
    assert data["source"] == "api"
    assert data["description"] == ""
    assert data["is_read_only"] is False
    assert data["created_at"].endswith("Z")
    assert data["updated_at"] == data["created_at"]
    if kind in ("select", "multiselect"):
        labels = [o["label"] for o in field_body(kind)["select_options"]]
        assert data["select_metadata"] == {
            "options": [{"slug": label.lower(), "label": label} for label in labels]
        }
    else:
        assert "select_metadata" not in data


def test_create_keeps_a_given_slug_description_and_option_ai_description(
    api: httpx.Client,
) -> None:
    response = api.post(
        "/custom-fields",
        json={
            "label": "Call mood",
            "slug": "mood",
            "type": "select",
            "object_type": "meeting",
            "description": "How the customer felt.",
            "select_options": [
                {"slug": "up", "label": "Upbeat", "ai_description": "Happy."}
            ],
            "default_value": "up",
            "default_values": None,
        },
    )

    data = response.json()["data"]
    assert data["slug"] == "mood"
    assert data["description"] == "How the customer felt."
    assert data["select_metadata"]["options"] == [
        {"slug": "up", "label": "Upbeat", "ai_description": "Happy."}
    ]


def test_list_answers_the_fields_of_one_object_type_in_creation_order(
    api: httpx.Client,
) -> None:
    first = api.post("/custom-fields", json=field_body("text", label="B first"))
    second = api.post("/custom-fields", json=field_body("number", label="A second"))
    api.post("/custom-fields", json=field_body("text", object_type="account"))

    response = api.get("/custom-fields", params={"object_type": "meeting"})

    assert response.status_code == 200
    assert [f["id"] for f in response.json()["data"]] == [
        first.json()["data"]["id"],
        second.json()["data"]["id"],
    ]


def test_get_answers_one_field_and_404_for_others(
    api: httpx.Client, server: LiveServer
) -> None:
    created = api.post("/custom-fields", json=field_body("date")).json()["data"]
    other = server.new_org()

    fetched = api.get(f"/custom-fields/{created['id']}")

    assert fetched.json()["data"] == created
    refused(api.get("/custom-fields/not-an-id"), 404, "not_found")
    with server.client(other.token) as stranger:
        refused(stranger.get(f"/custom-fields/{created['id']}"), 404, "not_found")
        listed = stranger.get("/custom-fields", params={"object_type": "meeting"})
        assert listed.json()["data"] == []


def test_a_duplicate_slug_is_409_with_the_existing_id(api: httpx.Client) -> None:
    first = api.post("/custom-fields", json=field_body("text")).json()["data"]

    response = api.post("/custom-fields", json=field_body("number", slug="text_field"))

    refused(response, 409, "duplicate_object", "text_field")
    assert response.json()["exists_id"] == first["id"]


def test_the_same_slug_may_exist_for_another_object_type(api: httpx.Client) -> None:
    api.post("/custom-fields", json=field_body("text"))

    response = api.post("/custom-fields", json=field_body("text", object_type="issue"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (field_body("text", object_type="ticket"), ["object_type", "meeting"]),
        (field_body("text", type="colour"), ["type", "multiselect"]),
        (field_body("text", label=""), ["label"]),
        (field_body("text", slug="Not A Slug"), ["slug"]),
        (field_body("text", label="!!!"), ["slug"]),
        (field_body("select", select_options=[]), ["select_options"]),
        (
            field_body("select", select_options=[{"label": "A"}, {"label": "a"}]),
            ["select_options[1].slug"],
        ),
        (field_body("select", select_options=[{"label": ""}]), ["select_options[0]"]),
        (field_body("text", select_options=[{"label": "A"}]), ["select_options"]),
        ({"type": "text", "object_type": "meeting"}, ["label", "required"]),
        (field_body("text", label=5), ["label"]),
    ],
)
def test_create_refuses_each_invalid_field_with_a_400_naming_it(
    api: httpx.Client, body: dict[str, Any], words: list[str]
) -> None:
    response = api.post("/custom-fields", json=body)

    refused(response, 400, "invalid_request_body", *words)


def test_list_requires_a_known_object_type(api: httpx.Client) -> None:
    refused(api.get("/custom-fields"), 400, "invalid_request_body", "object_type")
    refused(
        api.get("/custom-fields", params={"object_type": "ticket"}),
        400,
        "invalid_request_body",
        "ticket",
    )


def test_one_slug_requested_at_once_is_made_once_and_refused_otherwise(
    server: LiveServer, org: Org
) -> None:
    def send(_: int) -> httpx.Response:
        with server.client(org.token) as client:
            return client.post("/custom-fields", json=field_body("text", label="Race"))

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(send, range(6)))

    made = [r.json()["data"]["id"] for r in responses if r.status_code == 200]
    assert len(made) == 1
    for response in responses:
        if response.status_code != 200:
            refused(response, 409, "duplicate_object", "race")
            assert response.json()["exists_id"] == made[0]
