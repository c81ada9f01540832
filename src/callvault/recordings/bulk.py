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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Row
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from callvault.accounts.matching import match_accounts
from callvault.custom_fields import repository as custom_fields
from callvault.custom_fields.errors import UnknownCustomField
from callvault.custom_fields.models import CustomField
from callvault.custom_fields.types import RECORDING_OBJECT_TYPE
from callvault.custom_fields.values import StoredValue, canonical_value
from callvault.kernel.db import new_id
from callvault.kernel.errors import CallvaultError, excerpt, quoted
from callvault.kernel.times import utcnow
from callvault.recordings import bulk_repository as sql
from callvault.recordings import repository
from callvault.recordings.schemas import CustomFieldValue

# (speaker_name, speaker_email, offset_ms, text): a plain tuple, as the
# database driver takes it, since a bulk load makes millions of them.
IncomingUtterance = tuple[str, str, int | None, str]


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
    calendar_event_id: str = ""
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

# Errors of the database itself (gone, locked, out of connections), not of
# what a batch holds: the same batch may be written later.
TRANSIENT: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)


def refusal(error: Exception) -> str:
    """Why the database would not store a record, as its failure says it."""
    cause = error.orig if isinstance(error, DBAPIError) else error
    return f"refused by the database: {str(cause).strip() or type(cause).__name__}"


# (field id, slug, value); a None value unsets the field.
FieldChanges = list[tuple[str, str, StoredValue | None]]


@dataclass
class _Plan:
    new: list[dict[str, Any]] = field(default_factory=list)
    # (index into `new`, participants) of the records matched to an account.
    to_match: list[tuple[int, list[str]]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    lines: list[sql.LineRow] = field(default_factory=list)
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


def _key(record: IncomingRecording) -> tuple[str, str]:
    return record.source, record.external_id


def _read(
    session: Session, organization_id: str, batch: Sequence[IncomingRecording]
) -> _Stored:
    rows = sql.existing(session, organization_id, [_key(r) for r in batch])

    def stored_ids(wanted: Callable[[IncomingRecording], bool]) -> list[str]:
        return [rows[_key(r)].id for r in batch if wanted(r) and _key(r) in rows]

    slugs = {entry.slug or "" for r in batch for entry in r.custom_fields or []}
    fields = (
        custom_fields.by_slugs(session, organization_id, RECORDING_OBJECT_TYPE, slugs)
        if slugs
        else {}
    )
    values = repository.field_values(
        session, stored_ids(lambda r: bool(r.custom_fields))
    )
    return _Stored(
        rows=rows,
        transcripts=sql.transcripts(
            session, stored_ids(lambda r: r.transcript is not None)
        ),
        accounts=sql.known_accounts(
            session, organization_id, [r.account_id for r in batch if r.account_id]
        ),
        fields=fields,
        values={recording_id: dict(pairs) for recording_id, pairs in values.items()},
    )


def _plan_one(
    plan: _Plan,
    stored: _Stored,
    organization_id: str,
    record: IncomingRecording,
    now: datetime,
) -> Result:
    if record.account_id and record.account_id not in stored.accounts:
        return Rejected(
            f"`account_id`: no account with id {quoted(record.account_id)}."
        )
    try:
        changes = _field_changes(stored.fields, record.custom_fields)
    except CallvaultError as error:
        return Rejected(error.message)
    row = stored.rows.get(_key(record))
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
        record.calendar_event_id,
        record.url,
        record.start_time,
        record.end_time,
        record.duration_ms,
        record.participant_emails,
        account_id,
    )
    transcript_changed = record.transcript is not None and (
        record.transcript != stored.transcripts.get(row.id, [])
    )
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
        row.calendar_event_id,
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
        "calendar_event_id": record.calendar_event_id,
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
        (recording_id, position, *line) for position, line in enumerate(transcript)
    )


def _field_changes(
    fields: dict[str, CustomField], entries: list[CustomFieldValue] | None
) -> FieldChanges:
    """Keyed by field id; values checked as PATCH checks them. An import
    keys its values by slug (jsonl's `custom_fields` object), so a problem
    is named `custom_fields.<slug>`."""
    changes: FieldChanges = []
    for entry in entries or []:
        where = f"custom_fields.{excerpt(entry.slug or '')}"
        definition = fields.get(entry.slug or "")
        if definition is None:
            raise UnknownCustomField(
                f"`{where}`: no {RECORDING_OBJECT_TYPE} custom field "
                f"{quoted(entry.slug or '')}; see GET /custom-fields?object_type=meeting"
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
