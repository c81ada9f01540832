from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callvault.webhooks.models import WebhookDelivery, WebhookSecret, WebhookSigningKey


def secret_of(session: Session, organization_id: str) -> WebhookSecret | None:
    return session.get(WebhookSecret, organization_id)


def secret_by_hash(session: Session, secret_hash: str) -> WebhookSecret | None:
    return session.scalar(
        select(WebhookSecret).where(WebhookSecret.secret_hash == secret_hash)
    )


def signing_key(session: Session, organization_id: str, source: str) -> str | None:
    found = session.get(WebhookSigningKey, (organization_id, source))
    return found.key if found else None


def set_signing_key(
    session: Session, organization_id: str, source: str, key: str
) -> None:
    found = session.get(WebhookSigningKey, (organization_id, source))
    if found is None:
        session.add(
            WebhookSigningKey(organization_id=organization_id, source=source, key=key)
        )
    else:
        found.key = key
    session.flush()


def add_delivery(session: Session, delivery: WebhookDelivery) -> bool:
    """Store a delivery; False when this delivery id was stored already."""
    try:
        with session.begin_nested():
            session.add(delivery)
            session.flush()
    except IntegrityError:
        # The savepoint's rollback has taken the new object out of the session.
        return False
    return True


def pending_ids(session: Session) -> list[str]:
    return list(
        session.scalars(
            select(WebhookDelivery.id)
            .where(WebhookDelivery.status == "pending")
            .order_by(WebhookDelivery.received_at)
        )
    )


def claim(session: Session, delivery_id: str) -> WebhookDelivery | None:
    """The delivery if it is still pending, locked for this transaction."""
    return session.scalar(
        select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.status == "pending")
        .with_for_update()
    )


def deliveries_of(session: Session, organization_id: str) -> list[WebhookDelivery]:
    return list(
        session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.organization_id == organization_id)
            .order_by(WebhookDelivery.received_at)
        )
    )
