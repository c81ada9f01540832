"""Organizations and API tokens: random, shown once, stored as a SHA-256 hash."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from callvault.accounts.domains import normalize_domains
from callvault.kernel.db import Reader
from callvault.kernel.errors import InvalidApiToken, InvalidRequest, quoted
from callvault.kernel.times import utcnow
from callvault.organizations import repository
from callvault.organizations.errors import (
    OrganizationExists,
    OrganizationNotFound,
    TokenNotFound,
)
from callvault.organizations.models import ApiToken, Organization

TOKEN_PREFIX = "cv_"
PREFIX_LENGTH = 12


@dataclass(frozen=True)
class Principal:
    """Who is calling: one token of one organization."""

    organization_id: str
    organization_name: str
    organization_domains: tuple[str, ...]
    token_id: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_organization(
    session: Session, name: str, domains: list[str] | None = None
) -> Organization:
    name = name.strip()
    if not name:
        raise InvalidRequest("An organization needs a name.")
    existing = repository.get_by_name(session, name)
    if existing is not None:
        raise OrganizationExists(
            f"An organization named {quoted(name)} exists already.",
            exists_id=existing.id,
        )
    organization = Organization(
        name=name, domains=normalize_domains(domains or [], field="domain")
    )
    session.add(organization)
    session.flush()
    return organization


def require_organization(session: Session, name: str) -> Organization:
    organization = repository.get_by_name(session, name)
    if organization is None:
        raise OrganizationNotFound(f"No organization named {quoted(name)}.")
    return organization


def create_token(session: Session, organization: Organization) -> str:
    """Make a token and return it; only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            organization_id=organization.id,
            prefix=token[:PREFIX_LENGTH],
            token_hash=hash_token(token),
        )
    )
    session.flush()
    return token


def revoke_token(session: Session, prefix: str) -> ApiToken:
    """Revoke the one active token whose shown prefix starts with `prefix`."""
    if len(prefix) < len(TOKEN_PREFIX) + 4:
        raise InvalidRequest(
            f"Give at least {len(TOKEN_PREFIX) + 4} characters of the token."
        )
    whole = repository.active_token_by_hash(session, hash_token(prefix))
    if whole is None and len(prefix) > PREFIX_LENGTH:
        # Only the shown prefix is kept: what comes after it cannot be
        # checked, and a token it does not hold must not be revoked.
        raise TokenNotFound(
            f"No active token starts with {quoted(prefix)}: give at most the "
            f"{PREFIX_LENGTH} characters `tokens list` shows, or the whole token."
        )
    matches = (
        [whole] if whole else repository.active_tokens_with_prefix(session, prefix)
    )
    if not matches:
        raise TokenNotFound(f"No active token starts with {quoted(prefix)}.")
    if len(matches) > 1:
        raise InvalidRequest(
            f"{len(matches)} active tokens start with {quoted(prefix)}: give more of it."
        )
    matches[0].revoked_at = utcnow()
    session.flush()
    return matches[0]


def authenticate(reader: Reader, token: str) -> Principal:
    digest = hash_token(token)
    found = repository.active_credential(reader, digest)
    # The lookup is by hash, so timing reveals nothing of the token; the
    # constant-time comparison keeps it so should the lookup ever change.
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        raise InvalidApiToken("The API token is not valid or has been revoked.")
    return Principal(
        organization_id=found.organization_id,
        organization_name=found.organization_name,
        organization_domains=found.organization_domains,
        token_id=found.token_id,
    )
