"""The SQL of bulk upserts: a few statements per batch, executemany for rows."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from callvault.accounts.models import Account
from callvault.recordings.models import CallRecording, Utterance

recordings: Table = CallRecording.__table__  # type: ignore[assignment]
utterances: Table = Utterance.__table__  # type: ignore[assignment]

StoredLine = tuple[str, str, int | None, str]
# (recording_id, position, speaker_name, speaker_email, offset_ms, text)
LineRow = tuple[str, int, str, str, int | None, str]
_LINE_COLUMNS = (
    "recording_id",
    "position",
    "speaker_name",
    "speaker_email",
    "offset_ms",
    "text",
)

_COMPARED = (
    recordings.c.id,
    recordings.c.source,
    recordings.c.external_id,
    recordings.c.title,
    recordings.c.summary,
    recordings.c.calendar_event_id,
    recordings.c.url,
    recordings.c.start_time,
    recordings.c.end_time,
    recordings.c.duration_ms,
    recordings.c.participant_emails,
    recordings.c.account_id,
)


def existing_statement(
    organization_id: str, keys: Sequence[tuple[str, str]]
) -> Select[Any]:
    # Two plain IN lists, not a row-value IN: SQLite answers `(source,
    # external_id) IN (VALUES ...)` by walking the whole tenant, which made
    # each batch slower than the last; these walk the unique index
    # (organization_id, source, external_id). The product of the two lists
    # can name a few keys more than asked; `existing` keeps the asked ones.
    return select(*_COMPARED).where(
        recordings.c.organization_id == organization_id,
        recordings.c.source.in_(sorted({source for source, _ in keys})),
        recordings.c.external_id.in_(sorted({external for _, external in keys})),
    )


def existing(
    session: Session, organization_id: str, keys: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], Any]:
    """The stored recordings among (source, external_id) keys."""
    if not keys:
        return {}
    wanted = set(keys)
    rows = session.execute(existing_statement(organization_id, keys))
    found = {(row.source, row.external_id): row for row in rows}
    return {key: row for key, row in found.items() if key in wanted}


def transcripts(
    session: Session, recording_ids: Iterable[str]
) -> dict[str, list[StoredLine]]:
    ids = list(recording_ids)
    result: dict[str, list[StoredLine]] = defaultdict(list)
    if not ids:
        return result
    rows = session.execute(
        select(
            utterances.c.recording_id,
            utterances.c.speaker_name,
            utterances.c.speaker_email,
            utterances.c.offset_ms,
            utterances.c.text,
        )
        .where(utterances.c.recording_id.in_(ids))
        .order_by(utterances.c.recording_id, utterances.c.position)
    )
    for recording_id, name, email, offset, text in rows:
        result[recording_id].append((name, email, offset, text))
    return result


def known_accounts(
    session: Session, organization_id: str, account_ids: Iterable[str]
) -> set[str]:
    ids = list(set(account_ids))
    if not ids:
        return set()
    return set(
        session.scalars(
            select(Account.id).where(
                Account.organization_id == organization_id, Account.id.in_(ids)
            )
        )
    )


def insert_recordings(session: Session, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(insert(recordings), rows)


def update_recordings(session: Session, rows: list[dict[str, Any]]) -> None:
    """Rows carry `row_id` and every column to set, all rows the same columns."""
    if not rows:
        return
    columns = [name for name in rows[0] if name != "row_id"]
    # Bound names must differ from the column names SQLAlchemy reserves.
    statement = (
        update(recordings)
        .where(recordings.c.id == bindparam("row_id"))
        .values({name: bindparam(f"new_{name}") for name in columns})
    )
    params = [
        {"row_id": row["row_id"], **{f"new_{name}": row[name] for name in columns}}
        for row in rows
    ]
    session.connection().execute(statement, params)


def replace_utterances(
    session: Session, recording_ids: Sequence[str], rows: list[LineRow]
) -> None:
    """Drop the transcripts of `recording_ids`, then insert `rows`.

    Utterance columns are plain text and integers that need no conversion,
    so the rows go to the driver's executemany as they are: a bulk load
    writes tens of thousands of them a batch.
    """
    connection = session.connection()
    if recording_ids:
        connection.execute(
            delete(utterances).where(utterances.c.recording_id.in_(recording_ids))
        )
    if rows:
        connection.exec_driver_sql(
            _insert_lines_sql(connection.dialect.paramstyle), rows
        )


def _insert_lines_sql(paramstyle: str) -> str:
    marker = "?" if paramstyle == "qmark" else "%s"
    return (
        f"INSERT INTO {utterances.name} ({', '.join(_LINE_COLUMNS)}) "
        f"VALUES ({', '.join([marker] * len(_LINE_COLUMNS))})"
    )
