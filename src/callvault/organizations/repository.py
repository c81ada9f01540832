from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from callvault.organizations.models import ApiToken, Organization


def get_by_name(session: Session, name: str) -> Organization | None:
    return session.scalar(select(Organization).where(Organization.name == name))


def get_by_id(session: Session, organization_id: str) -> Organization | None:
    return session.get(Organization, organization_id)


def list_all(session: Session) -> list[Organization]:
    return list(session.scalars(select(Organization).order_by(Organization.created_at)))


def active_token_by_hash(
    session: Session, token_hash: str
) -> tuple[ApiToken, Organization] | None:
    row = session.execute(
        select(ApiToken, Organization)
        .join(Organization, Organization.id == ApiToken.organization_id)
        .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None))
    ).first()
    return (row[0], row[1]) if row else None


def active_tokens_with_prefix(session: Session, prefix: str) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken).where(
                ApiToken.prefix.startswith(prefix, autoescape=True),
                ApiToken.revoked_at.is_(None),
            )
        )
    )


def tokens_of(session: Session, organization_id: str) -> list[ApiToken]:
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.organization_id == organization_id)
            .order_by(ApiToken.created_at)
        )
    )
