"""Bulk upsert of recordings with their transcripts, keyed on (organization,
source, external_id): what imports and webhooks write through.

A batch costs a handful of statements whatever its size: one lookup of the
stored recordings, one of their transcripts, one account match, then
executemany inserts and updates. The caller owns the transaction, so a batch
is written whole or not at all.

An identical record is left untouched (`updated_at` too); a changed one is
rewritten and its transcript replaced. A record whose transcript is `None`
carries no transcript news: the stored one is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, NamedTuple

from sqlalchemy import Row
from sqlalchemy.orm import Session

from callvault.accounts.matching import match_accounts
from callvault.custom_fields import repository as custom_fields
from callvault.custom_fields.errors import UnknownCustomField
from callvault.custom_fields.models import CustomField
from callvault.custom_fields.types import RECORDING_OBJECT_TYPE
from callvault.custom_fields.values import StoredValue, canonical_value
from callvault.kernel.db import new_id
from callvault.kernel.errors import CallvaultError
from callvault.kernel.times import utcnow
from callvault.recordings import bulk_repository as sql
from callvault.recordings import repository
from callvault.recordings.schemas import CustomFieldValue


class IncomingUtterance(NamedTuple):
    speaker_name: str
    speaker_email: str
    offset_ms: int | None
    text: str


@dataclass(slots=True)
class IncomingRecording:
    source: str
    external_id: str
    title: str
    start_time: datetime
    end_time: datetime
    duration_ms: int
    participant_emails: list[str]
    url: str = ""
    summary: str = ""
    # None: this record says nothing about the transcript; [] : it has none.
    transcript: list[IncomingUtterance] | None = None
    # None: matched from participants on create, kept on update; "": no account.
    account_id: str | None = None
    custom_fields: list[CustomFieldValue] | None = None


class Written(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class Rejected:
    reason: str


Result = Written | Rejected
# (field id, slug, value); a None value unsets the field.
FieldChanges = list[tuple[str, str, StoredValue | None]]


@dataclass
class _Plan:
    new: list[dict[str, Any]] = field(default_factory=list)
    # (index into `new`, participants) of the records matched to an account.
    to_match: list[tuple[int, list[str]]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    values: list[tuple[str, FieldChanges]] = field(default_factory=list)


@dataclass
class _Stored:
    """What the batch needs to know of the database, read up front."""

    rows: dict[tuple[str, str], Any]
    transcripts: dict[str, list[sql.StoredLine]]
    accounts: set[str]
    fields: dict[str, CustomField]
    values: dict[str, dict[str, StoredValue]]


def upsert(
    session: Session,
    organization_id: str,
    own_domains: Sequence[str],
    batch: Sequence[IncomingRecording],
) -> list[Result]:
    """Write a batch of records with distinct (source, external_id) keys; one
    result per record, in order."""
    stored = _read(session, organization_id, batch)
    plan = _Plan()
    now = utcnow()
    results = [_plan_one(plan, stored, organization_id, r, now) for r in batch]
    _match_new_accounts(session, organization_id, own_domains, plan)
    _write(session, plan)
    return results


def _read(
    session: Session, organization_id: str, batch: Sequence[IncomingRecording]
) -> _Stored:
    rows = sql.existing(
        session, organization_id, [(r.source, r.external_id) for r in batch]
    )
    compared = [
        rows[(r.source, r.external_id)].id
        for r in batch
        if r.transcript is not None and (r.source, r.external_id) in rows
    ]
    with_fields = [
        rows[(r.source, r.external_id)].id
        for r in batch
        if r.custom_fields and (r.source, r.external_id) in rows
    ]
    slugs = {entry.slug or "" for r in batch for entry in r.custom_fields or []}
    return _Stored(
        rows=rows,
        transcripts=sql.transcripts(session, compared),
        accounts=sql.known_accounts(
            session, organization_id, [r.account_id for r in batch if r.account_id]
        ),
        fields=custom_fields.by_slugs(
            session, organization_id, RECORDING_OBJECT_TYPE, slugs
        )
        if slugs
        else {},
        values={
            recording_id: dict(pairs)
            for recording_id, pairs in repository.field_values(
                session, with_fields
            ).items()
        },
    )


def _plan_one(
    plan: _Plan,
    stored: _Stored,
    organization_id: str,
    record: IncomingRecording,
    now: datetime,
) -> Result:
    if record.account_id and record.account_id not in stored.accounts:
        return Rejected(f"`account_id`: no account with id {record.account_id!r}.")
    try:
        changes = _field_changes(stored.fields, record.custom_fields)
    except CallvaultError as error:
        return Rejected(error.message)
    row = stored.rows.get((record.source, record.external_id))
    if row is None:
        _plan_create(plan, organization_id, record, changes, now)
        return Written.CREATED
    return _plan_update(plan, stored, row, record, changes, now)


def _plan_create(
    plan: _Plan,
    organization_id: str,
    record: IncomingRecording,
    changes: FieldChanges,
    now: datetime,
) -> None:
    recording_id = new_id()
    plan.new.append(
        {
            "id": recording_id,
            "organization_id": organization_id,
            "source": record.source,
            "external_id": record.external_id,
            "calendar_event_id": "",
            "created_at": now,
            **_columns(record, record.account_id or None, now),
        }
    )
    if record.account_id is None:
        plan.to_match.append((len(plan.new) - 1, record.participant_emails))
    _plan_lines(plan, recording_id, record.transcript or [])
    if changes:
        plan.values.append((recording_id, changes))


def _plan_update(
    plan: _Plan,
    stored: _Stored,
    row: Row[Any],
    record: IncomingRecording,
    changes: FieldChanges,
    now: datetime,
) -> Result:
    account_id = row.account_id if record.account_id is None else record.account_id
    account_id = account_id or None
    columns_changed = _stored_columns(row) != (
        record.title,
        record.summary,
        record.url,
        record.start_time,
        record.end_time,
        record.duration_ms,
        record.participant_emails,
        account_id,
    )
    transcript_changed = record.transcript is not None and [
        tuple(line) for line in record.transcript
    ] != stored.transcripts.get(row.id, [])
    old_values = stored.values.get(row.id, {})
    changes = [change for change in changes if old_values.get(change[1]) != change[2]]
    if not (columns_changed or transcript_changed or changes):
        return Written.UNCHANGED
    plan.changed.append({"row_id": row.id, **_columns(record, account_id, now)})
    if transcript_changed:
        plan.replaced.append(row.id)
        _plan_lines(plan, row.id, record.transcript or [])
    if changes:
        plan.values.append((row.id, changes))
    return Written.UPDATED


def _stored_columns(row: Row[Any]) -> tuple[Any, ...]:
    return (
        row.title,
        row.summary,
        row.url,
        row.start_time,
        row.end_time,
        row.duration_ms,
        list(row.participant_emails or []),
        row.account_id,
    )


def _columns(
    record: IncomingRecording, account_id: str | None, now: datetime
) -> dict[str, Any]:
    return {
        "title": record.title,
        "title_folded": record.title.casefold(),
        "summary": record.summary,
        "url": record.url,
        "start_time": record.start_time,
        "end_time": record.end_time,
        "duration_ms": record.duration_ms,
        "participant_emails": record.participant_emails,
        "account_id": account_id,
        "updated_at": now,
    }


def _plan_lines(
    plan: _Plan, recording_id: str, transcript: list[IncomingUtterance]
) -> None:
    plan.lines.extend(
        {
            "recording_id": recording_id,
            "position": position,
            "speaker_name": line.speaker_name,
            "speaker_email": line.speaker_email,
            "offset_ms": line.offset_ms,
            "text": line.text,
        }
        for position, line in enumerate(transcript)
    )


def _field_changes(
    fields: dict[str, CustomField], entries: list[CustomFieldValue] | None
) -> FieldChanges:
    """Keyed by field id; values checked as PATCH checks them."""
    changes: FieldChanges = []
    for index, entry in enumerate(entries or []):
        where = f"custom_fields[{index}]"
        definition = fields.get(entry.slug or "")
        if definition is None:
            raise UnknownCustomField(
                f"`{where}.slug`: no {RECORDING_OBJECT_TYPE} custom field "
                f"{entry.slug!r}; see GET /custom-fields?object_type=meeting."
            )
        value = canonical_value(definition, entry.value, entry.values, where)
        changes.append((definition.id, definition.slug, value))
    return changes


def _match_new_accounts(
    session: Session, organization_id: str, own_domains: Sequence[str], plan: _Plan
) -> None:
    if not plan.to_match:
        return
    matched = match_accounts(
        session, organization_id, [people for _, people in plan.to_match], own_domains
    )
    for (index, _), account_id in zip(plan.to_match, matched, strict=True):
        plan.new[index]["account_id"] = account_id


def _write(session: Session, plan: _Plan) -> None:
    sql.insert_recordings(session, plan.new)
    sql.update_recordings(session, plan.changed)
    sql.replace_utterances(session, plan.replaced, plan.lines)
    for recording_id, changes in plan.values:
        for field_id, _, value in changes:
            repository.set_field_value(session, recording_id, field_id, value)
