from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import Text, bindparam, cast, select
from sqlalchemy.orm import Session

from callvault.kernel.db import Reader, load_json
from callvault.kernel.prepared import Prepared
from callvault.organizations.models import ApiToken, Organization


class Credential(NamedTuple):
    token_hash: str
    token_id: str
    organization_id: str
    organization_name: str
    organization_domains: tuple[str, ...]


def get_by_name(session: Session, name: str) -> Organization | None:
    return session.scalar(select(Organization).where(Organization.name == name))


def get_by_id(session: Session, organization_id: str) -> Organization | None:
    return session.get(Organization, organization_id)


def list_all(session: Session) -> list[Organization]:
    return list(session.scalars(select(Organization).order_by(Organization.created_at)))


_token, _organizations = ApiToken.__table__.c, Organization.__table__
# Every authenticated request runs it: built once, and on SQLite run on the
# driver (kernel.prepared). The domains are read as their JSON text alike on
# both databases.
_ACTIVE_TOKEN = Prepared(
    select(
        _token.token_hash,
        _token.id,
        _organizations.c.id,
        _organizations.c.name,
        cast(_organizations.c.domains, Text),
    )
    .join(_organizations, _organizations.c.id == _token.organization_id)
    .where(
        _token.token_hash == bindparam("token_hash", required=False),
        _token.revoked_at.is_(None),
    )
)


def active_credential(reader: Reader, token_hash: str) -> Credential | None:
    """The unrevoked token with this hash and its organization's columns."""
    row = _ACTIVE_TOKEN.first(reader, {"token_hash": token_hash})
    if row is None:
        return None
    token_hash, token_id, organization_id, name, domains = row
    return Credential(
        token_hash, token_id, organization_id, name, tuple(load_json(domains) or ())
    )


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
