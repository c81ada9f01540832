"""Hot Core statements, compiled once and run on SQLite's driver.

On SQLite a lookup by key is an index probe of a few microseconds, and a
page of stored documents little more; SQLAlchemy's execution around either
(the execution context, the result and a Row a row) cost ten times the
probe and as much as the page (bench/results). A `Prepared` statement is
compiled once per dialect; on SQLite its SQL runs on the driver's
connection, with the values in the compiled order, as the driver's tuples.
Elsewhere it runs through SQLAlchemy, whose compiled cache the prebuilt
statement finds at once, as Rows.

Its columns must read the same either way: on SQLite no result type
processing runs, so a column needing it (JSON, a datetime) is cast to text
and read by the caller.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from callvault.kernel.db import Reader


@dataclass(frozen=True)
class Compiled:
    sql: str
    # For a positional driver (SQLite's `?`), the parameter names in the
    # order the SQL takes their values.
    positions: tuple[str, ...]
    # The values of the statement's own constants (a LIMIT's OFFSET 0).
    constants: Mapping[str, Any]
    # How each parameter is bound: the type processors of its column, such
    # as an instant as SQLite's stored text.
    processors: Mapping[str, Callable[[Any], Any]]

    @classmethod
    def of(cls, statement: Select[Any], dialect: Dialect) -> Compiled:
        compiled = statement.compile(dialect=dialect)
        positions = tuple(compiled.positiontup or ())
        processors = {}
        for name in positions:
            type_ = compiled.binds[name].type.dialect_impl(dialect)
            processor = type_.bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        return cls(compiled.string, positions, compiled.construct_params(), processors)

    def positional(self, bound: Mapping[str, Any]) -> tuple[Any, ...]:
        """`bound` and the constants in the SQL's order, as the driver takes
        them."""
        values = {**self.constants, **bound}
        processors = self.processors
        return tuple(
            processors[name](values[name]) if name in processors else values[name]
            for name in self.positions
        )


class Prepared:
    """A statement whose parameters are all named `bindparam`s, made with
    `required=False` so that it compiles without values."""

    def __init__(self, statement: Select[Any]) -> None:
        self.statement = statement
        self._compiled: dict[str, Compiled] = {}
        self._lock = threading.Lock()

    def compiled(self, dialect: Dialect) -> Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = Compiled.of(self.statement, dialect)
            with self._lock:
                self._compiled[dialect.name] = found
        return found

    def rows(self, reader: Reader, bound: Mapping[str, Any]) -> Sequence[Any]:
        connection = reader.connection() if isinstance(reader, Session) else reader
        if connection.dialect.name != "sqlite":
            return connection.execute(self.statement, bound).all()
        compiled = self.compiled(connection.dialect)
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        return driver.execute(compiled.sql, compiled.positional(bound)).fetchall()

    def first(self, reader: Reader, bound: Mapping[str, Any]) -> Any | None:
        rows = self.rows(reader, bound)
        return rows[0] if rows else None
