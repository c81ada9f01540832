"""Accounts and their domains (contract section 3b)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callvault.accounts import repository
from callvault.accounts.domains import normalize_domain, normalize_domains
from callvault.accounts.errors import AccountNotFound, DomainClaimed
from callvault.accounts.models import Account
from callvault.accounts.schemas import CreateAccountRequest, UpdateAccountRequest
from callvault.kernel.cursor import decode_cursor, encode_cursor
from callvault.kernel.errors import InvalidRequest, quoted
from callvault.kernel.times import format_instant, parse_instant, utcnow

DEFAULT_PAGE = 100
MAX_PAGE = 1000


def get_account(session: Session, organization_id: str, account_id: str) -> Account:
    account = repository.get(session, organization_id, account_id)
    if account is None:
        raise AccountNotFound(f"No account with id {quoted(account_id)}.")
    return account


def create_account(
    session: Session, organization_id: str, request: CreateAccountRequest
) -> Account:
    domains = normalize_domains(request.domains or [], field="domains")
    primary = _primary(request.primary_domain or request.domain, domains)
    if primary and primary not in domains:
        domains.insert(0, primary)
    account = Account(
        organization_id=organization_id,
        name=request.name.strip(),
        type=request.account_type or "customer",
        logo_url=request.logo_url or "",
        primary_domain=primary,
    )
    session.add(account)
    session.flush()
    _claim(session, account, domains)
    return account


def update_account(
    session: Session,
    organization_id: str,
    account_id: str,
    request: UpdateAccountRequest,
) -> Account:
    """An update that changes nothing leaves `updated_at` as it was."""
    account = get_account(session, organization_id, account_id)
    given = {
        "name": None if request.name is None else request.name.strip(),
        "type": request.account_type,
        "logo_url": request.logo_url,
        "is_disabled": request.is_disabled,
    }
    changed = _assign(account, given)
    changed = _update_domains(session, account, request) or changed
    if changed:
        account.updated_at = utcnow()
    session.flush()
    return account


def _assign(account: Account, given: Mapping[str, object]) -> bool:
    """Set each given value that differs from the stored one; whether any did."""
    differing = {
        name: value
        for name, value in given.items()
        if value is not None and getattr(account, name) != value
    }
    for name, value in differing.items():
        setattr(account, name, value)
    return bool(differing)


def _update_domains(
    session: Session, account: Account, request: UpdateAccountRequest
) -> bool:
    """Whether the domains or the primary domain changed."""
    if request.domains is None and request.primary_domain is None:
        return False
    current = [claim.domain for claim in account.domains]
    domains = (
        normalize_domains(request.domains, field="domains")
        if request.domains is not None
        else current
    )
    primary = _updated_primary(account.primary_domain, request.primary_domain, domains)
    changed = primary != account.primary_domain or domains != current
    account.primary_domain = primary
    if domains != current:
        repository.replace_domains(session, account, [])
        session.flush()
        _claim(session, account, domains)
    return changed


def _updated_primary(
    current: str | None, requested: str | None, domains: list[str]
) -> str | None:
    """The requested primary domain, else the current one while the account
    still has it, else its first domain."""
    if requested:
        primary = normalize_domain(requested, field="primary_domain")
        if primary not in domains:
            raise InvalidRequest(
                f"`primary_domain`: {quoted(primary)} is not one of the account's domains."
            )
        return primary
    if current in domains:
        return current
    return domains[0] if domains else None


def _primary(raw: str | None, domains: list[str]) -> str | None:
    if raw:
        return normalize_domain(raw, field="primary_domain")
    return domains[0] if domains else None


def _claim(session: Session, account: Account, domains: list[str]) -> None:
    """Claim each domain for this account; a domain held by another is a 409."""
    _refuse_claimed(session, account, domains)
    try:
        # The claims are made inside the savepoint, so that its rollback also
        # takes them out of the session before the holders are looked up.
        with session.begin_nested():
            repository.replace_domains(session, account, domains)
            session.flush()
    except IntegrityError:
        # Another account claimed one of them between the check and the insert.
        _refuse_claimed(session, account, domains)
        raise DomainClaimed(
            "One of the domains was claimed by another account meanwhile; try again."
        ) from None
    session.refresh(account, ["domains"])


def _refuse_claimed(session: Session, account: Account, domains: list[str]) -> None:
    for domain, holder, _ in repository.claims(
        session, account.organization_id, domains
    ):
        if holder != account.id:
            raise DomainClaimed(
                f"The domain {quoted(domain)} belongs to another account.",
                exists_id=holder,
            )


def page_accounts(
    session: Session, organization_id: str, cursor: str | None, limit: int | None
) -> tuple[list[Account], str]:
    limit = DEFAULT_PAGE if limit is None else limit
    after = None
    if cursor:
        position = decode_cursor("accounts", cursor)
        try:
            after = (parse_instant(position["t"]), str(position["id"]))
        except (KeyError, TypeError, ValueError):
            # The checksum catches damage, not forgery: the position is still
            # checked field by field.
            raise InvalidRequest(
                "`cursor` is damaged; start again without it."
            ) from None
    rows = repository.page(session, organization_id, after, limit)
    if len(rows) <= limit:
        return rows, ""
    last = rows[limit - 1]
    next_cursor = encode_cursor(
        "accounts", {"t": format_instant(last.created_at), "id": last.id}
    )
    return rows[:limit], next_cursor


def present(account: Account) -> dict[str, Any]:
    primary = account.primary_domain or ""
    activity = account.latest_customer_activity_time
    return {
        "id": account.id,
        "name": account.name,
        "type": account.type,
        "created_at": format_instant(account.created_at),
        "updated_at": format_instant(account.updated_at),
        "is_disabled": account.is_disabled,
        "logo_url": account.logo_url,
        "latest_customer_activity_time": format_instant(activity) if activity else "",
        "domains": [claim.domain for claim in account.domains],
        "primary_domain": primary,
        "domain": primary,
    }
