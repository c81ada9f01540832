"""Opaque, versioned page cursors.

A cursor is base64url of a JSON document `{"v", "k", "p"}` followed by a short
checksum, so that a cursor from another list, another version or a damaged
copy is refused with a 400 rather than read as a position.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

import orjson

from callvault.kernel.errors import InvalidRequest

VERSION = 1
_CHECK_BYTES = 6


def _checksum(raw: bytes) -> bytes:
    return hashlib.sha256(raw).digest()[:_CHECK_BYTES]


def encode_cursor(kind: str, payload: dict[str, Any]) -> str:
    raw = orjson.dumps({"v": VERSION, "k": kind, "p": payload})
    return base64.urlsafe_b64encode(raw + _checksum(raw)).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> dict[str, Any]:
    refused = InvalidRequest(
        "`cursor` is not a cursor this server issued for this list; "
        "pass the `pagination.cursor` of the previous page as it was."
    )
    try:
        blob = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise refused from None
    raw, check = blob[:-_CHECK_BYTES], blob[-_CHECK_BYTES:]
    if len(blob) <= _CHECK_BYTES or _checksum(raw) != check:
        raise refused
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise refused from None
    if (
        not isinstance(document, dict)
        or document.get("v") != VERSION
        or document.get("k") != kind
        or not isinstance(document.get("p"), dict)
    ):
        raise refused
    payload: dict[str, Any] = document["p"]
    return payload
