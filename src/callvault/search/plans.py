"""Search statements built and compiled once per filter shape.

Building a page's statement with SQLAlchemy and deriving the cache key its
compiled form is found by cost as much as running it at a million
recordings, and a few times more for a filter with lists or branches
(bench/results). A plan is that work done once for a filter's shape
(`search.shapes`); every later search of the shape only binds its values.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Dialect

from callvault.kernel.prepared import Prepared
from callvault.search import repository
from callvault.search.compile import Binds, IndexedNeedles, compile_search, derive
from callvault.search.filters import Node
from callvault.search.pagination import Position
from callvault.search.shapes import Shape

# Shapes whose plans a process keeps, the least recently built dropped first:
# a plan is a statement object and its compiled SQL, a few kilobytes.
PLANS_KEPT = 256


@dataclass(frozen=True)
class Plan:
    prepared: Prepared
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
    prepared = Prepared(statement)
    # Compiled now, once, rather than by the first search that runs it.
    prepared.compiled(dialect)
    return Plan(prepared, dict(binds.derived))


plans = Plans()
