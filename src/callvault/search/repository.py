from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVarTuple

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    String,
    bindparam,
    func,
    literal_column,
    select,
    tuple_,
    union_all,
)

from callvault.kernel.db import Reader
from callvault.kernel.prepared import Prepared
from callvault.recordings.models import CallRecording
from callvault.recordings.repository import response_columns
from callvault.search.compile import (
    Branches,
    CompiledFilter,
    fts_phrase,
    title_candidates,
)

if TYPE_CHECKING:
    from callvault.search.plans import Plan

_Columns = TypeVarTuple("_Columns")
# Table columns rather than ORM attributes: see compile.COLUMNS.
_recording = CallRecording.__table__.c


def page_statement(compiled: CompiledFilter, keyset: bool, dialect: str) -> Select[Any]:
    """One page in search order, start_time newest first, then id descending,
    as rows of `recordings.repository.response_columns`; `keyset`: after the
    position `after_start`, `after_id`.

    Its values are bound parameters: `organization_id`, `size` (the rows of
    the page), the position's and the filter's own (`search.compile`).
    """
    selected = select(*response_columns(dialect))
    if compiled.branches is not None:
        return _branched_page(selected, compiled.branches, keyset)
    statement = selected.where(_tenant(compiled.led_by_title_index))
    if compiled.condition is not None:
        statement = statement.where(compiled.condition)
    return _in_search_order(statement, keyset)


def _in_search_order(statement: Select[*_Columns], keyset: bool) -> Select[*_Columns]:
    if keyset:
        statement = statement.where(_before_position())
    return statement.order_by(_recording.start_time.desc(), _recording.id.desc()).limit(
        _SIZE
    )


def _branched_page(
    selected: Select[Any], branches: Branches, keyset: bool
) -> Select[Any]:
    """The page as the first `size` keys of the branches' merge, joined back
    to the recordings for `selected`'s columns.

    A branch reads only keys: with nothing else to test, its index alone
    answers it, and only the page's rows are read whole.
    """
    keys = union_all(
        *(select(branch.subquery()) for branch in _branch_keys(branches, keyset))
    )
    merged = keys.selected_columns
    page = (
        keys.order_by(merged.start_time.desc(), merged.id.desc())
        .limit(_SIZE)
        .subquery("page")
    )
    recordings = CallRecording.__table__
    return selected.join_from(page, recordings, recordings.c.id == page.c.id).order_by(
        page.c.start_time.desc(), page.c.id.desc()
    )


def _branch_keys(branches: Branches, keyset: bool) -> list[Select[datetime, str]]:
    """Each branch's first `size` keys in search order, from one index range."""
    statements = []
    for condition in branches.conditions:
        statement = select(_recording.start_time, _recording.id).where(
            _tenant(led_by_title_index=False), condition
        )
        if branches.rest is not None:
            statement = statement.where(branches.rest)
        statements.append(_in_search_order(statement, keyset))
    return statements


# Bound per search (search.plans): not required when the plan is compiled.
_SIZE = bindparam("size", type_=Integer(), required=False)
_ORGANIZATION = bindparam("organization_id", type_=String(), required=False)


def _tenant(led_by_title_index: bool) -> ColumnElement[bool]:
    if led_by_title_index:
        # SQLite's unary + keeps the planner off the tenant indexes, so the
        # FTS5 candidates lead (see compile.led_by_title_index).
        tenant: ColumnElement[str] = literal_column("+call_recordings.organization_id")
        return tenant == _ORGANIZATION
    return _recording.organization_id == _ORGANIZATION


def _before_position() -> ColumnElement[bool]:
    # A row-value comparison, so that both databases read it as one range of
    # the (organization_id, ..., start_time, id) indexes.
    start = bindparam("after_start", type_=_recording.start_time.type, required=False)
    recording_id = bindparam("after_id", type_=_recording.id.type, required=False)
    return tuple_(_recording.start_time, _recording.id) < tuple_(start, recording_id)


def search_page(reader: Reader, plan: Plan, bound: dict[str, Any]) -> Sequence[Any]:
    """The page's rows: on SQLite (id, stored start_time, document) tuples,
    elsewhere rows of `recordings.repository.RESPONSE_COLUMNS`."""
    return plan.prepared.rows(reader, bound)


def _title_candidates_within() -> Prepared:
    capped = (
        title_candidates(bindparam("phrase", type_=String(), required=False))
        .limit(bindparam("cap", type_=Integer(), required=False))
        .subquery()
    )
    return Prepared(select(func.count(), func.json_group_array(capped.c.rowid)))


_TITLE_CANDIDATES_WITHIN = _title_candidates_within()


def title_candidates_within(reader: Reader, needle: str, cap: int) -> str | None:
    """The rowids of every title with `needle`, in every organization, as a
    JSON array when the FTS5 index holds fewer than `cap`; None, having read
    `cap`, if not. One row either way: SQLite gathers the rowids itself."""
    bound = {"phrase": fts_phrase(needle), "cap": cap}
    count, listed = _TITLE_CANDIDATES_WITHIN.rows(reader, bound)[0]
    return str(listed) if count < cap else None
