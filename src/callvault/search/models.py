"""The title index tables the search reads; created by migration 0002.

They live in their own MetaData: SQLite's FTS5 virtual table cannot be made
by `create_all` or compared by autogenerate, and it exists on SQLite only.
"""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, Table, Text

FTS_TABLE = "call_recording_titles"

# SQLite: FTS5 with the trigram tokenizer over call_recordings.title_folded,
# an external-content index keyed by call_recordings.rowid, kept in sync by
# triggers on call_recordings.
recording_titles = Table(
    FTS_TABLE,
    MetaData(),
    Column("rowid", Integer),
    Column("title_folded", Text),
)
