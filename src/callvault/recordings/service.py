"""Call recordings: create with transcript, get, update, delete (contract
section 3)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callvault.accounts import repository as accounts
from callvault.accounts.errors import UnknownAccount
from callvault.accounts.matching import match_account
from callvault.custom_fields import repository as custom_fields
from callvault.custom_fields.errors import UnknownCustomField
from callvault.custom_fields.types import RECORDING_OBJECT_TYPE
from callvault.custom_fields.values import (
    StoredValue,
    canonical_value,
)
from callvault.custom_fields.values import (
    present as present_value,
)
from callvault.kernel.db import Reader, dialect_name
from callvault.kernel.errors import InvalidRequest, quoted
from callvault.kernel.times import utcnow
from callvault.organizations.service import Principal
from callvault.recordings import repository
from callvault.recordings.errors import RecordingNotFound
from callvault.recordings.models import CallRecording, Utterance
from callvault.recordings.participants import parse_participants
from callvault.recordings.repository import ResponseRow
from callvault.recordings.schemas import (
    CallRecordingMessage,
    CreateCallRecordingRequest,
    CustomFieldValue,
    UpdateCallRecordingRequestBody,
)

CUSTOM_RECORDER = "custom_call_recorder"
MAX_URL_LENGTH = 255

FieldChanges = list[tuple[str, StoredValue | None]]


def get_recording(
    session: Session,
    organization_id: str,
    recording_id: str,
    *,
    for_update: bool = False,
) -> CallRecording:
    recording = repository.get(
        session, organization_id, recording_id, for_update=for_update
    )
    if recording is None:
        raise RecordingNotFound(f"No call recording with id {quoted(recording_id)}.")
    return recording


def create_recording(
    session: Session, principal: Principal, request: CreateCallRecordingRequest
) -> CallRecording:
    """Create, or answer the recording that has this `recording_id` already."""
    org = principal.organization_id
    if request.app_type != CUSTOM_RECORDER:
        raise InvalidRequest(f"`app_type` must be {CUSTOM_RECORDER!r}.")
    start, end = request.start_time, request.end_time
    if start is None or end is None:
        raise InvalidRequest(
            f"`{'start_time' if start is None else 'end_time'}` is required."
        )
    if end < start:
        raise InvalidRequest("`end_time` is before `start_time`.")
    participants = parse_participants(
        request.participant_emails, request.primary_user_email
    )
    utterances = _utterances(request.call_recording_messages, participants)
    url = request.recording_url or ""
    if len(url) > MAX_URL_LENGTH:
        raise InvalidRequest(
            f"`recording_url` must be at most {MAX_URL_LENGTH} characters; "
            f"it has {len(url)}."
        )
    changes = _field_changes(session, org, request.custom_fields)
    account_id = _account_for_create(
        session, principal, request.account_id, participants
    )

    external_id = request.recording_id or ""
    existing = repository.by_external_id(session, org, CUSTOM_RECORDER, external_id)
    if existing is not None:
        return existing
    recording = CallRecording(
        organization_id=org,
        source=CUSTOM_RECORDER,
        external_id=external_id,
        title=request.title or "",
        title_folded=(request.title or "").casefold(),
        url=url,
        start_time=start,
        end_time=end,
        # Whole milliseconds by integer division: float seconds can lose one.
        duration_ms=(end - start) // timedelta(milliseconds=1),
        account_id=account_id,
        participant_emails=participants,
    )
    try:
        with session.begin_nested():
            session.add(recording)
            session.flush()
    except IntegrityError:
        # The same recording_id arrived twice at once: the first one won. The
        # savepoint's rollback has taken this one out of the session already.
        winner = repository.by_external_id(session, org, CUSTOM_RECORDER, external_id)
        if winner is None:
            raise
        return winner
    repository.add_utterances(session, recording.id, utterances)
    _apply_fields(session, recording.id, changes)
    return recording


def _utterances(
    messages: Sequence[CallRecordingMessage] | None, participants: list[str]
) -> list[dict[str, Any]]:
    if not messages:
        raise InvalidRequest("`call_recording_messages` needs at least one message.")
    known = {email.lower() for email in participants}
    result = []
    for index, message in enumerate(messages):
        where = f"call_recording_messages[{index}]"
        if not message.message_content or not message.message_content.strip():
            raise InvalidRequest(f"`{where}.message_content` must not be empty.")
        email = (message.speaker_email or "").strip()
        name = (message.speaker_name or "").strip()
        if not email and not name:
            raise InvalidRequest(
                f"`{where}` needs `speaker_email`, `speaker_name` or both."
            )
        if email and email.lower() not in known:
            raise InvalidRequest(
                f"`{where}.speaker_email`: {quoted(email)} is not in `participant_emails` "
                "and is not `primary_user_email`."
            )
        result.append(
            {
                "speaker_name": name,
                "speaker_email": email,
                "offset_ms": message.message_at_ms,
                "text": message.message_content,
            }
        )
    return result


def _account_for_create(
    session: Session,
    principal: Principal,
    account_id: str | None,
    participants: list[str],
) -> str | None:
    if account_id is None:
        return match_account(
            session,
            principal.organization_id,
            participants,
            principal.organization_domains,
        )
    return _known_account(session, principal.organization_id, account_id)


def _known_account(
    session: Session, organization_id: str, account_id: str
) -> str | None:
    if account_id == "":
        return None
    stored = accounts.stored_id(session, organization_id, account_id)
    if stored is None:
        raise UnknownAccount(f"`account_id`: no account with id {quoted(account_id)}.")
    return stored


def _field_changes(
    session: Session, organization_id: str, entries: Sequence[CustomFieldValue] | None
) -> FieldChanges:
    """Every entry checked before anything is written."""
    if not entries:
        return []
    slugs = [entry.slug or "" for entry in entries]
    fields = custom_fields.by_slugs(
        session, organization_id, RECORDING_OBJECT_TYPE, slugs
    )
    changes: FieldChanges = []
    for index, entry in enumerate(entries):
        where = f"custom_fields[{index}]"
        if not entry.slug:
            raise InvalidRequest(f"`{where}.slug` is required.")
        field = fields.get(entry.slug)
        if field is None:
            raise UnknownCustomField(
                f"`{where}.slug`: no {RECORDING_OBJECT_TYPE} custom field "
                f"{quoted(entry.slug)}; see GET /custom-fields?object_type=meeting."
            )
        changes.append(
            (field.id, canonical_value(field, entry.value, entry.values, where))
        )
    return changes


def _apply_fields(session: Session, recording_id: str, changes: FieldChanges) -> None:
    for field_id, value in changes:
        repository.set_field_value(session, recording_id, field_id, value)


def update_recording(
    session: Session,
    organization_id: str,
    recording_id: str,
    request: UpdateCallRecordingRequestBody,
) -> CallRecording:
    """Only what differs from the stored recording is written: an update that
    changes nothing leaves `updated_at` as it was."""
    recording = get_recording(session, organization_id, recording_id, for_update=True)
    changes = _field_changes(session, organization_id, request.custom_fields)
    account_id = recording.account_id
    if request.account_id is not None:
        account_id = _known_account(session, organization_id, request.account_id)

    changes = _differing(changes, repository.stored_values(session, recording.id))
    if account_id == recording.account_id and not changes:
        return recording
    recording.account_id = account_id
    _apply_fields(session, recording.id, changes)
    recording.updated_at = utcnow()
    session.flush()
    return recording


def _differing(changes: FieldChanges, stored: dict[str, StoredValue]) -> FieldChanges:
    """The changes whose value is not the stored one; of a field named twice,
    the last value counts, as when each is written in turn."""
    latest = dict(changes)
    return [
        (field, value) for field, value in latest.items() if stored.get(field) != value
    ]


def delete_recording(session: Session, organization_id: str, recording_id: str) -> None:
    recording = get_recording(session, organization_id, recording_id)
    repository.delete_recording(session, recording.id)


def transcript(
    session: Session, organization_id: str, recording_id: str
) -> list[Utterance]:
    recording = get_recording(session, organization_id, recording_id)
    return repository.transcript(session, recording.id)


def present_rows(
    reader: Reader, organization_id: str, rows: Sequence[ResponseRow]
) -> list[Any]:
    """Responses from rows of `repository.response_columns`: the documents
    SQLite keeps as they are, or dicts built from the columns."""
    if dialect_name(reader) == "sqlite":
        return [orjson.Fragment(document) for _, _, document in rows]
    return present_many(reader, organization_id, rows)


def present_many(
    reader: Reader, organization_id: str, rows: Sequence[ResponseRow]
) -> list[dict[str, Any]]:
    """Responses from rows of `repository.RESPONSE_COLUMNS`, which begin
    with the id."""
    # Most organizations never set a custom field value: one cheap probe
    # spares them a query with an IN list as long as the page.
    values = (
        repository.field_values(reader, [row[0] for row in rows])
        if rows and repository.has_field_values(reader, organization_id)
        else {}
    )
    return [_present(row, values.get(row[0], [])) for row in rows]


def present(session: Session, recording: CallRecording) -> Any:
    """The response of a recording this request has written, read back as
    stored so that it answers exactly what a later get does."""
    return present_stored(session, recording.organization_id, recording.id)


def present_stored(reader: Reader, organization_id: str, recording_id: str) -> Any:
    row = repository.response_row(reader, organization_id, recording_id)
    if row is None:
        raise RecordingNotFound(f"No call recording with id {quoted(recording_id)}.")
    return present_rows(reader, organization_id, [row])[0]


def _present(row: ResponseRow, values: list[tuple[str, StoredValue]]) -> dict[str, Any]:
    (
        recording_id,
        start_time,
        account_id,
        calendar_event_id,
        created_at,
        updated_at,
        duration_ms,
        end_time,
        external_id,
        participant_emails,
        source,
        summary,
        title,
        url,
    ) = row
    # Every field always present (contract section 3): "" where there is no text.
    return {
        "id": recording_id,
        "account_id": account_id or "",
        "calendar_event_id": calendar_event_id,
        "created_at": created_at,
        "updated_at": updated_at,
        "custom_fields": {slug: present_value(slug, value) for slug, value in values},
        "duration_ms": duration_ms,
        "start_time": start_time,
        "end_time": end_time,
        "external_id": external_id,
        "participant_emails": list(participant_emails or []),
        "source": source,
        "summary": summary,
        "title": title,
        "url": url,
    }


def present_utterance(utterance: Utterance) -> dict[str, Any]:
    return {
        "position": utterance.position,
        "speaker_name": utterance.speaker_name,
        "speaker_email": utterance.speaker_email,
        "offset_ms": utterance.offset_ms,
        "text": utterance.text,
    }
