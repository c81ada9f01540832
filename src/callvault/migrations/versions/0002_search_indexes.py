"""search indexes: every filter of POST /call-recordings/search from an index

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 02:20:00

- title `equals`: SQLite (organization_id, title, start_time, id); PostgreSQL
  (organization_id, md5(title)), because a B-tree entry there is limited to
  about 2.7 kB and titles are unbounded text.
- title `string_contains`: SQLite an FTS5 table with the trigram tokenizer
  over title_folded, kept in sync by triggers; PostgreSQL a pg_trgm GIN index
  on title_folded. A GIN index has no order, so a leading organization_id
  (btree_gin) buys nothing: the planner costs it above the B-tree on the
  tenant and never uses it; the tenant is checked on the few trigram matches.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# An external-content FTS5 index keyed by call_recordings.rowid: titles are
# stored once, in call_recordings. `case_sensitive 1` because title_folded is
# already folded with str.casefold, which FTS5's own folding is not.
SQLITE_UPGRADE = [
    "CREATE VIRTUAL TABLE call_recording_titles USING fts5("
    "title_folded, content='call_recordings', content_rowid='rowid', "
    "tokenize='trigram case_sensitive 1')",
    "CREATE TRIGGER call_recordings_titles_insert AFTER INSERT ON call_recordings "
    "BEGIN INSERT INTO call_recording_titles(rowid, title_folded) "
    "VALUES (new.rowid, new.title_folded); END",
    "CREATE TRIGGER call_recordings_titles_delete AFTER DELETE ON call_recordings "
    "BEGIN INSERT INTO call_recording_titles(call_recording_titles, rowid, "
    "title_folded) VALUES ('delete', old.rowid, old.title_folded); END",
    "CREATE TRIGGER call_recordings_titles_update "
    "AFTER UPDATE OF title_folded ON call_recordings "
    "BEGIN INSERT INTO call_recording_titles(call_recording_titles, rowid, "
    "title_folded) VALUES ('delete', old.rowid, old.title_folded); "
    "INSERT INTO call_recording_titles(rowid, title_folded) "
    "VALUES (new.rowid, new.title_folded); END",
    "INSERT INTO call_recording_titles(call_recording_titles) VALUES ('rebuild')",
    "CREATE INDEX ix_recordings_org_title_start "
    "ON call_recordings (organization_id, title, start_time, id)",
]
SQLITE_DOWNGRADE = [
    "DROP INDEX ix_recordings_org_title_start",
    "DROP TRIGGER call_recordings_titles_update",
    "DROP TRIGGER call_recordings_titles_delete",
    "DROP TRIGGER call_recordings_titles_insert",
    "DROP TABLE call_recording_titles",
]

POSTGRESQL_UPGRADE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_recordings_org_title_md5 "
    "ON call_recordings (organization_id, md5(title))",
    "CREATE INDEX ix_recordings_title_trgm ON call_recordings "
    "USING gin (title_folded gin_trgm_ops)",
]
POSTGRESQL_DOWNGRADE = [
    "DROP INDEX ix_recordings_title_trgm",
    "DROP INDEX ix_recordings_org_title_md5",
]


def _dialect() -> str:
    return op.get_bind().dialect.name


def upgrade() -> None:
    op.drop_index("ix_recordings_org_title", table_name="call_recordings")
    statements = SQLITE_UPGRADE if _dialect() == "sqlite" else POSTGRESQL_UPGRADE
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    statements = SQLITE_DOWNGRADE if _dialect() == "sqlite" else POSTGRESQL_DOWNGRADE
    for statement in statements:
        op.execute(statement)
    op.create_index(
        "ix_recordings_org_title", "call_recordings", ["organization_id", "title"]
    )
