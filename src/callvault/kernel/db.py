"""Database plumbing: the declarative base, the UTC column type, engines, sessions.

SQLite is the embedded default; PostgreSQL runs the same schema. Writes on
SQLite start with `BEGIN IMMEDIATE` so that concurrent writers queue on the
busy timeout instead of failing with "database is locked" at commit time.

The application is synchronous on psycopg 3: every PostgreSQL URL, whichever
driver it names (`postgresql://`, `postgresql+psycopg://`, `postgresql+asyncpg://`,
`postgres://`), is served by psycopg.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    MetaData,
    String,
    create_engine,
    event,
    text,
)
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import SingletonThreadPool
from sqlalchemy.types import TypeDecorator, TypeEngine

from callvault.kernel.times import format_instant
from callvault.settings import SQLITE_READ_CACHE_MB, Settings

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Any fixed 64-bit number, the same in every process: the key of the
# PostgreSQL advisory lock that serialises start-up work.
EXCLUSIVE_LOCK_KEY = 0x63616C6C7661
_WRITE_OPTION = "callvault_write"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def new_id() -> str:
    return str(uuid.uuid4())


# Ids are UUIDs, stored and answered in their canonical lower-case form
# (contract section 2); on input their hex digits are case-insensitive
# (RFC 9562, section 4).
_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ID_ANY_CASE = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def is_id(text: str) -> bool:
    """Whether `text` is an id as this server writes it (in a cursor, say)."""
    return _ID.fullmatch(text) is not None


def canonical_id(text: str) -> str | None:
    """The stored form of the id `text` gives in any case, or None: text that
    is no UUID names nothing, and is not found."""
    return text.lower() if _ID_ANY_CASE.fullmatch(text) else None


# What a read runs on: a session, or on the event loop the bare connection
# of `Database.loop_reader`.
Reader = Session | Connection


def dialect_of(reader: Reader) -> Dialect:
    bind = reader.get_bind() if isinstance(reader, Session) else reader
    return bind.dialect


def dialect_name(reader: Reader) -> str:
    return dialect_of(reader).name


def engine_url(reader: Reader) -> URL:
    bind = reader.get_bind() if isinstance(reader, Session) else reader
    return bind.engine.url


class UTCDateTime(TypeDecorator[datetime]):
    """An instant, always UTC: timestamptz on PostgreSQL, sortable text on SQLite."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise ValueError("UTCDateTime takes aware datetimes only")
        value = value.astimezone(UTC)
        assert isinstance(value, datetime)
        # SQLite's DATETIME text has no offset: store naive UTC so that text
        # order is time order.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if not isinstance(value, datetime):
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class RFC3339Text(TypeDecorator[str]):
    """A UTCDateTime column read straight as its RFC3339 `Z` answer (what
    `kernel.times.format_instant` gives), for responses built from rows.

    SQLite's stored text is a string edit away from the answer; parsing it
    into a datetime only to format it back costs several times more.
    PostgreSQL's driver hands over aware datetimes, which are formatted.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        raise TypeError("RFC3339Text reads columns only")

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], str | None]:
        # One call per value instead of TypeDecorator's chain of three: these
        # run four times for every row of a page.
        if dialect.name == "sqlite":
            return _stored_instant_text
        return _driver_instant_text


def _driver_instant_text(moment: datetime | None) -> str | None:
    return None if moment is None else format_instant(moment)


def _stored_instant_text(text: str | None) -> str | None:
    if text is None:
        return None
    # SQLAlchemy's SQLite DATETIME is 'YYYY-MM-DD HH:MM:SS.ffffff', naive UTC
    # (see UTCDateTime); format_instant drops an all-zero fraction.
    if len(text) == 26 and text[10] == " " and text[19] == ".":
        if text.endswith(".000000"):
            return text[:10] + "T" + text[11:19] + "Z"
        return text[:10] + "T" + text[11:] + "Z"
    # Any other stored form is read as UTCDateTime reads it.
    moment = datetime.fromisoformat(text)
    return format_instant(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def load_json(text: str | bytes) -> Any:
    """Read a stored JSON column: orjson reads several times faster than the
    standard library, which still reads what orjson refuses (lone surrogate
    escapes, integers beyond 64 bits)."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


POSTGRES_DRIVERS = (
    "postgres",
    "postgresql",
    "postgresql+psycopg",
    "postgresql+asyncpg",
)
# asyncpg spells libpq's `sslmode` as `ssl`.
_ASYNCPG_SSL_MODES = (
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
)


def normalize_url(url: str) -> str:
    """Serve every PostgreSQL URL with the psycopg 3 driver."""
    parsed = make_url(url)
    if parsed.drivername in POSTGRES_DRIVERS:
        if parsed.drivername == "postgresql+asyncpg":
            parsed = _libpq_ssl(parsed)
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _libpq_ssl(parsed: URL) -> URL:
    ssl = parsed.query.get("ssl")
    if not isinstance(ssl, str) or ssl not in _ASYNCPG_SSL_MODES:
        return parsed
    return parsed.difference_update_query(["ssl"]).update_query_dict({"sslmode": ssl})


def create_db_engine(
    url: str,
    *,
    pool_size: int = 10,
    max_overflow: int = 10,
    pool_timeout: float = 30,
    connect_timeout: int = 10,
) -> Engine:
    """`connect_timeout` (seconds) bounds each PostgreSQL connection attempt:
    without it psycopg waits over two minutes for a host that never answers,
    and start-up hangs with it. A `connect_timeout` in the URL's query wins."""
    url = normalize_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        # Each SQLite connection has its own page cache: handing out the
        # connection used last keeps a warm one busy rather than cycling
        # through cold ones.
        return _sqlite_engine(url, pool_use_lifo=True)
    connect_args = (
        {}
        if "connect_timeout" in parsed.query
        else {"connect_timeout": connect_timeout}
    )
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
        json_deserializer=load_json,
        connect_args=connect_args,
    )


def _sqlite_engine(url: str, cache_mb: int | None = None, **pool: Any) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        json_deserializer=load_json,
        **pool,
    )
    _configure_sqlite(engine, cache_mb)
    return engine


def _configure_sqlite(engine: Engine, cache_mb: int | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event, not the driver, open transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # The busy timeout first: switching a new file to WAL takes a lock
        # that several processes starting at once contend for.
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if cache_mb is not None:
            # Negative: a size in KiB rather than in pages.
            cursor.execute(f"PRAGMA cache_size=-{cache_mb * 1024}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        write = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


class ReadOverBudget(Exception):
    """A read on the event loop spent its budget of SQLite instructions."""


# How often, in SQLite virtual-machine instructions, a budgeted read is
# looked at; SQLite counts them within each step of a statement.
_BUDGET_GRAIN = 1000


@contextmanager
def _budgeted(driver: sqlite3.Connection, budget: int | None) -> Iterator[None]:
    if budget is None:
        yield
        return
    spent = 0

    def over() -> bool:
        nonlocal spent
        spent += _BUDGET_GRAIN
        return spent > budget

    driver.set_progress_handler(over, _BUDGET_GRAIN)
    try:
        yield
    except (sqlite3.OperationalError, OperationalError) as error:
        # SQLite answers a handler's refusal with "interrupted".
        if spent > budget:
            raise ReadOverBudget(f"over {budget} instructions") from error
        raise
    finally:
        driver.set_progress_handler(None, 0)


@contextmanager
def _snapshot(driver: sqlite3.Connection, snapshot: bool) -> Iterator[None]:
    if not snapshot:
        yield
        return
    driver.execute("BEGIN")
    try:
        yield
    finally:
        if driver.in_transaction:
            driver.execute("ROLLBACK")


class Database:
    """An engine and its sessions; one unit of work per request or command."""

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        max_overflow: int = 10,
        pool_timeout: float = 30,
        connect_timeout: int = 10,
        read_cache_mb: int = SQLITE_READ_CACHE_MB,
    ):
        self.url = normalize_url(url)
        self.engine = create_db_engine(
            self.url,
            pool_size=pool_size,
            max_overflow=max_overflow,
            pool_timeout=pool_timeout,
            connect_timeout=connect_timeout,
        )
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # One SQLite connection for each thread that asks, never waited for:
        # for the reads run on an event loop, which must not queue for the
        # shared pool behind writers waiting out the busy timeout. Nearly
        # every read of the process runs there, so its page cache is the
        # process's: read_cache_mb instead of SQLite's 2 MB.
        self._loop_engine = (
            # Nothing to roll back on return: the loop's reads open no
            # transaction through SQLAlchemy.
            _sqlite_engine(
                self.url,
                cache_mb=read_cache_mb,
                poolclass=SingletonThreadPool,
                # A connection for each thread that reads on a loop, kept
                # open (`_loop_connection`): beyond this many threads the
                # pool would close the oldest thread's under it.
                pool_size=64,
                pool_reset_on_return=None,
            )
            if self.dialect == "sqlite"
            else None
        )
        self._loop_connections = threading.local()

    @classmethod
    def from_settings(cls, settings: Settings, url: str | None = None) -> Database:
        return cls(
            url or settings.database_url,
            pool_size=settings.db_pool_size,
            max_overflow=settings.db_max_overflow,
            pool_timeout=settings.db_pool_timeout,
            connect_timeout=settings.db_connect_timeout,
            read_cache_mb=settings.sqlite_read_cache_mb,
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def loop_reader(
        self, *, budget: int | None = None, snapshot: bool = False
    ) -> Iterator[Connection]:
        """The calling thread's own SQLite connection, for reads run on the
        event loop (`kernel.deps`): it never waits for a connection of the
        shared pool, and in WAL mode a read waits for no writer.

        No transaction is opened through SQLAlchemy, which cost five times a
        lookup by key (bench/results): one statement runs in a transaction
        of its own, and `snapshot` makes several read one state of the
        database, in a transaction begun and ended on the driver. So reads
        here run on the driver only (`kernel.prepared`).

        `budget`: the SQLite virtual-machine instructions the reads may spend
        before they are interrupted with ReadOverBudget, so that a long scan
        does not hold up every other request of the process.
        """
        connection = self._loop_connection()
        driver = connection.connection.driver_connection
        assert isinstance(driver, sqlite3.Connection)
        try:
            # The budget inside the snapshot: its progress handler must
            # not meet the snapshot's own BEGIN and ROLLBACK, which
            # SQLite counts steps of too.
            with _snapshot(driver, snapshot), _budgeted(driver, budget):
                yield connection
        finally:
            if driver.in_transaction:
                # A snapshot that could not end, or a transaction begun by a
                # read through SQLAlchemy, would hold every later read of
                # this thread on it: the connection goes.
                connection.invalidate()
                connection.close()
                self._loop_connections.connection = None

    def _loop_connection(self) -> Connection:
        # Kept open between reads: opening a Connection on the thread's
        # pooled driver connection cost as much as a lookup by key.
        if self._loop_engine is None:
            raise RuntimeError("Only a SQLite database reads on the event loop.")
        connection: Connection | None = getattr(
            self._loop_connections, "connection", None
        )
        if connection is None or connection.closed:
            connection = self._loop_engine.connect()
            self._loop_connections.connection = connection
        return connection

    @contextmanager
    def session(self, *, write: bool, exclusive: bool = False) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error.

        `exclusive` makes it a write no other process runs beside (see
        `exclusive()`), for first-run setup.
        """
        session = self._sessions()
        try:
            if write or exclusive:
                connection = session.connection(execution_options={_WRITE_OPTION: True})
                if exclusive:
                    self._lock_out_others(connection)
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def exclusive(self) -> Iterator[Connection]:
        """A write transaction no other process runs beside: for migrations
        and first-run setup, which several processes may start at once.

        SQLite's `BEGIN IMMEDIATE` already excludes every other writer; on
        PostgreSQL a transaction-scoped advisory lock does.
        """
        with self.engine.connect() as connection:
            connection.execution_options(**{_WRITE_OPTION: True})
            with connection.begin():
                self._lock_out_others(connection)
                yield connection

    def _lock_out_others(self, connection: Connection) -> None:
        if self.dialect == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": EXCLUSIVE_LOCK_KEY}
            )

    def dispose(self) -> None:
        self.engine.dispose()
        if self._loop_engine is not None:
            kept: Connection | None = getattr(
                self._loop_connections, "connection", None
            )
            if kept is not None:
                kept.close()
            # Other threads' kept connections are of the disposed pool: each
            # thread opens a new one.
            self._loop_connections = threading.local()
            self._loop_engine.dispose()
