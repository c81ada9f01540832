"""Participant emails as the create request sends them (contract section 3):
one comma-separated string; trimmed, empties dropped, order kept, no repeats
ignoring case."""

from __future__ import annotations

import re

from callvault.kernel.errors import InvalidRequest, quoted

_EMAIL = re.compile(r"[^@\s,]+@[^@\s,]+\.[^@\s,]+")


def check_email(email: str, field: str) -> str:
    if not _EMAIL.fullmatch(email):
        raise InvalidRequest(f"`{field}`: {quoted(email)} is not an email address.")
    return email


def parse_participants(raw: str | None, primary_user_email: str | None) -> list[str]:
    participants: dict[str, str] = {}
    for part in (raw or "").split(","):
        email = part.strip()
        if email:
            participants.setdefault(
                email.lower(), check_email(email, "participant_emails")
            )
    if primary_user_email and primary_user_email.strip():
        primary = check_email(primary_user_email.strip(), "primary_user_email")
        participants.setdefault(primary.lower(), primary)
    return list(participants.values())
