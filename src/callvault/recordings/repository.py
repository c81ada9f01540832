from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, TypeAlias

from sqlalchemy import (
    Row,
    SQLColumnExpression,
    String,
    bindparam,
    delete,
    exists,
    select,
    type_coerce,
)
from sqlalchemy import insert as insert_statement
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from callvault.custom_fields.models import CustomField
from callvault.custom_fields.values import StoredValue
from callvault.kernel.db import Reader, RFC3339Text, canonical_id, dialect_name
from callvault.kernel.prepared import Prepared
from callvault.recordings.documents import recording_document
from callvault.recordings.models import CallRecording, RecordingFieldValue, Utterance


def get(
    session: Session,
    organization_id: str,
    recording_id: str,
    *,
    for_update: bool = False,
) -> CallRecording | None:
    """`for_update` locks the row until commit on PostgreSQL (SQLite's write
    transactions are exclusive already), so that concurrent updates of one
    recording take turns and `updated_at` follows their commit order."""
    stored_id = canonical_id(recording_id)
    if stored_id is None:
        return None
    statement = select(CallRecording).where(
        CallRecording.organization_id == organization_id,
        CallRecording.id == stored_id,
    )
    if for_update:
        statement = statement.with_for_update().execution_options(
            populate_existing=True
        )
    return session.scalar(statement)


# Exactly what a recording's response needs, in its order, with the times
# read as their RFC3339 text: rows of these cost a fraction of ORM objects.
# Table columns rather than ORM attributes: a Core select skips the ORM's
# compile and loading steps, which cost more than the query itself.
# Both begin (id, start_time), what a search cursor needs of a page's last row.
_recording = CallRecording.__table__.c
RESPONSE_COLUMNS: tuple[SQLColumnExpression[Any], ...] = (
    _recording.id,
    type_coerce(_recording.start_time, RFC3339Text).label("start_time"),
    _recording.account_id,
    _recording.calendar_event_id,
    type_coerce(_recording.created_at, RFC3339Text).label("created_at"),
    type_coerce(_recording.updated_at, RFC3339Text).label("updated_at"),
    _recording.duration_ms,
    type_coerce(_recording.end_time, RFC3339Text).label("end_time"),
    _recording.external_id,
    _recording.participant_emails,
    _recording.source,
    _recording.summary,
    _recording.title,
    _recording.url,
)

# On SQLite the response itself, as the JSON text SQLite keeps
# (recordings.documents), after the id and the stored start_time text.
DOCUMENT_COLUMNS: tuple[SQLColumnExpression[Any], ...] = (
    _recording.id,
    type_coerce(_recording.start_time, String).label("start_time"),
    recording_document(),
)

# A row of RESPONSE_COLUMNS (a Row), or of DOCUMENT_COLUMNS (the driver's tuple).
ResponseRow: TypeAlias = Row[*tuple[Any, ...]] | tuple[Any, ...]


def response_columns(dialect: str) -> tuple[SQLColumnExpression[Any], ...]:
    """What a page or a get of recordings selects on this database."""
    return DOCUMENT_COLUMNS if dialect == "sqlite" else RESPONSE_COLUMNS


def _response_row(columns: tuple[SQLColumnExpression[Any], ...]) -> Prepared:
    return Prepared(
        select(*columns).where(
            _recording.organization_id == bindparam("organization_id", required=False),
            _recording.id == bindparam("recording_id", required=False),
        )
    )


# Built once, and on SQLite run on the driver (kernel.prepared): SQLAlchemy's
# execution costs many times the probe.
_RESPONSE_ROW = {
    dialect: _response_row(response_columns(dialect))
    for dialect in ("sqlite", "postgresql")
}


def response_row(
    reader: Reader, organization_id: str, recording_id: str
) -> ResponseRow | None:
    stored_id = canonical_id(recording_id)
    if stored_id is None:
        return None
    prepared = _RESPONSE_ROW[dialect_name(reader)]
    parameters = {"organization_id": organization_id, "recording_id": stored_id}
    row: ResponseRow | None = prepared.first(reader, parameters)
    return row


def by_external_id(
    session: Session, organization_id: str, source: str, external_id: str
) -> CallRecording | None:
    return session.scalar(
        select(CallRecording).where(
            CallRecording.organization_id == organization_id,
            CallRecording.source == source,
            CallRecording.external_id == external_id,
        )
    )


_field, _value = CustomField.__table__.c, RecordingFieldValue.__table__.c
_HAS_FIELD_VALUES = select(
    exists().where(
        _field.organization_id == bindparam("organization_id"),
        exists().where(_value.field_id == _field.id),
    )
)


def has_field_values(reader: Reader, organization_id: str) -> bool:
    """Whether any recording of the organization has a custom field value:
    one probe of the field_id index per custom field of the organization."""
    parameters = {"organization_id": organization_id}
    return bool(reader.scalar(_HAS_FIELD_VALUES, parameters))


def field_values(
    reader: Reader, recording_ids: Iterable[str]
) -> dict[str, list[tuple[str, StoredValue]]]:
    """(slug, value) pairs per recording, in one query for the whole page."""
    ids = list(recording_ids)
    result: dict[str, list[tuple[str, StoredValue]]] = defaultdict(list)
    if not ids:
        return result
    rows = reader.execute(
        select(
            RecordingFieldValue.recording_id,
            CustomField.slug,
            RecordingFieldValue.value,
        )
        .join(CustomField, CustomField.id == RecordingFieldValue.field_id)
        .where(RecordingFieldValue.recording_id.in_(ids))
        .order_by(CustomField.slug)
    )
    for recording_id, slug, value in rows:
        result[recording_id].append((slug, value))
    return result


def stored_values(session: Session, recording_id: str) -> dict[str, StoredValue]:
    """The recording's custom field values by field id."""
    rows = session.execute(
        select(RecordingFieldValue.field_id, RecordingFieldValue.value).where(
            RecordingFieldValue.recording_id == recording_id
        )
    )
    return {field_id: value for field_id, value in rows}


def set_field_value(
    session: Session, recording_id: str, field_id: str, value: StoredValue | None
) -> None:
    """Set or clear one field's value with a single statement, so that two
    requests writing different fields of one recording never collide."""
    if value is None:
        session.execute(
            delete(RecordingFieldValue).where(
                RecordingFieldValue.recording_id == recording_id,
                RecordingFieldValue.field_id == field_id,
            )
        )
        return
    insert = (
        pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    )
    statement = insert(RecordingFieldValue).values(
        recording_id=recording_id, field_id=field_id, value=value
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["recording_id", "field_id"],
            set_={"value": statement.excluded.value},
        )
    )


def add_utterances(
    session: Session, recording_id: str, utterances: list[dict[str, object]]
) -> None:
    if utterances:
        session.execute(
            insert_statement(Utterance),
            [
                {"recording_id": recording_id, "position": i, **u}
                for i, u in enumerate(utterances)
            ],
        )


def transcript(session: Session, recording_id: str) -> list[Utterance]:
    return list(
        session.scalars(
            select(Utterance)
            .where(Utterance.recording_id == recording_id)
            .order_by(Utterance.position)
        )
    )


def delete_recording(session: Session, recording_id: str) -> None:
    # Children first: SQLite enforces foreign keys only per connection pragma,
    # so nothing is left to it.
    session.execute(delete(Utterance).where(Utterance.recording_id == recording_id))
    session.execute(
        delete(RecordingFieldValue).where(
            RecordingFieldValue.recording_id == recording_id
        )
    )
    session.execute(delete(CallRecording).where(CallRecording.id == recording_id))
