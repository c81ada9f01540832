"""Request dependencies, as `Annotated` aliases for thin route handlers.

Sessions use scope="function": the unit of work commits before the response
is sent, so an acknowledged write is a committed write.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from callvault.kernel.db import Database
from callvault.kernel.errors import InvalidAuthorizationHeader
from callvault.organizations.service import Principal, authenticate
from callvault.ratelimits.service import count_request


def get_database(request: Request) -> Database:
    database: Database = request.app.state.database
    return database


async def _database(request: Request) -> Database:
    # async: FastAPI runs a plain function dependency in a worker thread.
    return get_database(request)


def _read_session(request: Request) -> Iterator[Session]:
    with get_database(request).session(write=False) as session:
        yield session


def _write_session(request: Request) -> Iterator[Session]:
    with get_database(request).session(write=True) as session:
        yield session


ReadSession = Annotated[Session, Depends(_read_session, scope="function")]
# For the hottest reads, which open their session inside the handler: a
# session dependency costs two more hand-offs to a worker thread a request
# (enter and exit), as much as the page query itself.
CurrentDatabase = Annotated[Database, Depends(_database)]
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


def authenticate_request(request: Request) -> Principal:
    """The caller of this request, counted against its rate limit once its
    session is closed; raises the contract's 401 when unknown."""
    token = bearer_token(request)
    with get_database(request).session(write=False) as session:
        principal = authenticate(session, token)
    request.state.principal = principal
    count_request(request, principal.organization_id)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate_request)]
