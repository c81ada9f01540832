"""The shape of a filter: everything its SQL depends on except the values.

Two filters of one shape differ only in the values they bind, so one
statement, built and compiled once (`search.plans`), answers both. Building
a statement with SQLAlchemy and deriving its cache key cost as much as
running it, and several times more for a filter with a few lists.

Each distinct value of a field gets a numbered slot, in the order the filter
names them; the key records the slots, not the values. So equal values share
a slot in every filter of a shape, and splitting a filter by its distinct
values (`search.branches`) splits all of them alike.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callvault.search.filters import (
    After,
    And,
    Before,
    Between,
    Contains,
    Equals,
    In,
    IsSet,
    Node,
    NotIn,
    Or,
)

Value = str | datetime
Key = tuple[Any, ...]


@dataclass(frozen=True)
class Shape:
    key: Key
    # Slot n's value is values[n].
    values: tuple[Value, ...]
    slots: Mapping[tuple[str, Value], int]

    def slot(self, field: str, value: Value) -> int:
        return self.slots[(field, value)]


def shape_of(node: Node | None) -> Shape:
    slots: dict[tuple[str, Value], int] = {}
    key = () if node is None else _key(node, slots)
    return Shape(key, tuple(value for _, value in slots), slots)


def _key(node: Node, slots: dict[tuple[str, Value], int]) -> Key:
    def slot(field: str, value: Value) -> int:
        return slots.setdefault((field, value), len(slots))

    match node:
        case And(children) | Or(children):
            kind = "and" if isinstance(node, And) else "or"
            return (kind, *(_key(child, slots) for child in children))
        case Equals(field, value):
            return ("equals", field, slot(field, value))
        case In(field, values) | NotIn(field, values):
            kind = "in" if isinstance(node, In) else "not_in"
            return (kind, field, *(slot(field, value) for value in values))
        case IsSet(field, is_set):
            return ("is_set", field, is_set)
        case Contains(field, needle):
            return ("contains", field, slot(field, needle))
        case After(field, instant):
            return ("after", field, slot(field, instant))
        case Before(field, instant, inclusive):
            return ("before", field, slot(field, instant), inclusive)
        case Between(field, start, end, start_included, end_included):
            bounds = (
                slot(field, start),
                slot(field, end),
                start_included,
                end_included,
            )
            return ("between", field, *bounds)
    raise TypeError(f"no shape for filter node {node!r}")
