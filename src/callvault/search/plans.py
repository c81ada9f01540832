"""Search statements built and compiled once per filter shape.

Building a page's statement with SQLAlchemy and deriving the cache key its
compiled form is found by cost as much as running it at a million
recordings, and a few times more for a filter with lists or branches
(bench/results). A plan is that work done once for a filter's shape
(`search.shapes`); every later search of the shape only binds its values.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect

from callvault.search import repository
from callvault.search.compile import Binds, IndexedNeedles, compile_search, derive
from callvault.search.filters import Node
from callvault.search.pagination import Position
from callvault.search.shapes import Shape

# Shapes whose plans a process keeps, the least recently built dropped first:
# a plan is a few kilobytes of SQL and one statement object.
PLANS_KEPT = 256


@dataclass(frozen=True)
class Plan:
    statement: Select[Any]
    # The compiled SQL and, for a positional driver (SQLite's `?`), the
    # parameter names in the order it takes their values.
    sql: str
    positions: tuple[str, ...]
    # What each parameter is bound as: the statement's own constants, the
    # type processors of its columns (instants as SQLite's stored text).
    constants: Mapping[str, Any]
    processors: Mapping[str, Callable[[Any], Any]]
    # The parameters a needle derives: name to (kind, slot); see compile.derive.
    derived: Mapping[str, tuple[str, int]]

    def parameters(
        self,
        shape: Shape,
        organization_id: str,
        after: Position | None,
        size: int,
        indexed: IndexedNeedles,
    ) -> dict[str, Any]:
        """The search's parameters: its values, what they derive, its
        tenant, position and page size."""
        bound: dict[str, Any] = {
            f"v{slot}": value for slot, value in enumerate(shape.values)
        }
        for name, (kind, slot) in self.derived.items():
            bound[name] = derive(kind, str(shape.values[slot]), indexed)
        bound["organization_id"] = organization_id
        bound["size"] = size
        if after is not None:
            bound["after_start"], bound["after_id"] = after.start_time, after.id
        return bound

    def positional(self, bound: Mapping[str, Any]) -> tuple[Any, ...]:
        """`bound` and the statement's constants in the compiled SQL's
        order, as the driver takes them."""
        values = {**self.constants, **bound}
        processors = self.processors
        return tuple(
            processors[name](values[name]) if name in processors else values[name]
            for name in self.positions
        )


class Plans:
    """The plans of the shapes seen lately, by dialect and shape."""

    def __init__(self, size: int = PLANS_KEPT) -> None:
        self._size = size
        self._plans: dict[Hashable, Plan] = {}
        self._lock = threading.Lock()

    def page(
        self,
        shape: Shape,
        node: Node | None,
        dialect: Dialect,
        indexed: IndexedNeedles,
        keyset: bool,
    ) -> Plan:
        """The plan of a page of `node`'s matches; `keyset`: after a position.

        `node` is of `shape`: its values build the statement the first time,
        as the parameters of their slots, which any filter of the shape binds.
        """
        key = (dialect.name, shape.key, keyset, _needle_modes(shape, indexed))
        with self._lock:
            plan = self._plans.get(key)
        if plan is not None:
            return plan
        plan = _build(shape, node, dialect, indexed, keyset)
        with self._lock:
            if len(self._plans) >= self._size:
                # Oldest first: dicts keep insertion order.
                del self._plans[next(iter(self._plans))]
            self._plans[key] = plan
        return plan


def _needle_modes(shape: Shape, indexed: IndexedNeedles) -> frozenset[tuple[int, bool]]:
    """How each indexed needle is answered: its slot, and whether its
    candidates were read already."""
    return frozenset(
        (shape.slot("title", needle), rowids is not None)
        for needle, rowids in indexed.items()
    )


def _build(
    shape: Shape,
    node: Node | None,
    dialect: Dialect,
    indexed: IndexedNeedles,
    keyset: bool,
) -> Plan:
    binds = Binds(shape)
    compiled_filter = compile_search(node, dialect.name, indexed, binds)
    statement = repository.page_statement(compiled_filter, keyset, dialect.name)
    compiled = statement.compile(dialect=dialect)
    positions = tuple(compiled.positiontup or ())
    processors = {}
    for name in positions:
        processor = (
            compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
        )
        if processor is not None:
            processors[name] = processor
    return Plan(
        statement=statement,
        sql=compiled.string,
        positions=positions,
        constants=compiled.construct_params(),
        processors=processors,
        derived=dict(binds.derived),
    )


plans = Plans()
