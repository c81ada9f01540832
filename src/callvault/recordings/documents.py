"""A recording's response written by SQLite itself, as one JSON text a row.

Building a page's dicts in Python and encoding them costs many times the
query that reads the rows (bench/results); SQLite's JSON functions write the
same document in C. `tests/test_recording_documents.py` holds it equal to
`recordings.service.present_many`, which stays the answer on PostgreSQL,
whose driver hands over typed values.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    case,
    func,
    literal_column,
    select,
    type_coerce,
)
from sqlalchemy.dialects import sqlite

from callvault.custom_fields.models import CustomField
from callvault.recordings.models import CallRecording, RecordingFieldValue

_recording = CallRecording.__table__.c
_fields = CustomField.__table__
_field, _value = _fields.c, RecordingFieldValue.__table__.c


def _instant(stored: ColumnElement[Any]) -> ColumnElement[str]:
    """RFC3339 with `Z` from SQLAlchemy's stored SQLite DATETIME text
    ('YYYY-MM-DD HH:MM:SS.ffffff', naive UTC), as `format_instant` writes it:
    the fraction only when it is not zero. Only the fraction holds a '.', and
    two replace() calls cost half of cutting the text up in a CASE."""
    text = type_coerce(stored, String)
    return func.replace(func.replace(text, ".000000", ""), " ", "T") + "Z"


def _custom_fields() -> ColumnElement[str]:
    """`{slug: {"slug", "value"|"values"}}` of the recording's set fields."""
    stored = func.json(_value.value)
    entry = case(
        (
            func.json_type(_value.value) == "array",
            func.json_object("slug", _field.slug, "values", stored),
        ),
        else_=func.json_object("slug", _field.slug, "value", stored),
    )
    return (
        select(func.json_group_object(_field.slug, func.json(entry)))
        .join(_fields, _field.id == _value.field_id)
        # The enclosing query's row, named as text: compiled on its own, a
        # column of call_recordings would join the table into this subquery.
        .where(_value.recording_id == literal_column("call_recordings.id"))
        .scalar_subquery()
    )


def recording_document() -> ColumnElement[str]:
    """The JSON text of one recording's response (contract section 3): every
    field present, "" where there is no text.

    One fixed SQL text: as an expression its thirty-odd constants would be
    bound parameters, and SQLAlchemy would rebuild the cache key of every
    statement holding it from all of them, at a cost above the query's.
    """
    sql = _document().compile(
        dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}
    )
    return literal_column(str(sql), String).label("document")


def _document() -> ColumnElement[str]:
    return func.json_object(
        "id",
        _recording.id,
        "account_id",
        func.coalesce(_recording.account_id, ""),
        "calendar_event_id",
        _recording.calendar_event_id,
        "created_at",
        _instant(_recording.created_at),
        "updated_at",
        _instant(_recording.updated_at),
        "custom_fields",
        func.json(_custom_fields()),
        "duration_ms",
        _recording.duration_ms,
        "start_time",
        _instant(_recording.start_time),
        "end_time",
        _instant(_recording.end_time),
        "external_id",
        _recording.external_id,
        "participant_emails",
        func.json(
            func.coalesce(type_coerce(_recording.participant_emails, String), "[]")
        ),
        "source",
        _recording.source,
        "summary",
        _recording.summary,
        "title",
        _recording.title,
        "url",
        _recording.url,
        type_=String,
    )
