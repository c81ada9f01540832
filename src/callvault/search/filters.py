"""The filter language of `POST /call-recordings/search` (contract section 4).

A request's filter tree is parsed into typed nodes; every rule is checked
here, before any SQL exists, and a refusal names the node's path in the tree
(`filter.subfilters[1].operator`), the field, and what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callvault.kernel.db import canonical_id
from callvault.kernel.errors import quoted
from callvault.kernel.times import WrittenInstant, parse_written_instant
from callvault.search.errors import InvalidFilter
from callvault.search.schemas import Filter

OPERATORS: dict[str, tuple[str, ...]] = {
    "account_id": ("equals", "in", "not_in", "is_set", "is_unset"),
    "source": ("equals", "in", "not_in"),
    "title": ("equals", "string_contains"),
    "start_time": ("time_is_after", "time_is_before", "time_range"),
}
COMPOUND = ("and", "or")
CONDITION_OPERATORS = tuple(
    dict.fromkeys(operator for allowed in OPERATORS.values() for operator in allowed)
)
TAKES_VALUE = frozenset(
    {"equals", "string_contains", "time_is_after", "time_is_before"}
)
TAKES_VALUES = frozenset({"in", "not_in", "time_range"})
MAX_DEPTH = 3
# Bounds that keep one filter within what both databases take in a single
# statement (SQLite's expression depth and bound-parameter limits).
MAX_CONDITIONS = 100
MAX_VALUES = 1000


@dataclass(frozen=True)
class Equals:
    field: str
    value: str


@dataclass(frozen=True)
class In:
    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class NotIn:
    """Also matches a recording whose field is unset."""

    field: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class IsSet:
    field: str
    is_set: bool


@dataclass(frozen=True)
class Contains:
    """Case-insensitive substring: `needle` is already case folded."""

    field: str
    needle: str


# Stored instants have microsecond precision; a bound written with more
# digits lies between two of them. Each bound below is the microsecond at or
# below the written instant and whether a stored instant equal to it matches,
# so that the comparison means what the written instant means.


@dataclass(frozen=True)
class After:
    """Strictly after: `x > t` is `x > floor_us(t)` whatever `t`'s digits."""

    field: str
    instant: datetime


@dataclass(frozen=True)
class Before:
    """Strictly before: `x < t` is `x <= floor_us(t)` when digits were cut
    from `t`, else `x < t`."""

    field: str
    instant: datetime
    inclusive: bool = False


@dataclass(frozen=True)
class Between:
    """`[start, end)`, each end a Before/After-style bound: a cut start
    excludes its floor, a cut end includes its floor."""

    field: str
    start: datetime
    end: datetime
    start_included: bool = True
    end_included: bool = False


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Condition = Equals | In | NotIn | IsSet | Contains | After | Before | Between
Node = Condition | And | Or


def parse_filter(tree: Filter | None) -> Node | None:
    """The typed form of a request's filter; `None` matches every recording."""
    if tree is None:
        return None
    node = _parse(tree, "filter", depth=1)
    _check_size(node)
    return node


def _listing(names: tuple[str, ...] | list[str]) -> str:
    return ", ".join(f"`{name}`" for name in names)


def _parse(tree: Filter, path: str, depth: int) -> Node:
    if depth > MAX_DEPTH:
        raise InvalidFilter(
            f"`{path}`: filters nest at most {MAX_DEPTH} levels deep, "
            "counting the top filter."
        )
    if not tree.operator:
        raise InvalidFilter(
            f"`{path}.operator` is required: `and`, `or`, or an operator of the "
            f"field; searchable fields are {_listing(list(OPERATORS))}."
        )
    if tree.operator in COMPOUND:
        return _parse_compound(tree, path, depth)
    if tree.operator not in CONDITION_OPERATORS:
        # Checked before the field, so that a misspelt operator is named as
        # such rather than asked for the field an `and` does not take.
        raise InvalidFilter(
            f"`{path}.operator`: {quoted(tree.operator)} is not an operator; operators "
            f"are {_listing(COMPOUND + CONDITION_OPERATORS)}."
        )
    return _parse_condition(tree, path)


def _parse_compound(tree: Filter, path: str, depth: int) -> Node:
    operator = tree.operator
    if tree.value or tree.values:
        key = "value" if tree.value else "values"
        raise InvalidFilter(
            f"`{path}.{key}`: `{operator}` takes `subfilters` only, not `{key}`."
        )
    if not tree.subfilters:
        raise InvalidFilter(
            f"`{path}.subfilters` is required with `{operator}`: "
            "a list of one or more filters."
        )
    children = tuple(
        _parse(child, f"{path}.subfilters[{index}]", depth + 1)
        for index, child in enumerate(tree.subfilters)
    )
    return And(children) if operator == "and" else Or(children)


def _parse_condition(tree: Filter, path: str) -> Node:
    field, operator = tree.field, tree.operator
    if not field:
        raise InvalidFilter(
            f"`{path}.field` is required with `{operator}`; searchable fields "
            f"are {_listing(list(OPERATORS))}."
        )
    allowed = OPERATORS.get(field)
    if allowed is None:
        raise InvalidFilter(
            f"`{path}.field`: {quoted(field)} is not searchable; searchable fields are "
            f"{_listing(list(OPERATORS))}."
        )
    if operator not in allowed:
        raise InvalidFilter(
            f"`{path}.operator`: {quoted(str(operator))} is not allowed on `{field}`; "
            f"`{field}` allows {_listing(allowed)}."
        )
    if tree.subfilters:
        raise InvalidFilter(
            f"`{path}.subfilters`: only `and` and `or` take subfilters, "
            f"not `{operator}`."
        )
    return _build(tree, path, field, operator)


def _build(tree: Filter, path: str, field: str, operator: str) -> Node:
    if operator == "equals":
        return Equals(field, _operand(field, _value(tree, path)))
    if operator == "string_contains":
        return Contains(field, _value(tree, path).casefold())
    if operator == "time_is_after":
        return After(field, _instant(_value(tree, path), f"{path}.value").floor)
    if operator == "time_is_before":
        bound = _instant(_value(tree, path), f"{path}.value")
        return Before(field, bound.floor, inclusive=not bound.exact)
    if operator == "time_range":
        return _between(tree, path, field)
    if operator == "in":
        return In(field, _operands(field, _values(tree, path)))
    if operator == "not_in":
        return NotIn(field, _operands(field, _values(tree, path)))
    _no_operand(tree, path)
    return IsSet(field, operator == "is_set")


def _pair(tree: Filter) -> str:
    return f"`{tree.field}` `{tree.operator}`"


def _value(tree: Filter, path: str) -> str:
    if tree.values:
        raise InvalidFilter(
            f"`{path}.values`: {_pair(tree)} takes `value`, one string, not `values`."
        )
    if not tree.value:
        raise InvalidFilter(
            f"`{path}.value` is required with {_pair(tree)}: a non-empty string."
        )
    return tree.value


def _values(tree: Filter, path: str) -> tuple[str, ...]:
    if tree.value:
        raise InvalidFilter(
            f"`{path}.value`: {_pair(tree)} takes `values`, a list of strings, "
            "not `value`."
        )
    if not tree.values:
        raise InvalidFilter(
            f"`{path}.values` is required with {_pair(tree)}: "
            "a non-empty list of non-empty strings."
        )
    for index, value in enumerate(tree.values):
        if not value:
            raise InvalidFilter(f"`{path}.values[{index}]` must not be empty.")
    return tuple(tree.values)


def _operand(field: str, value: str) -> str:
    """An account id in any case names its account (RFC 9562, section 4): the
    node holds its stored form, so the cursor bound to the node is the same
    whatever case the filter was written in."""
    if field == "account_id":
        return canonical_id(value) or value
    return value


def _operands(field: str, values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(_operand(field, value) for value in values)


def _no_operand(tree: Filter, path: str) -> None:
    if tree.value or tree.values:
        key = "value" if tree.value else "values"
        raise InvalidFilter(
            f"`{path}.{key}`: {_pair(tree)} takes neither `value` nor `values`."
        )


def _instant(text: str, path: str) -> WrittenInstant:
    try:
        return parse_written_instant(text)
    except ValueError as error:
        raise InvalidFilter(f"`{path}`: {error}.") from None


def _between(tree: Filter, path: str, field: str) -> Between:
    values = _values(tree, path)
    if len(values) != 2:
        raise InvalidFilter(
            f"`{path}.values`: `time_range` takes exactly two RFC3339 times, "
            f"[start, end); got {len(values)}."
        )
    start = _instant(values[0], f"{path}.values[0]")
    end = _instant(values[1], f"{path}.values[1]")
    if end < start:
        raise InvalidFilter(
            f"`{path}.values`: the start {quoted(values[0])} is after the end "
            f"{quoted(values[1])}; `time_range` is [start, end)."
        )
    return Between(
        field,
        start.floor,
        end.floor,
        start_included=start.exact,
        end_included=not end.exact,
    )


def _conditions(node: Node) -> list[Condition]:
    if isinstance(node, And | Or):
        return [leaf for child in node.children for leaf in _conditions(child)]
    return [node]


def _check_size(node: Node) -> None:
    conditions = _conditions(node)
    if len(conditions) > MAX_CONDITIONS:
        raise InvalidFilter(
            f"`filter` has {len(conditions)} conditions; at most "
            f"{MAX_CONDITIONS} are allowed in one filter."
        )
    values = sum(len(c.values) for c in conditions if isinstance(c, In | NotIn))
    if values > MAX_VALUES:
        raise InvalidFilter(
            f"`filter` lists {values} values in `in` and `not_in`; at most "
            f"{MAX_VALUES} are allowed in one filter."
        )
