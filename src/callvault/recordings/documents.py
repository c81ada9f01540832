"""A recording's response as SQLite keeps it: one JSON text a row.

Building a page's dicts in Python and encoding them costs many times the
query that reads the rows, and having SQLite write them on each read still
cost most of a page's time (bench/results). So on SQLite triggers write the
document whenever the recording, one of its custom field values or a field's
slug changes, into `call_recordings.document` (migration 0005, which holds
the document's SQL), and a read takes it as it is.
`tests/test_recording_documents.py` holds it equal to
`recordings.service.present_many`, which stays the answer on PostgreSQL,
whose driver hands over typed values.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, literal_column

# Not a mapped column: it exists on SQLite only, and no ORM read of a
# recording should carry it.
DOCUMENT_COLUMN = "call_recordings.document"


def recording_document() -> ColumnElement[str]:
    """The stored JSON text of the recording's response, as `document`."""
    return literal_column(DOCUMENT_COLUMN, String).label("document")
