"""Call recordings through real HTTP: create, dedup, get, update, delete,
transcript, and every error the contract names for them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.envelope import refused
from tests.factories import FIELD_SPECS, create_recording, field_body, recording_body
from tests.live import LiveServer, Org


def test_create_returns_every_field_of_the_contract(api: httpx.Client) -> None:
    data = create_recording(api, recording_id="abc-1")

    assert data["source"] == "custom_call_recorder"
    assert data["external_id"] == "abc-1"
    assert data["title"] == "Onboarding kickoff"
    assert data["start_time"] == "2025-01-15T09:30:00Z"
    assert data["end_time"] == "2025-01-15T10:00:00Z"
    assert data["duration_ms"] == 30 * 60 * 1000
    assert data["url"] == "https://recorder.example/r/1"
    assert data["summary"] == ""
    assert data["account_id"] == ""
    assert data["calendar_event_id"] == ""
    assert data["participant_emails"] == ["ana@customer.example", "sam@vendor.example"]
    assert data["custom_fields"] == {}
    assert data["created_at"].endswith("Z")
    # Never updated: a client may test exactly this.
    assert data["updated_at"] == data["created_at"]


def test_create_answers_times_in_utc(api: httpx.Client) -> None:
    data = create_recording(
        api,
        start_time="2025-01-15T11:30:00+02:00",
        end_time="2025-01-15T07:00:00.250-03:00",
    )

    assert data["start_time"] == "2025-01-15T09:30:00Z"
    assert data["end_time"] == "2025-01-15T10:00:00.250000Z"
    assert data["duration_ms"] == 30 * 60 * 1000 + 250


def test_create_with_a_known_recording_id_answers_the_first_unchanged(
    api: httpx.Client,
) -> None:
    first = create_recording(api, recording_id="dup-1", title="First")

    again = create_recording(api, recording_id="dup-1", title="Second")

    assert again == first


def test_create_without_recording_id_behaves_as_one_fixed_id(
    api: httpx.Client,
) -> None:
    body = recording_body(title="No id")
    del body["recording_id"]
    first = api.post("/call-recordings", json=body).json()["data"]

    second = api.post("/call-recordings", json={**body, "title": "Other"}).json()

    assert first["external_id"] == ""
    assert second["data"]["id"] == first["id"]


def test_participants_are_trimmed_deduplicated_and_include_the_primary_user(
    api: httpx.Client,
) -> None:
    data = create_recording(
        api,
        participant_emails=" ana@customer.example, ,ANA@customer.example,bo@x.example ",
        primary_user_email="sam@vendor.example",
    )

    assert data["participant_emails"] == [
        "ana@customer.example",
        "bo@x.example",
        "sam@vendor.example",
    ]


def test_the_account_is_matched_by_participant_domains(
    api: httpx.Client,
) -> None:
    first = api.post(
        "/accounts", json={"name": "Customer", "domains": ["customer.example"]}
    ).json()["data"]
    api.post("/accounts", json={"name": "Other", "domains": ["other.example"]})

    data = create_recording(
        api,
        participant_emails="ana@customer.example,bo@customer.example,cy@other.example",
    )

    assert data["account_id"] == first["id"]


def test_the_organizations_own_domain_never_matches_an_account(
    api: httpx.Client,
) -> None:
    api.post("/accounts", json={"name": "Us?", "domains": ["vendor.example"]})

    data = create_recording(
        api,
        participant_emails="sam@vendor.example",
        call_recording_messages=[MESSAGE],
    )

    assert data["account_id"] == ""


def test_a_given_account_id_is_used_as_is(api: httpx.Client) -> None:
    account = api.post("/accounts", json={"name": "Chosen"}).json()["data"]

    data = create_recording(api, account_id=account["id"])

    assert data["account_id"] == account["id"]


def test_get_answers_the_created_recording(api: httpx.Client) -> None:
    created = create_recording(api)

    response = api.get(f"/call-recordings/{created['id']}")

    assert response.status_code == 200
    assert response.json()["data"] == created
    assert response.headers["x-request-id"] == response.json()["request_id"]


def test_get_of_an_unknown_id_is_404(api: httpx.Client) -> None:
    refused(
        api.get("/call-recordings/00000000-0000-4000-8000-000000000000"),
        404,
        "not_found",
    )
    refused(api.get("/call-recordings/not-a-uuid"), 404, "not_found")


def test_another_organizations_recording_does_not_exist(
    api: httpx.Client, server: LiveServer
) -> None:
    created = create_recording(api)
    other = server.new_org()

    with server.client(other.token) as stranger:
        for response in (
            stranger.get(f"/call-recordings/{created['id']}"),
            stranger.patch(f"/call-recordings/{created['id']}", json={}),
            stranger.delete(f"/call-recordings/{created['id']}"),
            stranger.get(f"/call-recordings/{created['id']}/transcript"),
        ):
            refused(response, 404, "not_found")
    assert api.get(f"/call-recordings/{created['id']}").status_code == 200


def test_update_links_and_unlinks_an_account(api: httpx.Client) -> None:
    created = create_recording(api)
    account = api.post("/accounts", json={"name": "Linked"}).json()["data"]

    linked = api.patch(
        f"/call-recordings/{created['id']}", json={"account_id": account["id"]}
    ).json()["data"]
    unlinked = api.patch(
        f"/call-recordings/{created['id']}", json={"account_id": ""}
    ).json()["data"]

    assert linked["account_id"] == account["id"]
    assert unlinked["account_id"] == ""
    assert unlinked["updated_at"] >= linked["updated_at"] >= created["updated_at"]


def test_an_update_that_changes_nothing_keeps_updated_at(api: httpx.Client) -> None:
    account = api.post("/accounts", json={"name": "Kept"}).json()["data"]
    field = api.post("/custom-fields", json=field_body("number")).json()["data"]
    created = create_recording(api)
    url = f"/call-recordings/{created['id']}"
    same = {
        "account_id": account["id"],
        "custom_fields": [{"slug": field["slug"], "value": "7"}],
    }
    changed = api.patch(url, json=same).json()["data"]

    bodies: list[dict[str, Any]] = [
        {},
        {"account_id": None, "custom_fields": None},
        {"custom_fields": []},
        same,
        # The same values, written otherwise: stored canonically, they are equal.
        {
            "account_id": account["id"].upper(),
            "custom_fields": [{"slug": field["slug"], "value": "+007"}],
        },
    ]
    for body in bodies:
        response = api.patch(url, json=body)
        assert response.status_code == 200, response.text
        assert response.json()["data"] == changed, body

    assert changed["updated_at"] > created["updated_at"]
    assert api.get(url).json()["data"] == changed


def test_unsetting_an_unset_field_changes_nothing(api: httpx.Client) -> None:
    field = api.post("/custom-fields", json=field_body("text")).json()["data"]
    created = create_recording(api)

    response = api.patch(
        f"/call-recordings/{created['id']}",
        json={"account_id": "", "custom_fields": [{"slug": field["slug"]}]},
    )

    assert response.status_code == 200, response.text
    assert response.json()["data"] == created


def test_update_with_an_unknown_account_is_400(api: httpx.Client) -> None:
    created = create_recording(api)

    response = api.patch(
        f"/call-recordings/{created['id']}",
        json={"account_id": "00000000-0000-4000-8000-000000000000"},
    )

    refused(response, 400, "invalid_request_body", "account_id")


@pytest.mark.parametrize(
    ("kind", "given", "answered"),
    [(kind, given, answered) for kind, _, given, answered in FIELD_SPECS],
)
def test_update_sets_and_unsets_each_custom_field_type(
    api: httpx.Client, kind: str, given: dict[str, Any], answered: dict[str, Any]
) -> None:
    field = api.post("/custom-fields", json=field_body(kind)).json()["data"]
    created = create_recording(api)
    url = f"/call-recordings/{created['id']}"

    set_ = api.patch(url, json={"custom_fields": [{"slug": field["slug"], **given}]})
    fetched = api.get(url).json()["data"]
    unset = api.patch(url, json={"custom_fields": [{"slug": field["slug"]}]})

    assert set_.status_code == 200, set_.text
    expected = {field["slug"]: {"slug": field["slug"], **answered}}
    assert set_.json()["data"]["custom_fields"] == expected
    assert fetched["custom_fields"] == expected
    assert unset.json()["data"]["custom_fields"] == {}


def test_fields_not_named_keep_their_values(api: httpx.Client) -> None:
    notes = api.post("/custom-fields", json=field_body("text", label="Notes"))
    seats = api.post("/custom-fields", json=field_body("number", label="Seats"))
    created = create_recording(
        api, custom_fields=[{"slug": notes.json()["data"]["slug"], "value": "hi"}]
    )

    updated = api.patch(
        f"/call-recordings/{created['id']}",
        json={"custom_fields": [{"slug": seats.json()["data"]["slug"], "value": "7"}]},
    ).json()["data"]

    assert updated["custom_fields"] == {
        "notes": {"slug": "notes", "value": "hi"},
        "seats": {"slug": "seats", "value": "7"},
    }


@pytest.mark.parametrize(
    ("kind", "entry", "words"),
    [
        ("number", {"value": "4.5"}, ["whole number"]),
        ("decimal", {"value": "lots"}, ["number"]),
        ("boolean", {"value": "yes"}, ["true or false"]),
        ("date", {"value": "31/03/2025"}, ["YYYY-MM-DD"]),
        ("datetime", {"value": "2025-03-31T17:00:00"}, ["offset"]),
        ("url", {"value": "tickets.example"}, ["URL"]),
        ("select", {"value": "meh"}, ["option"]),
        ("multiselect", {"values": ["pricing", "nope"]}, ["option"]),
        ("multiselect", {"value": "pricing"}, ["values"]),
        ("text", {"values": ["a"]}, ["value"]),
        ("text", {"value": "a", "values": ["a"]}, ["not both"]),
    ],
)
def test_a_custom_field_value_of_the_wrong_type_is_400(
    api: httpx.Client, kind: str, entry: dict[str, Any], words: list[str]
) -> None:
    field = api.post("/custom-fields", json=field_body(kind)).json()["data"]
    created = create_recording(api)

    response = api.patch(
        f"/call-recordings/{created['id']}",
        json={"custom_fields": [{"slug": field["slug"], **entry}]},
    )

    refused(response, 400, "invalid_request_body", "custom_fields[0]", *words)
    assert api.get(f"/call-recordings/{created['id']}").json()["data"] == created


def test_an_unknown_custom_field_slug_is_400(api: httpx.Client) -> None:
    created = create_recording(api)

    response = api.patch(
        f"/call-recordings/{created['id']}",
        json={"custom_fields": [{"slug": "nope", "value": "x"}]},
    )

    refused(response, 400, "invalid_request_body", "custom_fields[0].slug", "nope")


def test_a_field_of_another_object_type_is_not_a_recording_field(
    api: httpx.Client,
) -> None:
    api.post("/custom-fields", json=field_body("text", object_type="account"))
    created = create_recording(api)

    response = api.patch(
        f"/call-recordings/{created['id']}",
        json={"custom_fields": [{"slug": "text_field", "value": "x"}]},
    )

    refused(response, 400, "invalid_request_body", "text_field")


def test_delete_removes_the_recording_and_its_transcript(api: httpx.Client) -> None:
    created = create_recording(api)

    deleted = api.delete(f"/call-recordings/{created['id']}")

    assert deleted.status_code == 200
    assert set(deleted.json()) == {"request_id"}
    refused(api.get(f"/call-recordings/{created['id']}"), 404, "not_found")
    refused(api.get(f"/call-recordings/{created['id']}/transcript"), 404, "not_found")
    refused(api.delete(f"/call-recordings/{created['id']}"), 404, "not_found")


def test_transcript_answers_the_messages_in_call_order(api: httpx.Client) -> None:
    created = create_recording(api)

    response = api.get(f"/call-recordings/{created['id']}/transcript")

    assert response.json()["data"] == [
        {
            "position": 0,
            "speaker_name": "Ana",
            "speaker_email": "ana@customer.example",
            "offset_ms": 0,
            "text": "Hello!",
        },
        {
            "position": 1,
            "speaker_name": "Sam",
            "speaker_email": "",
            "offset_ms": 1500,
            "text": "Welcome aboard.",
        },
    ]


MESSAGE = {"speaker_name": "Ana", "message_content": "Hi"}


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"app_type": "gong"}, ["app_type", "custom_call_recorder"]),
        ({"app_type": None}, ["app_type"]),
        ({"start_time": None}, ["start_time", "required"]),
        ({"end_time": None}, ["end_time", "required"]),
        ({"start_time": "2025-01-15T09:30:00"}, ["start_time", "offset"]),
        ({"end_time": "2025-01-15T09:00:00Z"}, ["end_time", "before"]),
        ({"call_recording_messages": []}, ["call_recording_messages"]),
        (
            {
                "call_recording_messages": [
                    {"speaker_name": "A", "message_content": " "}
                ]
            },
            ["call_recording_messages[0].message_content"],
        ),
        (
            {"call_recording_messages": [{"message_content": "Hi"}]},
            ["call_recording_messages[0]", "speaker_email", "speaker_name"],
        ),
        (
            {"call_recording_messages": [{**MESSAGE, "message_at_ms": -1}]},
            ["call_recording_messages[0].message_at_ms"],
        ),
        (
            {"call_recording_messages": [{**MESSAGE, "message_at_ms": 2**64}]},
            ["call_recording_messages[0].message_at_ms"],
        ),
        (
            {
                "call_recording_messages": [
                    {"speaker_email": "eve@else.example", "message_content": "Hi"}
                ]
            },
            ["call_recording_messages[0].speaker_email", "eve@else.example"],
        ),
        ({"participant_emails": "ana@customer.example,not-an-email"}, ["not-an-email"]),
        ({"recording_url": "https://r.example/" + "x" * 240}, ["recording_url", "255"]),
        (
            {"recording_id": "r" * 256},
            ["`recording_id` must be at most 255 characters; it has 256"],
        ),
        (
            {"call_recording_messages": [{**MESSAGE, "speaker_name": "n" * 501}]},
            [
                "`call_recording_messages[0].speaker_name` must be at most 500 characters"
            ],
        ),
        (
            {"account_id": "00000000-0000-4000-8000-000000000000"},
            ["account_id", "no account"],
        ),
        (
            {"custom_fields": [{"slug": "nope", "value": "x"}]},
            ["custom_fields[0].slug"],
        ),
        ({"title": "nul \u0000 inside"}, ["title", "NUL"]),
    ],
)
def test_create_refuses_each_invalid_field_with_a_400_naming_it(
    api: httpx.Client, overrides: dict[str, Any], words: list[str]
) -> None:
    response = api.post("/call-recordings", json=recording_body(**overrides))

    refused(response, 400, "invalid_request_body", *words)


def test_a_speaker_email_is_compared_without_case(api: httpx.Client) -> None:
    data = create_recording(
        api,
        call_recording_messages=[
            {"speaker_email": "ANA@Customer.example", "message_content": "Hi"}
        ],
    )

    transcript = api.get(f"/call-recordings/{data['id']}/transcript").json()["data"]
    assert transcript[0]["speaker_email"] == "ANA@Customer.example"


def test_unknown_request_fields_are_ignored_and_null_means_not_given(
    api: httpx.Client,
) -> None:
    data = create_recording(api, title=None, recording_url=None, colour="blue")

    assert data["title"] == ""
    assert data["url"] == ""


def test_the_same_recording_id_sent_at_once_makes_one_recording(
    server: LiveServer, org: Org
) -> None:
    body = recording_body(recording_id="raced-1")

    def send(_: int) -> httpx.Response:
        with server.client(org.token) as client:
            return client.post("/call-recordings", json=body)

    with ThreadPoolExecutor(max_workers=6) as pool:
        responses = list(pool.map(send, range(6)))

    assert [r.status_code for r in responses] == [200] * 6
    assert len({r.json()["data"]["id"] for r in responses}) == 1


def test_a_long_title_is_kept_whole_and_found_by_equals(api: httpx.Client) -> None:
    title = "Quarterly review — " + "ö" * 10_000
    created = create_recording(api, title=title)

    found = api.post(
        "/call-recordings/search",
        json={"filter": {"field": "title", "operator": "equals", "value": title}},
    )

    assert created["title"] == title
    assert found.status_code == 200, found.text
    assert [r["id"] for r in found.json()["data"]] == [created["id"]]


def test_duration_is_exact_to_the_millisecond(api: httpx.Client) -> None:
    # 259.001 s is 259.00099999… as a float: float seconds lose the 1 ms.
    created = create_recording(
        api, start_time="2025-01-15T09:30:00Z", end_time="2025-01-15T09:34:19.001Z"
    )

    assert created["duration_ms"] == 259_001
