from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    bindparam,
    func,
    literal_column,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session

from callvault.recordings.models import CallRecording
from callvault.recordings.repository import ResponseRow, response_columns
from callvault.search.compile import Branches, CompiledFilter, title_candidates
from callvault.search.pagination import Position

_Columns = TypeVarTuple("_Columns")
# Table columns rather than ORM attributes: see compile.COLUMNS.
_recording = CallRecording.__table__.c


def page_statement(
    organization_id: str,
    compiled: CompiledFilter,
    after: Position | None,
    size: int,
    dialect: str,
) -> Select[Any]:
    """One page in search order, start_time newest first, then id descending,
    as rows of `recordings.repository.response_columns`."""
    selected = select(*response_columns(dialect))
    if compiled.branches is not None:
        return _branched_page(selected, organization_id, compiled.branches, after, size)
    statement = selected.where(_tenant(organization_id, compiled.led_by_title_index))
    if compiled.condition is not None:
        statement = statement.where(compiled.condition)
    return _in_search_order(statement, after, size)


def _in_search_order(
    statement: Select[*_Columns], after: Position | None, size: int
) -> Select[*_Columns]:
    if after is not None:
        statement = statement.where(_before(after))
    return statement.order_by(_recording.start_time.desc(), _recording.id.desc()).limit(
        size
    )


def _branched_page(
    selected: Select[Any],
    organization_id: str,
    branches: Branches,
    after: Position | None,
    size: int,
) -> Select[Any]:
    """The page as the first `size` keys of the branches' merge, joined back
    to the recordings for `selected`'s columns.

    A branch reads only keys: with nothing else to test, its index alone
    answers it, and only the page's rows are read whole.
    """
    keys = union_all(
        *(
            select(branch.subquery())
            for branch in _branch_keys(organization_id, branches, after, size)
        )
    )
    merged = keys.selected_columns
    page = (
        keys.order_by(merged.start_time.desc(), merged.id.desc())
        .limit(size)
        .subquery("page")
    )
    recordings = CallRecording.__table__
    return selected.join_from(page, recordings, recordings.c.id == page.c.id).order_by(
        page.c.start_time.desc(), page.c.id.desc()
    )


def _branch_keys(
    organization_id: str,
    branches: Branches,
    after: Position | None,
    size: int,
) -> list[Select[datetime, str]]:
    """Each branch's first `size` keys in search order, from one index range."""
    statements = []
    for condition in branches.conditions:
        statement = select(_recording.start_time, _recording.id).where(
            _tenant(organization_id, led_by_title_index=False), condition
        )
        if branches.rest is not None:
            statement = statement.where(branches.rest)
        statements.append(_in_search_order(statement, after, size))
    return statements


def _tenant(organization_id: str, led_by_title_index: bool) -> ColumnElement[bool]:
    if led_by_title_index:
        # SQLite's unary + keeps the planner off the tenant indexes, so the
        # FTS5 candidates lead (see compile.led_by_title_index).
        tenant: ColumnElement[str] = literal_column("+call_recordings.organization_id")
        return tenant == bindparam("organization_id", organization_id)
    return _recording.organization_id == organization_id


def _before(position: Position) -> ColumnElement[bool]:
    # A row-value comparison, so that both databases read it as one range of
    # the (organization_id, ..., start_time, id) indexes.
    start = bindparam(
        "after_start", position.start_time, type_=_recording.start_time.type
    )
    recording_id = bindparam("after_id", position.id, type_=_recording.id.type)
    return tuple_(_recording.start_time, _recording.id) < tuple_(start, recording_id)


def search_page(
    session: Session,
    organization_id: str,
    compiled: CompiledFilter,
    after: Position | None,
    size: int,
) -> list[ResponseRow]:
    dialect = session.get_bind().dialect.name
    statement = page_statement(organization_id, compiled, after, size, dialect)
    # Through the Connection: a Core select gains nothing from the ORM's
    # execution path, which costs more than a cached statement's execution.
    return list(session.connection().execute(statement))


def title_candidates_within(session: Session, needle: str, cap: int) -> str | None:
    """The rowids of every title with `needle`, in every organization, as a
    JSON array when the FTS5 index holds fewer than `cap`; None, having read
    `cap`, if not. One row either way: SQLite gathers the rowids itself."""
    capped = title_candidates(needle).limit(cap).subquery()
    rowids = func.json_group_array(capped.c.rowid)
    count, listed = session.execute(select(func.count(), rowids)).one()
    return str(listed) if count < cap else None
