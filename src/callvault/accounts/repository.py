from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from callvault.accounts.models import Account, AccountDomain
from callvault.kernel.db import canonical_id


def get(session: Session, organization_id: str, account_id: str) -> Account | None:
    canonical = canonical_id(account_id)
    if canonical is None:
        return None
    return session.scalar(
        select(Account).where(
            Account.organization_id == organization_id, Account.id == canonical
        )
    )


def stored_id(session: Session, organization_id: str, account_id: str) -> str | None:
    """The account's id as stored, when `account_id` names one in any case."""
    canonical = canonical_id(account_id)
    if canonical is None:
        return None
    return session.scalar(
        select(Account.id).where(
            Account.organization_id == organization_id, Account.id == canonical
        )
    )


def page(
    session: Session,
    organization_id: str,
    after: tuple[datetime, str] | None,
    limit: int,
) -> list[Account]:
    """Accounts oldest first, keyset on (created_at, id); one extra row to
    tell whether a next page exists."""
    query = select(Account).where(Account.organization_id == organization_id)
    if after is not None:
        query = query.where(tuple_(Account.created_at, Account.id) > tuple_(*after))
    query = query.order_by(Account.created_at, Account.id).limit(limit + 1)
    return list(session.scalars(query))


def claims(
    session: Session, organization_id: str, domains: Iterable[str]
) -> list[tuple[str, str, datetime]]:
    """(domain, account id, account created_at) for each claimed domain."""
    rows = session.execute(
        select(AccountDomain.domain, Account.id, Account.created_at)
        .join(Account, Account.id == AccountDomain.account_id)
        .where(
            AccountDomain.organization_id == organization_id,
            AccountDomain.domain.in_(list(domains)),
        )
    )
    return [(row[0], row[1], row[2]) for row in rows]


def replace_domains(session: Session, account: Account, domains: list[str]) -> None:
    session.execute(delete(AccountDomain).where(AccountDomain.account_id == account.id))
    session.expire(account, ["domains"])
    for position, domain in enumerate(domains):
        session.add(
            AccountDomain(
                organization_id=account.organization_id,
                account_id=account.id,
                domain=domain,
                position=position,
            )
        )
