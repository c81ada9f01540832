"""The signing schemes of the recorders that sign their deliveries, checked
on the raw body before anything reads it."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from collections.abc import Mapping

from callvault.webhooks.errors import InvalidSignature

# Standard Webhooks recommends refusing timestamps more than five minutes
# away, so that a captured delivery cannot be replayed later.
TOLERANCE_SECONDS = 5 * 60
STANDARD_PREFIX = "whsec_"


def verify_standard(
    key: str, headers: Mapping[str, str], body: bytes, *, now: float | None = None
) -> None:
    """Standard Webhooks (Fathom): `webhook-signature` holds one or more
    space-separated `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`."""
    delivery_id = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not (delivery_id and stamp and signatures):
        raise InvalidSignature(
            "The delivery needs webhook-id, webhook-timestamp and webhook-signature."
        )
    if (
        not stamp.isdigit()
        or abs((now or time.time()) - int(stamp)) > TOLERANCE_SECONDS
    ):
        raise InvalidSignature("webhook-timestamp is missing or too far from now.")
    signed = f"{delivery_id}.{stamp}.".encode() + body
    expected = base64.b64encode(
        hmac.new(_standard_key(key), signed, hashlib.sha256).digest()
    ).decode()
    offered = [
        part.partition(",")[2]
        for part in signatures.split()
        if part.partition(",")[0] == "v1"
    ]
    if not any(hmac.compare_digest(expected, candidate) for candidate in offered):
        raise InvalidSignature("webhook-signature does not match the body.")


def _standard_key(key: str) -> bytes:
    if key.startswith(STANDARD_PREFIX):
        try:
            return base64.b64decode(key.removeprefix(STANDARD_PREFIX), validate=True)
        except (binascii.Error, ValueError):
            pass
    return key.encode()


def verify_zoom(key: str, headers: Mapping[str, str], body: bytes) -> None:
    """Zoom: `x-zm-signature: v0=<hex HMAC-SHA256 of "v0:{timestamp}:{body}">`
    with the app's secret token."""
    stamp = headers.get("x-zm-request-timestamp", "")
    offered = headers.get("x-zm-signature", "")
    if not (stamp and offered):
        raise InvalidSignature(
            "The delivery needs x-zm-request-timestamp and x-zm-signature."
        )
    signed = f"v0:{stamp}:".encode() + body
    expected = "v0=" + hmac.new(key.encode(), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, offered):
        raise InvalidSignature("x-zm-signature does not match the body.")


def zoom_validation_answer(key: str, plain_token: str) -> dict[str, str]:
    """The answer to Zoom's `endpoint.url_validation` challenge."""
    encrypted = hmac.new(key.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}
