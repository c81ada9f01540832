"""A filter split into one branch per value of an indexed column.

When a filter's top level holds `account_id` or `source` to a few values, no
index reads all their matches in search order: (organization_id, source,
start_time, id) is in order within one source only. So the planners either
walk the tenant in order and test every row, or collect every match and sort.
Read instead as one branch per value, each branch is one range of that
column's index, read in order and stopped after a page; the values are
distinct, so the branches are disjoint and their merge is exactly the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from callvault.search.filters import And, Equals, In, Node, NotIn, Or

BRANCHED_FIELDS = frozenset({"account_id", "source"})
# Each branch reads up to a page of keys, so a page of a split filter reads up
# to branches x limit keys and merges them. 50 keeps that bounded, and far
# under SQLite's 500 terms in one compound select; a longer list tends to
# cover much of the tenant, whose walk in search order then meets matches soon.
MAX_BRANCHES = 50
# Every branch repeats the rest of the filter, and with it the rest's bound
# values. This bound keeps a split statement within a few thousand parameters,
# far under what SQLite (32,766) and PostgreSQL (65,535) take in a statement.
MAX_REPEATED_TERMS = 2000


@dataclass(frozen=True)
class Split:
    """Every match has exactly one of `values` in `field`, and matches `rest`
    (`None`: nothing more)."""

    field: str
    values: tuple[str, ...]
    rest: Node | None


class _Held(NamedTuple):
    field: str
    values: tuple[str, ...]


def split_by_values(node: Node) -> Split | None:
    """The split of a filter whose top level (the whole filter, or one child
    of a top-level `and`) holds an indexed column to between 2 and
    MAX_BRANCHES values; `None` when reading it whole is as good."""
    children = node.children if isinstance(node, And) else (node,)
    held = [_held(child) for child in children]
    if any(h is not None and len(h.values) == 1 for h in held):
        # One equality already leads the query through one index range.
        return None
    # The fewest values make the fewest branches.
    candidates = [
        (len(h.values), index, h)
        for index, h in enumerate(held)
        if h is not None and h.field in BRANCHED_FIELDS
    ]
    if not candidates:
        return None

    _, index, (field, values) = min(candidates)
    rest = _without(children, index)
    if len(values) > MAX_BRANCHES or len(values) * _terms(rest) > MAX_REPEATED_TERMS:
        return None
    return Split(field, values, rest)


def _held(node: Node) -> _Held | None:
    """The field and the distinct values a node holds it to: an `equals`, an
    `in`, or an `or` of those on one field. A value is never NULL, so no
    recording with the field unset matches."""
    if isinstance(node, Equals):
        return _Held(node.field, (node.value,))
    if isinstance(node, In):
        return _Held(node.field, tuple(dict.fromkeys(node.values)))
    if not isinstance(node, Or):
        return None
    held = [_held(child) for child in node.children]
    fields = {h.field for h in held if h is not None}
    if None in held or len(fields) != 1:
        return None
    values = (value for h in held if h is not None for value in h.values)
    return _Held(fields.pop(), tuple(dict.fromkeys(values)))


def _without(children: tuple[Node, ...], index: int) -> Node | None:
    rest = children[:index] + children[index + 1 :]
    if not rest:
        return None
    return rest[0] if len(rest) == 1 else And(rest)


def _terms(node: Node | None) -> int:
    """How many values a node binds, about: one per condition or listed value."""
    if node is None:
        return 0
    if isinstance(node, And | Or):
        return sum(_terms(child) for child in node.children)
    if isinstance(node, In | NotIn):
        return len(node.values)
    return 1
