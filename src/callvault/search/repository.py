from __future__ import annotations

from sqlalchemy import ColumnElement, Select, bindparam, select, tuple_
from sqlalchemy.orm import Session

from callvault.recordings.models import CallRecording
from callvault.search.pagination import Position


def page_statement(
    organization_id: str,
    condition: ColumnElement[bool] | None,
    after: Position | None,
    size: int,
) -> Select[CallRecording]:
    """One page in search order: start_time newest first, then id descending."""
    statement = select(CallRecording).where(
        CallRecording.organization_id == organization_id
    )
    if condition is not None:
        statement = statement.where(condition)
    if after is not None:
        statement = statement.where(_before(after))
    return statement.order_by(
        CallRecording.start_time.desc(), CallRecording.id.desc()
    ).limit(size)


def _before(position: Position) -> ColumnElement[bool]:
    # A row-value comparison, so that both databases read it as one range of
    # the (organization_id, ..., start_time, id) indexes.
    start = bindparam(
        "after_start", position.start_time, type_=CallRecording.start_time.type
    )
    recording_id = bindparam("after_id", position.id, type_=CallRecording.id.type)
    return tuple_(CallRecording.start_time, CallRecording.id) < tuple_(
        start, recording_id
    )


def search_page(
    session: Session,
    organization_id: str,
    condition: ColumnElement[bool] | None,
    after: Position | None,
    size: int,
) -> list[CallRecording]:
    statement = page_statement(organization_id, condition, after, size)
    return list(session.scalars(statement))
