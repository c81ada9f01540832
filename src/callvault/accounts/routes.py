from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body

from callvault.accounts import service
from callvault.accounts.schemas import (
    AccountListResponse,
    AccountResponse,
    CreateAccountRequest,
    UpdateAccountRequest,
)
from callvault.kernel.deps import CurrentPrincipal, ReadSession, WriteSession
from callvault.kernel.http import JSONResponse, ok
from callvault.kernel.schema_types import IntegerBetween, Text

router = APIRouter(prefix="/accounts", tags=["accounts"])


@router.get("", response_model=AccountListResponse)
def list_accounts(
    principal: CurrentPrincipal,
    session: ReadSession,
    cursor: Text | None = None,
    limit: Annotated[int, IntegerBetween(1, service.MAX_PAGE)] | None = None,
) -> JSONResponse:
    """Accounts, oldest first, a page at a time."""
    rows, next_cursor = service.page_accounts(
        session, principal.organization_id, cursor, limit
    )
    pagination = {"cursor": next_cursor, "has_next_page": bool(next_cursor)}
    return ok([service.present(row) for row in rows], pagination=pagination)


@router.post("", response_model=AccountResponse)
def create_account(
    body: CreateAccountRequest, principal: CurrentPrincipal, session: WriteSession
) -> JSONResponse:
    """Create an account; each of its domains may belong to it alone."""
    return ok(
        service.present(
            service.create_account(session, principal.organization_id, body)
        )
    )


@router.get("/{account_id}", response_model=AccountResponse)
def get_account(
    account_id: str, principal: CurrentPrincipal, session: ReadSession
) -> JSONResponse:
    """One account."""
    return ok(
        service.present(
            service.get_account(session, principal.organization_id, account_id)
        )
    )


@router.patch("/{account_id}", response_model=AccountResponse)
def update_account(
    account_id: str,
    principal: CurrentPrincipal,
    session: WriteSession,
    body: UpdateAccountRequest = Body(default_factory=UpdateAccountRequest),
) -> JSONResponse:
    """Change an account's name, type, logo, state or domains."""
    account = service.update_account(
        session, principal.organization_id, account_id, body
    )
    return ok(service.present(account))
