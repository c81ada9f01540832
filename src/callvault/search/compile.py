"""A parsed filter as one SQLAlchemy boolean expression over call_recordings.

Every value enters as the bound parameter of its slot in the filter's shape
(`search.shapes`), never as a literal, so that the statement built for one
filter serves every filter of its shape (`search.plans`).

`string_contains` is the dialect-dependent condition. A needle named in
`indexed` is answered by a trigram index (FTS5 on SQLite, pg_trgm on
PostgreSQL); any other needle (one too short to have a trigram, or one so
common that the tenant's newest recordings fill a page sooner than the index
could list its matches) is a plain substring test on the rows the rest of
the query selects, walked in search order. Either way the answer is exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql.elements import KeyedColumnElement
from sqlalchemy.types import TypeEngine

from callvault.recordings.models import CallRecording
from callvault.search.branches import split_by_values
from callvault.search.filters import (
    After,
    And,
    Before,
    Between,
    Condition,
    Contains,
    Equals,
    In,
    IsSet,
    Node,
    NotIn,
    Or,
)
from callvault.search.models import recording_titles
from callvault.search.shapes import Shape, Value

TRIGRAM = 3
PHRASE_CHARACTERS = 16

# The needles a trigram index answers; for each, on SQLite, the rowids of its
# FTS5 candidates as a JSON array when they have been read already, else None.
IndexedNeedles = Mapping[str, str | None]

# Table columns, not ORM attributes: building a condition from an ORM
# attribute costs several times more, and a search builds one a request.
_recording = CallRecording.__table__.c
COLUMNS: dict[str, KeyedColumnElement[Any]] = {
    "account_id": _recording.account_id,
    "source": _recording.source,
    "title": _recording.title,
    "start_time": _recording.start_time,
}
NULLABLE = frozenset({"account_id"})


class Binds:
    """The bound parameters of a statement built for a filter's shape: each
    value as its slot's parameter, and the parameters a needle's value
    derives (`derived`: name to kind and slot, see `derive`)."""

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        self.derived: dict[str, tuple[str, int]] = {}

    def value(
        self, field: str, value: Value, type_: TypeEngine[Any]
    ) -> BindParameter[Any]:
        name = f"v{self.shape.slot(field, value)}"
        return bindparam(name, type_=type_, required=False)

    def of_needle(self, needle: str, kind: str) -> BindParameter[str]:
        slot = self.shape.slot("title", needle)
        name = f"v{slot}_{kind}"
        self.derived[name] = (kind, slot)
        return bindparam(name, type_=String(), required=False)


def derive(kind: str, needle: str, indexed: IndexedNeedles) -> str | None:
    """A parameter `Binds.of_needle` named, from the needle's value."""
    if kind == "phrase":
        return fts_phrase(needle)
    if kind == "rowids":
        return indexed[needle]
    return f"%{_escape_like(needle)}%"


@dataclass(frozen=True)
class Branches:
    """A filter read as one branch per value (see search.branches): every
    match meets exactly one of `conditions`, and `rest` (`None`: no more)."""

    conditions: tuple[ColumnElement[bool], ...]
    rest: ColumnElement[bool] | None


@dataclass(frozen=True)
class CompiledFilter:
    """The WHERE condition of a filter, and how the query should be led."""

    condition: ColumnElement[bool] | None
    led_by_title_index: bool
    branches: Branches | None = None


def trigram_needles(node: Node | None) -> frozenset[str]:
    """The `string_contains` needles long enough for a trigram index."""
    if isinstance(node, And | Or):
        return frozenset().union(*(trigram_needles(c) for c in node.children))
    if isinstance(node, Contains) and len(node.needle) >= TRIGRAM:
        return frozenset({node.needle})
    return frozenset()


def compile_search(
    node: Node | None, dialect: str, indexed: IndexedNeedles, binds: Binds
) -> CompiledFilter:
    """`indexed`: the needles to answer from the trigram index, each with the
    FTS5 candidates already read for it (or None)."""
    if node is None:
        return CompiledFilter(None, led_by_title_index=False)
    return CompiledFilter(
        compile_filter(node, dialect, indexed, binds),
        led_by_title_index(node, dialect, indexed),
        _branches(node, dialect, indexed, binds),
    )


def _branches(
    node: Node, dialect: str, indexed: IndexedNeedles, binds: Binds
) -> Branches | None:
    if _needs_indexed_needle(node, indexed):
        # The needle's trigram candidates lead on SQLite, and PostgreSQL
        # weighs them against the ordered walks by its statistics; branches
        # would list the candidates once per branch.
        return None
    split = split_by_values(node)
    if split is None:
        return None
    column = COLUMNS[split.field]
    conditions = tuple(
        column == binds.value(split.field, value, column.type) for value in split.values
    )
    rest = (
        None
        if split.rest is None
        else compile_filter(split.rest, dialect, indexed, binds)
    )
    return Branches(conditions, rest)


def compile_filter(
    node: Node, dialect: str, indexed: IndexedNeedles, binds: Binds
) -> ColumnElement[bool]:
    if isinstance(node, And | Or):
        combine = and_ if isinstance(node, And) else or_
        return combine(
            *(compile_filter(c, dialect, indexed, binds) for c in node.children)
        )
    if isinstance(node, Contains):
        return _contains(node.needle, dialect, indexed, binds)
    if isinstance(node, Equals) and node.field == "title" and dialect != "sqlite":
        return _title_equals(binds.value("title", node.value, String()))
    return _condition(node, binds)


def _title_equals(value: BindParameter[Any]) -> ColumnElement[bool]:
    # PostgreSQL indexes md5(title), not the unbounded title (migration 0002);
    # the title comparison keeps the answer exact.
    title = _recording.title
    return and_(func.md5(title) == func.md5(value), title == value)


def _condition(node: Condition, binds: Binds) -> ColumnElement[bool]:
    column = COLUMNS[node.field]

    def bound(value: Value) -> BindParameter[Any]:
        return binds.value(node.field, value, column.type)

    if isinstance(node, Equals):
        return column == bound(node.value)
    if isinstance(node, In):
        return column.in_([bound(value) for value in node.values])
    if isinstance(node, NotIn):
        return _not_in(column, node, [bound(value) for value in node.values])
    if isinstance(node, IsSet):
        return column.is_not(None) if node.is_set else column.is_(None)
    if isinstance(node, After):
        return column > bound(node.instant)
    if isinstance(node, Before):
        instant = bound(node.instant)
        return column <= instant if node.inclusive else column < instant
    if isinstance(node, Between):
        start, end = bound(node.start), bound(node.end)
        after = column >= start if node.start_included else column > start
        before = column <= end if node.end_included else column < end
        return and_(after, before)
    raise TypeError(f"no SQL for filter node {node!r}")


def _not_in(
    column: KeyedColumnElement[Any], node: NotIn, values: list[BindParameter[Any]]
) -> ColumnElement[bool]:
    # An unset field is not one of the listed values (contract section 4);
    # SQL's NOT IN alone would drop NULLs.
    if node.field in NULLABLE:
        return or_(column.is_(None), column.not_in(values))
    return column.not_in(values)


def _contains(
    needle: str, dialect: str, indexed: IndexedNeedles, binds: Binds
) -> ColumnElement[bool]:
    folded = _recording.title_folded
    value = binds.value("title", needle, String())
    if needle not in indexed:
        position = func.instr if dialect == "sqlite" else func.strpos
        return position(folded, value) > 0
    if dialect == "sqlite":
        return _fts_contains(needle, value, indexed[needle] is not None, binds)
    return folded.like(binds.of_needle(needle, "like"), escape="\\")


def _fts_contains(
    needle: str, value: BindParameter[Any], read: bool, binds: Binds
) -> ColumnElement[bool]:
    # Candidates read already (`read`) are bound as one JSON text rather than
    # read twice: SQLite lists it in C, where a bound list costs a parameter
    # each.
    candidates: Select[Any]
    if read:
        listed = func.json_each(binds.of_needle(needle, "rowids"))
        candidates = select(listed.table_valued("value").c.value)
    else:
        candidates = title_candidates(binds.of_needle(needle, "phrase"))
    # instr() re-checks the needle on the few candidate rows.
    return and_(
        literal_column("call_recordings.rowid").in_(candidates),
        func.instr(_recording.title_folded, value) > 0,
    )


def fts_phrase(needle: str) -> str:
    """The FTS5 trigram phrase that finds the titles holding the start of
    `needle`: a superset of the titles that hold it, which instr() narrows.

    A trigram phrase query matches the titles that hold the phrase as a
    substring, at a cost of the phrase's length times its trigrams' places in
    every title: a needle of thousands of characters took seconds. Its first
    PHRASE_CHARACTERS characters find nearly the same titles at once.
    """
    # Inside double quotes only a double quote needs escaping.
    return '"' + needle[:PHRASE_CHARACTERS].replace('"', '""') + '"'


def title_candidates(phrase: str | BindParameter[str]) -> Select[int]:
    """The rowids of the titles that match an FTS5 phrase (`fts_phrase`)."""
    return select(recording_titles.c.rowid).where(
        recording_titles.c.title_folded.match(phrase)
    )


def led_by_title_index(node: Node, dialect: str, indexed: IndexedNeedles) -> bool:
    """Whether every match must pass an FTS5 trigram search on SQLite, so that
    the FTS5 candidates should drive the query rather than the tenant's rows.

    Without statistics SQLite's planner prefers walking the tenant index in
    search order and probing the candidate list for each row, a scan of the
    tenant; leading with the candidates reads only the matching titles.
    """
    return dialect == "sqlite" and _needs_indexed_needle(node, indexed)


def leading_needles(node: Node | None) -> frozenset[str]:
    """The needles long enough for a trigram index that every match holds:
    only these can lead a query from the index's candidates."""
    if isinstance(node, Contains) and len(node.needle) >= TRIGRAM:
        return frozenset({node.needle})
    if isinstance(node, And):
        return frozenset().union(*(leading_needles(c) for c in node.children))
    return frozenset()


def _needs_indexed_needle(node: Node, indexed: IndexedNeedles) -> bool:
    """Whether every match holds a needle that the trigram index answers."""
    if isinstance(node, Contains):
        return node.needle in indexed
    if isinstance(node, And):
        return any(_needs_indexed_needle(c, indexed) for c in node.children)
    return False


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
