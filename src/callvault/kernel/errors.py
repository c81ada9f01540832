"""One error root carrying the HTTP status and the contract's error code.

The envelope is fixed by the contract (`spec/README.md`, section 2):
`{"errors": [...], "request_id": "...", "code": "..."}` plus `exists_id` for a
duplicate.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# How much of a caller's value an error sentence repeats: enough to know it
# by, never a 10,000-character id whole.
ECHO_CHARS = 100


def excerpt(text: str) -> str:
    """`text`, a caller's, as an error sentence repeats it: cut after
    ECHO_CHARS characters, saying how long it was."""
    return _cut(text, str)


def quoted(value: str) -> str:
    """`value`, a caller's, quoted in an error sentence and cut as `excerpt`
    cuts it."""
    return _cut(value, repr)


def _cut(text: str, written: Callable[[str], str]) -> str:
    if len(text) <= ECHO_CHARS:
        return written(text)
    return f"{written(text[:ECHO_CHARS])}… ({len(text)} characters)"


class CallvaultError(Exception):
    status_code = 500
    code = "internal_error"

    def __init__(self, message: str, *, exists_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.exists_id = exists_id

    def body(self, request_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "errors": [self.message],
            "request_id": request_id,
            "code": self.code,
        }
        if self.exists_id is not None:
            body["exists_id"] = self.exists_id
        return body


class InvalidRequest(CallvaultError):
    status_code = 400
    code = "invalid_request_body"


class InvalidAuthorizationHeader(CallvaultError):
    status_code = 401
    code = "invalid_authorization_header"


class InvalidApiToken(CallvaultError):
    status_code = 401
    code = "invalid_api_token"


class Forbidden(CallvaultError):
    status_code = 403
    code = "forbidden"


class NotFound(CallvaultError):
    status_code = 404
    code = "not_found"


class MethodNotAllowed(CallvaultError):
    status_code = 405
    code = "method_not_allowed"


class DuplicateObject(CallvaultError):
    status_code = 409
    code = "duplicate_object"


class PayloadTooLarge(CallvaultError):
    status_code = 413
    code = "payload_too_large"


class RateLimited(CallvaultError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ClientClosedRequest(CallvaultError):
    """The caller left before the answer: nobody reads this one. 499 is the
    status nginx logs for it."""

    status_code = 499
    code = "client_closed_request"


class InternalError(CallvaultError):
    status_code = 500
    code = "internal_error"
