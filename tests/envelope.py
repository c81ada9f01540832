"""What every error answer must look like (contract section 2)."""

from __future__ import annotations

import httpx

ENVELOPE_KEYS = {"errors", "request_id", "code"}


def assert_envelope(response: httpx.Response, status: int, code: str) -> None:
    """The status, the code, and exactly the envelope's keys, nothing internal."""
    assert response.status_code == status, (response.request.url, response.text)
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == ENVELOPE_KEYS | (
        {"exists_id"} if "exists_id" in body else set()
    )
    assert body["code"] == code
    assert body["request_id"] == response.headers["x-request-id"]
    assert body["request_id"].startswith("req_")
    assert body["errors"] and all(isinstance(e, str) and e for e in body["errors"])
    assert "Traceback" not in response.text


def refused(response: httpx.Response, status: int, code: str, *words: str) -> None:
    """An error answer in the envelope whose sentences name each of `words`."""
    assert_envelope(response, status, code)
    message = " ".join(response.json()["errors"])
    for word in words:
        assert word in message, message
