from __future__ import annotations

from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from callvault.organizations.models import ApiToken, Organization


def get_by_name(session: Session, name: str) -> Organization | None:
    return session.scalar(select(Organization).where(Organization.name == name))


def get_by_id(session: Session, organization_id: str) -> Organization | None:
    return session.get(Organization, organization_id)


def list_all(session: Session) -> list[Organization]:
    return list(session.scalars(select(Organization).order_by(Organization.created_at)))


_token, _organizations = ApiToken.__table__.c, Organization.__table__
# Built once and read as plain rows: every authenticated request runs it, and
# building and loading ORM objects would cost several times the lookup.
_ACTIVE_TOKEN = (
    select(
        _token.token_hash,
        _token.id.label("token_id"),
        _organizations.c.id.label("organization_id"),
        _organizations.c.name.label("organization_name"),
        _organizations.c.domains.label("organization_domains"),
    )
    .join(_organizations, _organizations.c.id == _token.organization_id)
    .where(_token.token_hash == bindparam("token_hash"), _token.revoked_at.is_(None))
)


def active_credential(
    session: Session, token_hash: str
) -> Row[*tuple[Any, ...]] | None:
    """The unrevoked token with this hash and its organization's columns."""
    return session.execute(_ACTIVE_TOKEN, {"token_hash": token_hash}).first()


def active_token_by_hash(session: Session, token_hash: str) -> ApiToken | None:
    return session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None)
        )
    )


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
