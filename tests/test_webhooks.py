from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from callvault.settings import Settings
from tests.importing import FIXTURES, fetch, fresh_database, run_cli
from tests.live import LiveServer, Org, serve_in_thread

FATHOM_KEY = "whsec_" + base64.b64encode(b"fathom-test-signing-key-32-bytes").decode()
ZOOM_KEY = "zoom-secret-token-123"


def webhook_secret(server: LiveServer, org: Org) -> str:
    result = run_cli(server, "webhooks", "secret", "--org", org.name)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()[0].strip()


def set_key(server: LiveServer, org: Org, source: str, key: str) -> None:
    result = run_cli(
        server, "webhooks", "signing-secret", source, "--org", org.name, "--key", key
    )
    assert result.exit_code == 0, result.output


def deliveries(server: LiveServer, org: Org) -> list[dict[str, Any]]:
    with server.database.engine.connect() as connection:
        rows = connection.execute(
            text(
                "select delivery_id, status, outcome from webhook_deliveries "
                "where organization_id = :org order by received_at"
            ),
            {"org": org.id},
        ).mappings()
        return [dict(row) for row in rows]


def eventually(check: Callable[[], bool]) -> None:
    """Deliveries are imported in the background: wait until it happened."""
    deadline = time.monotonic() + 15
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the delivery was not processed")
        time.sleep(0.05)


def processed(server: LiveServer, org: Org) -> Callable[[], bool]:
    def check() -> bool:
        found = deliveries(server, org)
        return bool(found) and all(row["status"] != "pending" for row in found)

    return check


def standard_headers(
    key: str, delivery_id: str, body: bytes, stamp: int
) -> dict[str, str]:
    secret = base64.b64decode(key.removeprefix("whsec_"))
    signed = f"{delivery_id}.{stamp}.".encode() + body
    signature = base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest())
    return {
        "webhook-id": delivery_id,
        "webhook-timestamp": str(stamp),
        "webhook-signature": f"v1,bm90IHRoaXMgb25l v1,{signature.decode()}",
        "content-type": "application/json",
    }


def zoom_headers(key: str, body: bytes, stamp: str = "1751990400") -> dict[str, str]:
    digest = hmac.new(key.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256)
    return {
        "x-zm-request-timestamp": stamp,
        "x-zm-signature": "v0=" + digest.hexdigest(),
        "content-type": "application/json",
    }


def test_a_signed_fathom_delivery_is_imported_once_when_sent_three_times(
    server: LiveServer, org: Org, api: httpx.Client, anonymous: httpx.Client
) -> None:
    secret = webhook_secret(server, org)
    set_key(server, org, "fathom", FATHOM_KEY)
    body = (FIXTURES / "fathom" / "webhook.json").read_bytes()
    headers = standard_headers(FATHOM_KEY, "msg_2Lh9Q", body, int(time.time()))

    answers = [
        anonymous.post(
            f"/webhooks/fathom?secret={secret}", content=body, headers=headers
        )
        for _ in range(3)
    ]

    assert [answer.status_code for answer in answers] == [202, 200, 200]
    assert answers[0].json()["data"] == {"delivery_id": "msg_2Lh9Q", "duplicate": False}
    assert answers[2].json()["data"]["duplicate"] is True
    eventually(processed(server, org))
    assert deliveries(server, org) == [
        {
            "delivery_id": "msg_2Lh9Q",
            "status": "imported",
            "outcome": "meeting (223456789): created",
        }
    ]
    recording, lines = fetch(api, server, org, "fathom", "223456789")
    assert recording["start_time"] == "2025-04-05T08:00:00.250000Z"
    assert lines[0]["speaker_email"] == "bill@initech.example"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: ({**h, "webhook-signature": "v1,AAAA"}, b),
        lambda h, b: (h, b.replace(b"Webhook meeting", b"Forged meeting")),
        lambda h, b: ({**h, "webhook-id": "msg_other"}, b),
        lambda h, b: ({k: v for k, v in h.items() if k != "webhook-signature"}, b),
    ],
    ids=["wrong-signature", "changed-body", "changed-id", "unsigned"],
)
def test_a_bad_fathom_signature_is_refused_and_nothing_stored(
    server: LiveServer, org: Org, anonymous: httpx.Client, tamper: Any
) -> None:
    secret = webhook_secret(server, org)
    set_key(server, org, "fathom", FATHOM_KEY)
    body = (FIXTURES / "fathom" / "webhook.json").read_bytes()
    headers, sent = tamper(
        standard_headers(FATHOM_KEY, "msg_1", body, int(time.time())), body
    )

    answer = anonymous.post(
        f"/webhooks/fathom?secret={secret}", content=sent, headers=headers
    )

    assert answer.status_code == 401
    assert answer.json()["code"] == "invalid_signature"
    assert deliveries(server, org) == []


def test_an_old_fathom_timestamp_is_refused(
    server: LiveServer, org: Org, anonymous: httpx.Client
) -> None:
    secret = webhook_secret(server, org)
    set_key(server, org, "fathom", FATHOM_KEY)
    body = (FIXTURES / "fathom" / "webhook.json").read_bytes()
    headers = standard_headers(FATHOM_KEY, "msg_1", body, int(time.time()) - 3600)

    answer = anonymous.post(
        f"/webhooks/fathom?secret={secret}", content=body, headers=headers
    )

    assert answer.status_code == 401
    assert deliveries(server, org) == []


def test_zoom_url_validation_is_answered_with_the_encrypted_token(
    server: LiveServer, org: Org, anonymous: httpx.Client
) -> None:
    secret = webhook_secret(server, org)
    set_key(server, org, "zoom", ZOOM_KEY)
    body = json.dumps(
        {
            "payload": {"plainToken": "qgg8vlvZRS6UYooatFL8Aw"},
            "event_ts": 1,
            "event": "endpoint.url_validation",
        }
    ).encode()

    answer = anonymous.post(
        f"/webhooks/zoom?secret={secret}",
        content=body,
        headers=zoom_headers(ZOOM_KEY, body),
    )

    assert answer.status_code == 200
    expected = hmac.new(ZOOM_KEY.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256)
    assert answer.json() == {
        "plainToken": "qgg8vlvZRS6UYooatFL8Aw",
        "encryptedToken": expected.hexdigest(),
    }
    assert deliveries(server, org) == []


def test_a_signed_zoom_delivery_is_imported_once_when_sent_three_times(
    server: LiveServer, org: Org, api: httpx.Client, anonymous: httpx.Client
) -> None:
    secret = webhook_secret(server, org)
    set_key(server, org, "zoom", ZOOM_KEY)
    body = (FIXTURES / "zoom" / "webhook" / "recording-completed.json").read_bytes()

    statuses = [
        anonymous.post(
            f"/webhooks/zoom?secret={secret}",
            content=body,
            headers=zoom_headers(ZOOM_KEY, body),
        ).status_code
        for _ in range(3)
    ]

    assert statuses == [202, 200, 200]
    eventually(processed(server, org))
    assert [row["status"] for row in deliveries(server, org)] == ["imported"]
    recording, lines = fetch(api, server, org, "zoom", "7777DDDlDDDDDlDlDllDll==")
    assert recording["title"] == "Webhook meeting"
    assert recording["end_time"] == "2025-07-10T07:50:00Z"
    # The transcript is not in the delivery; it is not fetched.
    assert lines == []


def test_a_bad_zoom_signature_is_refused_and_nothing_stored(
    server: LiveServer, org: Org, anonymous: httpx.Client
) -> None:
    secret = webhook_secret(server, org)
    set_key(server, org, "zoom", ZOOM_KEY)
    body = (FIXTURES / "zoom" / "webhook" / "recording-completed.json").read_bytes()

    wrong_key = anonymous.post(
        f"/webhooks/zoom?secret={secret}",
        content=body,
        headers=zoom_headers("other", body),
    )
    unsigned = anonymous.post(f"/webhooks/zoom?secret={secret}", content=body)

    assert wrong_key.status_code == unsigned.status_code == 401
    assert deliveries(server, org) == []


def test_a_gong_delivery_with_the_url_secret_is_imported_once(
    server: LiveServer, org: Org, api: httpx.Client, anonymous: httpx.Client
) -> None:
    secret = webhook_secret(server, org)
    body = (FIXTURES / "gong" / "webhook.json").read_bytes()
    reformatted = json.dumps(json.loads(body)).encode()

    statuses = [
        anonymous.post(f"/webhooks/gong?secret={secret}", content=sent).status_code
        for sent in (body, body, body, reformatted)
    ]

    # The same body is the same delivery; another body for the same call is
    # another delivery, and finds the call stored already.
    assert statuses == [202, 200, 200, 202]
    eventually(processed(server, org))
    assert [row["outcome"] for row in deliveries(server, org)] == [
        "callData: created",
        "callData: unchanged",
    ]
    recording, _ = fetch(api, server, org, "gong", "7782342274025937898")
    assert recording["summary"] == "Quarterly business review."
    listed = run_cli(server, "webhooks", "deliveries", "--org", org.name)
    assert [line.split("\t")[3:] for line in listed.stdout.splitlines()] == [
        ["imported", "callData: created"],
        ["imported", "callData: unchanged"],
    ]


def test_a_wrong_url_secret_is_refused_and_nothing_stored(
    server: LiveServer, org: Org, anonymous: httpx.Client
) -> None:
    webhook_secret(server, org)
    body = (FIXTURES / "gong" / "webhook.json").read_bytes()

    answer = anonymous.post("/webhooks/gong?secret=whk_not-ours", content=body)
    missing = anonymous.post("/webhooks/gong", content=body)

    assert answer.status_code == missing.status_code == 401
    assert deliveries(server, org) == []


def test_the_api_token_names_the_organization_too(
    server: LiveServer, org: Org, api: httpx.Client
) -> None:
    body = (FIXTURES / "gong" / "webhook.json").read_bytes()

    answer = api.post("/webhooks/gong", content=body)

    assert answer.status_code == 202
    eventually(processed(server, org))


def test_granola_deliveries_are_recorded_without_fetching(
    server: LiveServer, org: Org, anonymous: httpx.Client
) -> None:
    secret = webhook_secret(server, org)
    body = (FIXTURES / "granola" / "webhook-note-ready.json").read_bytes()

    first = anonymous.post(f"/webhooks/granola?secret={secret}", content=body)
    again = anonymous.post(f"/webhooks/granola?secret={secret}", content=body)

    assert (first.status_code, again.status_code) == (202, 200)
    eventually(processed(server, org))
    assert deliveries(server, org) == [
        {
            "delivery_id": "evt_01HZX",
            "status": "recorded",
            "outcome": "no call in this delivery",
        }
    ]
    with server.database.engine.connect() as connection:
        stored = connection.execute(
            text("select count(*) from call_recordings where organization_id = :o"),
            {"o": org.id},
        ).scalar_one()
    assert stored == 0


def test_an_unknown_source_is_not_found(server: LiveServer, api: httpx.Client) -> None:
    answer = api.post("/webhooks/otter", content=b"{}")

    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"


def accept_while_idle(server: LiveServer) -> Org:
    """A Gong delivery accepted by a server that does not import: pending."""
    body = (FIXTURES / "gong" / "webhook.json").read_bytes()
    org = server.new_org()
    secret = webhook_secret(server, org)
    with server.client(None) as client:
        accepted = client.post(f"/webhooks/gong?secret={secret}", content=body)
    assert accepted.status_code == 202
    return org


def test_a_delivery_accepted_before_a_stop_is_imported_at_the_next_start(
    tmp_path: Path,
) -> None:
    with fresh_database(tmp_path) as url:
        idle = Settings(database_url=url, rate_limits="off", webhook_processing=False)
        with serve_in_thread(idle) as first:
            org = accept_while_idle(first)
            assert [row["status"] for row in deliveries(first, org)] == ["pending"]
            first.database.dispose()

        with serve_in_thread(Settings(database_url=url, rate_limits="off")) as second:
            eventually(processed(second, org))
            assert [row["status"] for row in deliveries(second, org)] == ["imported"]
            with second.client(org.token) as api:
                recording, _ = fetch(api, second, org, "gong", "7782342274025937898")
            second.database.dispose()
    assert recording["title"] == "Initech QBR"


def test_a_body_that_is_not_a_json_object_is_a_400_and_nothing_stored(
    server: LiveServer, org: Org, anonymous: httpx.Client
) -> None:
    secret = webhook_secret(server, org)

    broken = anonymous.post(f"/webhooks/gong?secret={secret}", content=b"{not json")
    listed = anonymous.post(f"/webhooks/gong?secret={secret}", content=b"[1, 2]")

    assert broken.status_code == listed.status_code == 400
    assert broken.json()["code"] == "invalid_request_body"
    assert broken.json()["errors"] == ["The delivery body is not valid JSON."]
    assert deliveries(server, org) == []


def test_a_gong_test_delivery_is_recorded_and_imports_nothing(
    server: LiveServer, org: Org, anonymous: httpx.Client
) -> None:
    secret = webhook_secret(server, org)
    delivery = json.loads((FIXTURES / "gong" / "webhook.json").read_bytes())
    delivery["isTest"] = True

    answer = anonymous.post(f"/webhooks/gong?secret={secret}", json=delivery)

    assert answer.status_code == 202
    eventually(processed(server, org))
    assert [row["status"] for row in deliveries(server, org)] == ["recorded"]
    with server.database.engine.connect() as connection:
        stored = connection.execute(
            text("select count(*) from call_recordings where organization_id = :o"),
            {"o": org.id},
        ).scalar_one()
    assert stored == 0


def gong_delivery(**meta: Any) -> dict[str, Any]:
    delivery = json.loads((FIXTURES / "gong" / "webhook.json").read_bytes())
    delivery["callData"]["metaData"].update(meta)
    return dict(delivery)


@pytest.mark.parametrize(
    ("body", "outcome"),
    [
        (
            gong_delivery(duration=10**20),
            "callData: `metaData.duration`: 100000000000000000000 is out of range: "
            "milliseconds must fit in a 64-bit integer",
        ),
        (
            gong_delivery(title="Initech\u0000QBR"),
            "callData: `title`: text must not contain the NUL character (\\u0000)",
        ),
        ({"callData": 5}, "callData: `callData`: expected an object, got a number"),
        (
            {"hello": "there"},
            "file: not a Gong calls page ({calls}), a call ({metaData}), a webhook "
            "body ({callData}) or a transcripts answer ({callTranscripts}); got an "
            "object with keys hello",
        ),
    ],
    ids=["huge-duration", "nul-title", "no-call", "unknown-layout"],
)
def test_a_gong_delivery_whose_content_cannot_be_imported_fails_with_the_reason(
    server: LiveServer,
    org: Org,
    anonymous: httpx.Client,
    body: dict[str, Any],
    outcome: str,
) -> None:
    secret = webhook_secret(server, org)

    answer = anonymous.post(f"/webhooks/gong?secret={secret}", json=body)

    assert answer.status_code == 202
    eventually(processed(server, org))
    [delivery] = deliveries(server, org)
    assert (delivery["status"], delivery["outcome"]) == ("failed", outcome)
    listed = run_cli(server, "webhooks", "deliveries", "--org", org.name)
    assert [line.split("\t")[3:] for line in listed.stdout.splitlines()] == [
        ["failed", outcome]
    ]
    with server.database.engine.connect() as connection:
        stored = connection.execute(
            text("select count(*) from call_recordings where organization_id = :o"),
            {"o": org.id},
        ).scalar_one()
    assert stored == 0


def test_a_fireflies_delivery_of_ids_only_is_recorded(
    server: LiveServer, org: Org, anonymous: httpx.Client
) -> None:
    secret = webhook_secret(server, org)
    body = (
        FIXTURES / "fireflies" / "webhook-transcription-completed.json"
    ).read_bytes()

    answer = anonymous.post(f"/webhooks/fireflies?secret={secret}", content=body)

    assert answer.status_code == 202
    eventually(processed(server, org))
    assert [(row["status"], row["outcome"]) for row in deliveries(server, org)] == [
        ("recorded", "no call in this delivery")
    ]


def test_a_fathom_delivery_keeps_every_digit_of_a_big_id(
    server: LiveServer, org: Org, api: httpx.Client, anonymous: httpx.Client
) -> None:
    secret = webhook_secret(server, org)
    set_key(server, org, "fathom", FATHOM_KEY)
    meeting = json.loads((FIXTURES / "fathom" / "webhook.json").read_bytes())
    meeting["recording_id"] = 18446744073709551617
    body = json.dumps(meeting).encode()
    headers = standard_headers(FATHOM_KEY, "msg_big", body, int(time.time()))

    answer = anonymous.post(
        f"/webhooks/fathom?secret={secret}", content=body, headers=headers
    )

    assert answer.status_code == 202
    eventually(processed(server, org))
    assert [row["outcome"] for row in deliveries(server, org)] == [
        "meeting (18446744073709551617): created"
    ]
    recording, _ = fetch(api, server, org, "fathom", "18446744073709551617")
    assert recording["external_id"] == "18446744073709551617"


def test_a_stored_delivery_that_cannot_be_read_fails_instead_of_staying_pending(
    tmp_path: Path,
) -> None:
    with fresh_database(tmp_path) as url:
        idle = Settings(database_url=url, rate_limits="off", webhook_processing=False)
        with serve_in_thread(idle) as first:
            org = accept_while_idle(first)
            # A body stored by hand, or damaged at rest: no longer JSON.
            with first.database.engine.begin() as connection:
                connection.execute(
                    text("update webhook_deliveries set body = :body"),
                    {"body": b"\xff not json"},
                )
            first.database.dispose()

        with serve_in_thread(Settings(database_url=url, rate_limits="off")) as second:
            eventually(processed(second, org))
            found = deliveries(second, org)
            second.database.dispose()
    assert [(row["status"], row["outcome"]) for row in found] == [
        (
            "failed",
            "not UTF-8 text: byte 0xff at line 1, column 1 (save the file as UTF-8)",
        )
    ]
