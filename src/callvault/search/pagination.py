"""Keyset positions and the opaque cursors that carry them.

A cursor is `kernel.cursor`'s versioned, checksummed envelope of kind
`call_recordings.search` around `{"t": start_time, "i": id, "f": binding}`:
the last row of the page and a digest of the organization, the parsed filter
and the limit, so that a cursor sent back with another filter or limit is
refused instead of read as a position in a different list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from callvault.kernel.cursor import decode_cursor, encode_cursor
from callvault.kernel.db import is_id
from callvault.kernel.times import format_instant, parse_instant
from callvault.search.errors import CursorMismatch
from callvault.search.filters import Node

KIND = "call_recordings.search"
_BINDING_CHARS = 16


@dataclass(frozen=True)
class Position:
    """The (start_time, id) of the last recording a page answered."""

    start_time: datetime
    id: str


def binding(organization_id: str, node: Node | None, limit: int) -> str:
    # The nodes are frozen dataclasses of strings and UTC datetimes, so their
    # repr is a canonical form: the same filter written with other offsets or
    # key order binds the same way.
    text = repr((organization_id, node, limit))
    return hashlib.sha256(text.encode()).hexdigest()[:_BINDING_CHARS]


def encode(position: Position, bound_to: str) -> str:
    return encode_cursor(
        KIND,
        {"t": format_instant(position.start_time), "i": position.id, "f": bound_to},
    )


def decode(cursor: str, bound_to: str) -> Position:
    payload = decode_cursor(KIND, cursor)
    start, recording_id = payload.get("t"), payload.get("i")
    # Only ids this server hands out: a cursor is checksummed, not signed,
    # and any other text (a NUL, say) is no position in the list.
    if not (
        isinstance(start, str) and isinstance(recording_id, str) and is_id(recording_id)
    ):
        raise CursorMismatch("`cursor` is damaged; start again without a cursor.")
    if payload.get("f") != bound_to:
        # Which of the three differs is not said: the binding is a digest,
        # and another organization's filter is none of this caller's business.
        raise CursorMismatch(
            "`cursor` was issued for another organization, filter or limit; "
            "send it back with the same token, `filter` and `limit` as the "
            "request that returned it."
        )
    try:
        return Position(parse_instant(start), recording_id)
    except ValueError:
        raise CursorMismatch(
            "`cursor` is damaged; start again without a cursor."
        ) from None
