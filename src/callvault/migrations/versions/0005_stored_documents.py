"""SQLite: keep each recording's response JSON in the row, written by triggers

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 10:00:00

Every page and every get answers recordings as JSON documents. SQLite wrote
them on each read (json_object over the columns and the custom field values):
at one million recordings 0.43 ms of a 100-row page's 0.47 ms, and ten times
that for a 1,000-row page. Written once when the recording or one of its
values changes, a page reads them: 0.09 ms. The triggers keep the document a
function of the row, its custom field values and their fields' slugs, so no
write path can forget it: inserts, updates (the service, bulk imports), the
foreign keys' own SET NULL and CASCADE, and value upserts alike.

The document is the contract's recording (section 3) as
`recordings.service.present_many` builds it on PostgreSQL, which keeps
building it from the columns; `tests/test_recording_documents.py` holds the
two equal after every kind of write. A change to the document's shape is a
new revision that recreates the triggers and rewrites every document.

Filling the column costs about 20 s and 0.9 GB of file at one million
recordings.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant(column: str) -> str:
    # SQLAlchemy's SQLite DATETIME text, 'YYYY-MM-DD HH:MM:SS.ffffff' naive
    # UTC, as RFC3339 with Z and the fraction only when it is not zero.
    return f"replace(replace(call_recordings.{column}, '.000000', ''), ' ', 'T') || 'Z'"


_CUSTOM_FIELDS = (
    "(SELECT json_group_object(custom_fields.slug, json(CASE "
    "WHEN json_type(recording_field_values.value) = 'array' "
    "THEN json_object('slug', custom_fields.slug, "
    "'values', json(recording_field_values.value)) "
    "ELSE json_object('slug', custom_fields.slug, "
    "'value', json(recording_field_values.value)) END)) "
    "FROM recording_field_values "
    "JOIN custom_fields ON custom_fields.id = recording_field_values.field_id "
    "WHERE recording_field_values.recording_id = call_recordings.id)"
)

# The row being written is `call_recordings`: each trigger below runs an
# UPDATE of call_recordings, in whose SET the columns name that row.
DOCUMENT = (
    "json_object("
    "'id', call_recordings.id, "
    "'account_id', coalesce(call_recordings.account_id, ''), "
    "'calendar_event_id', call_recordings.calendar_event_id, "
    f"'created_at', {_instant('created_at')}, "
    f"'updated_at', {_instant('updated_at')}, "
    f"'custom_fields', json({_CUSTOM_FIELDS}), "
    "'duration_ms', call_recordings.duration_ms, "
    f"'start_time', {_instant('start_time')}, "
    f"'end_time', {_instant('end_time')}, "
    "'external_id', call_recordings.external_id, "
    "'participant_emails', "
    "json(coalesce(call_recordings.participant_emails, '[]')), "
    "'source', call_recordings.source, "
    "'summary', call_recordings.summary, "
    "'title', call_recordings.title, "
    "'url', call_recordings.url)"
)

# Every column the document reads; `document` itself is not among them, so
# the trigger's own UPDATE does not fire it again.
_DOCUMENT_SOURCES = (
    "id, account_id, calendar_event_id, created_at, updated_at, duration_ms, "
    "start_time, end_time, external_id, participant_emails, source, summary, "
    "title, url"
)


def _rewrite(where: str) -> str:
    return f"UPDATE call_recordings SET document = {DOCUMENT} WHERE {where};"


TRIGGERS = {
    "call_recordings_document_insert": (
        "AFTER INSERT ON call_recordings",
        _rewrite("rowid = new.rowid"),
    ),
    "call_recordings_document_update": (
        f"AFTER UPDATE OF {_DOCUMENT_SOURCES} ON call_recordings",
        _rewrite("rowid = new.rowid"),
    ),
    "recording_field_values_document_insert": (
        "AFTER INSERT ON recording_field_values",
        _rewrite("id = new.recording_id"),
    ),
    "recording_field_values_document_update": (
        "AFTER UPDATE ON recording_field_values",
        _rewrite("id IN (old.recording_id, new.recording_id)"),
    ),
    "recording_field_values_document_delete": (
        "AFTER DELETE ON recording_field_values",
        _rewrite("id = old.recording_id"),
    ),
    "custom_fields_document_slug": (
        "AFTER UPDATE OF slug ON custom_fields",
        _rewrite(
            "id IN (SELECT recording_id FROM recording_field_values "
            "WHERE field_id = new.id)"
        ),
    ),
}


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if not _sqlite():
        return
    op.execute("ALTER TABLE call_recordings ADD COLUMN document TEXT")
    for name, (event, body) in TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {event} BEGIN {body} END")
    op.execute(f"UPDATE call_recordings SET document = {DOCUMENT}")


def downgrade() -> None:
    if not _sqlite():
        return
    for name in TRIGGERS:
        op.execute(f"DROP TRIGGER {name}")
    op.execute("ALTER TABLE call_recordings DROP COLUMN document")
