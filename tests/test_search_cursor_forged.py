"""A cursor the server did not issue is a 400 (contract section 4), even one
built to pass its checks.

The cursor's check is an unkeyed SHA-256 of its JSON, and the binding is a
SHA-256 of `repr((organization_id, filter, limit))`: anyone with the source
and `GET /me` can build a cursor that passes both, with any position in it.
On PostgreSQL a position id holding the NUL character then reaches the
driver, which refuses it: a 500 instead of the contract's 400. On SQLite the
same cursor is read as a position and answered with a 200.
"""

from __future__ import annotations

import base64
import hashlib

import httpx
import orjson


def _forged(payload: dict[str, str]) -> str:
    raw = orjson.dumps({"v": 1, "k": "call_recordings.search", "p": payload})
    check = hashlib.sha256(raw).digest()[:6]
    return base64.urlsafe_b64encode(raw + check).decode().rstrip("=")


def test_a_forged_cursor_with_a_nul_in_its_position_is_a_400(
    api: httpx.Client,
) -> None:
    organization_id = api.get("/me").json()["data"]["id"]
    binding = hashlib.sha256(repr((organization_id, None, 2)).encode()).hexdigest()
    cursor = _forged({"t": "2025-01-15T09:30:00Z", "i": "a\u0000b", "f": binding[:16]})

    response = api.post("/call-recordings/search", json={"limit": 2, "cursor": cursor})

    assert response.status_code == 400, response.text
    assert response.json()["code"] == "invalid_request_body"
    assert "cursor" in response.json()["errors"][0]
