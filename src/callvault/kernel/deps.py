"""Request dependencies, as `Annotated` aliases for thin route handlers.

Sessions use scope="function": the unit of work commits before the response
is sent, so an acknowledged write is a committed write.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated, Any, TypeVar

import anyio.to_thread
import structlog
from fastapi import Depends, Request
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from callvault.kernel.db import Database, Reader, ReadOverBudget
from callvault.kernel.errors import ClientClosedRequest, InvalidAuthorizationHeader
from callvault.organizations.service import Principal, authenticate
from callvault.ratelimits.limiter import RateLimiter
from callvault.ratelimits.service import count_request


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


T = TypeVar("T")
log = structlog.get_logger("callvault.reads")


async def in_lookup_thread(request: Request, work: Callable[[], T]) -> T:
    """Run `work`, a lookup by key (a token, a recording id), in one of the
    process's lookup threads."""
    limiter: anyio.CapacityLimiter = request.app.state.lookup_threads
    return await anyio.to_thread.run_sync(work, limiter=limiter)


def lookups_on_loop(database: Database, limiter: RateLimiter) -> bool:
    """Whether lookups by key run on the event loop rather than in a thread.

    On SQLite a lookup by key is one index probe in this process, about a
    tenth of a millisecond, while handing it to a thread and back costs more
    than that again and makes the loop and the thread queue for Python's GIL
    (bench/results). So it runs on the loop, over the loop thread's own
    connection (`Database.loop_reader`), unless counting the request means
    a round trip to Redis. PostgreSQL is a round trip too.
    """
    return database.dialect == "sqlite" and not limiter.counts_remotely


def _lookup_reader(database: Database, on_loop: bool) -> AbstractContextManager[Reader]:
    return database.loop_reader() if on_loop else database.session(write=False)


async def looking_up(request: Request, work: Callable[[Reader], T]) -> T:
    """`work(reader)`, a lookup by key, on the event loop where
    `lookups_on_loop`, else in a session of its own in a lookup thread.

    Lookups run in threads of their own (CALLVAULT_READ_THREADS), apart from
    the searches and the pool every other handler shares: a search may read
    much of a tenant, and every request's token lookup must not wait for it.
    The hottest reads take this instead of `ReadSession`: a session
    dependency costs two more hand-offs between the event loop and a worker
    thread a request, as much as a page query.
    """
    database = get_database(request)
    on_loop: bool = request.app.state.lookups_on_loop

    def unit() -> T:
        with _lookup_reader(database, on_loop) as reader:
            return work(reader)

    return unit() if on_loop else await in_lookup_thread(request, unit)


# SQLite instructions a search may spend on the event loop before it moves
# to a search thread: a walk of some 10,000 index entries, 1.3 to 1.7 ms on a
# warm cache at a million recordings. SQLite counts them within steps that
# run 1,000 or more (kernel.db), so a page's quick steps, at most a page of
# them, are not counted. The benchmark's longest searches, a nested and/or
# and a 1,000-row page, spend up to 10,000.
LOOP_SEARCH_BUDGET = 50_000


async def searching(request: Request, work: Callable[[Reader], T]) -> T:
    """`work(reader)`, a search: on SQLite first on the event loop, within
    LOOP_SEARCH_BUDGET, then, if it spent that, again in one of the
    process's search threads (CALLVAULT_READ_THREADS).

    A search handed to a thread pays for it at every row: SQLite lets go of
    Python's GIL for each step, and the thread queues for it behind the
    loop, which doubled a 100-row page's time (bench/results). On the loop a
    search waits for nothing, and a long one is stopped after a few
    milliseconds, so that it holds up the other requests no longer.
    """
    database = get_database(request)
    if database.dialect == "sqlite":
        try:
            with database.loop_reader(
                budget=LOOP_SEARCH_BUDGET, snapshot=True
            ) as reader:
                return work(reader)
        except ReadOverBudget:
            log.info("search.moved_to_thread", budget=LOOP_SEARCH_BUDGET)

    running = _RunningRead()

    def unit() -> T:
        with database.session(write=False) as session, running.on(session):
            return work(session)

    limiter: anyio.CapacityLimiter = request.app.state.search_threads
    # The outcome is raised outside the task group, which would wrap an
    # error in an ExceptionGroup.
    async with anyio.create_task_group() as watching:
        watching.start_soon(_stop_when_the_caller_leaves, request, running)
        outcome = await _outcome(anyio.to_thread.run_sync(unit, limiter=limiter))
        watching.cancel_scope.cancel()
    if isinstance(outcome, DBAPIError | sqlite3.Error) and running.stopped:
        # Interrupted: through SQLAlchemy a DBAPIError, on SQLite's driver
        # (kernel.prepared) sqlite3's own.
        raise ClientClosedRequest("The caller left.") from outcome
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


async def _outcome(awaited: Awaitable[T]) -> T | Exception:
    try:
        return await awaited
    except Exception as error:
        return error


class _RunningRead:
    """The driver connection a read thread is running a statement on, to be
    stopped from the event loop: both drivers take that from another thread
    (`sqlite3.Connection.interrupt`, psycopg's `Connection.cancel`)."""

    def __init__(self) -> None:
        self._driver: Any = None
        self._lock = threading.Lock()
        self.stopped = False

    @contextmanager
    def on(self, session: Session) -> Iterator[None]:
        with self._lock:
            self._driver = session.connection().connection.driver_connection
            if self.stopped:
                raise ClientClosedRequest("The caller left.")
        try:
            yield
        finally:
            with self._lock:
                self._driver = None

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            if self._driver is None:
                return
            if isinstance(self._driver, sqlite3.Connection):
                self._driver.interrupt()
            else:
                # A cancel request on a connection of its own to the server.
                self._driver.cancel_safe(timeout=5)


async def _stop_when_the_caller_leaves(request: Request, running: _RunningRead) -> None:
    """A search in a read thread runs until its statement ends, which for a
    long one is seconds; its caller may have given up long before, and the
    thread is one of few (CALLVAULT_READ_THREADS). The body is read by now,
    so the next message is the disconnect."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
    log.info("search.caller_left")
    # In a thread: PostgreSQL's cancel is a round trip.
    await anyio.to_thread.run_sync(running.stop)


def _read_session(request: Request) -> Iterator[Session]:
    with get_database(request).session(write=False) as session:
        yield session


async def _write_turn(request: Request) -> AsyncIterator[None]:
    """A turn among the process's write units of work, waited for on the
    event loop (`Settings.write_turns_for`).

    A write ends, committing, in a worker thread of its own, after its
    handler's. Writers queued for the database's write lock in every worker
    thread left none for the writer holding it, which then never committed
    (64 at once: 500s after the 30 s busy timeout). Waiting here holds no
    thread and no connection.
    """
    turns: anyio.Semaphore = request.app.state.write_turns
    async with turns:
        yield


def _write_session(
    request: Request, _turn: Annotated[None, Depends(_write_turn, scope="function")]
) -> Iterator[Session]:
    with get_database(request).session(write=True) as session:
        yield session


ReadSession = Annotated[Session, Depends(_read_session, scope="function")]
WriteSession = Annotated[Session, Depends(_write_session, scope="function")]


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization")
    if not header:
        raise InvalidAuthorizationHeader(
            "Send the API token as `Authorization: Bearer <token>`."
        )
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidAuthorizationHeader(
            "The Authorization header must be `Bearer <token>`."
        )
    return token.strip()


async def authenticate_request(request: Request) -> Principal:
    """The caller of this request, counted against its rate limit once its
    session is closed; raises the contract's 401 when unknown."""
    token = bearer_token(request)
    database = get_database(request)
    on_loop: bool = request.app.state.lookups_on_loop

    def lookup() -> Principal:
        with _lookup_reader(database, on_loop) as reader:
            principal = authenticate(reader, token)
        request.state.principal = principal
        # On the loop only when counted in this process: with Redis,
        # counting is a network round trip.
        count_request(request, principal.organization_id)
        return principal

    return lookup() if on_loop else await in_lookup_thread(request, lookup)


CurrentPrincipal = Annotated[Principal, Depends(authenticate_request)]
