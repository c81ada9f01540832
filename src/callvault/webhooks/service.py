"""Receiving deliveries (identify the organization, verify, store raw) and
importing them afterwards, each in its own transaction: an answered delivery
is a committed one, and its import commits together with its new status."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.orm import Session

from callvault.importers import files, registry
from callvault.importers.errors import UnreadableDocument
from callvault.importers.records import Document, Failed, Imported
from callvault.kernel.db import Database
from callvault.kernel.errors import InvalidAuthorizationHeader, quoted
from callvault.kernel.times import utcnow
from callvault.organizations import repository as organizations
from callvault.organizations.service import authenticate
from callvault.recordings import bulk
from callvault.webhooks import repository, signatures
from callvault.webhooks.errors import (
    InvalidDelivery,
    InvalidSignature,
    UnknownWebhookSecret,
    UnknownWebhookSource,
)
from callvault.webhooks.models import WebhookDelivery, WebhookSecret

log = structlog.get_logger("callvault.webhooks")

SOURCES = tuple(source for source in registry.SOURCES if source != "jsonl")
SIGNED = {"fathom", "zoom"}
ZOOM_VALIDATION = "endpoint.url_validation"
# Kept with the delivery: what was verified, and the recorder's ids.
KEPT_HEADERS = (
    "content-type",
    "webhook-id",
    "webhook-timestamp",
    "x-zm-request-timestamp",
    "x-zm-trackingid",
)


@dataclass(frozen=True)
class Receipt:
    """A stored delivery (`stored` False: seen before), or Zoom's challenge
    answer, which stores nothing."""

    delivery: str = ""
    delivery_id: str = ""
    stored: bool = False
    challenge: dict[str, str] | None = None


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def webhook_secret(session: Session, organization_id: str, *, rotate: bool) -> str:
    """The organization's URL secret, made on first use or when rotated."""
    found = repository.secret_of(session, organization_id)
    if found is not None and not rotate:
        return found.secret
    value = "whk_" + secrets.token_urlsafe(24)
    if found is None:
        session.add(
            WebhookSecret(
                organization_id=organization_id,
                secret=value,
                secret_hash=hash_secret(value),
            )
        )
    else:
        found.secret, found.secret_hash = value, hash_secret(value)
    session.flush()
    return value


def set_signing_key(
    session: Session, organization_id: str, source: str, key: str
) -> None:
    if source not in SIGNED:
        raise InvalidDelivery(
            f"{source} does not sign its deliveries; signed: {', '.join(sorted(SIGNED))}."
        )
    if not key.strip():
        raise InvalidDelivery("The signing secret must not be empty.")
    repository.set_signing_key(session, organization_id, source, key.strip())


def receive(
    database: Database,
    source: str,
    headers: Mapping[str, str],
    secret: str | None,
    body: bytes,
) -> Receipt:
    if source not in SOURCES:
        raise UnknownWebhookSource(
            f"No webhooks for {quoted(source)}; known: {', '.join(SOURCES)}."
        )
    with database.session(write=True) as session:
        organization_id = _organization(session, headers.get("authorization"), secret)
        key = repository.signing_key(session, organization_id, source)
        _verify(source, key, headers, body)
        payload = _parse(body)
        if source == "zoom" and payload.get("event") == ZOOM_VALIDATION:
            return Receipt(challenge=_zoom_challenge(key or "", payload))
        delivery = _delivery(organization_id, source, headers, payload, body)
        stored = repository.add_delivery(session, delivery)
    log.info(
        "webhooks.delivery_received",
        organization_id=organization_id,
        source=source,
        delivery_id=delivery.delivery_id,
        duplicate=not stored,
    )
    return Receipt(delivery.id if stored else "", delivery.delivery_id, stored)


def _zoom_challenge(key: str, payload: dict[str, Any]) -> dict[str, str]:
    inner = payload.get("payload")
    plain = inner.get("plainToken") if isinstance(inner, dict) else None
    if not isinstance(plain, str) or not plain:
        raise InvalidDelivery("`payload.plainToken` is required for URL validation.")
    return signatures.zoom_validation_answer(key, plain)


def _delivery(
    organization_id: str,
    source: str,
    headers: Mapping[str, str],
    payload: dict[str, Any],
    body: bytes,
) -> WebhookDelivery:
    return WebhookDelivery(
        organization_id=organization_id,
        source=source,
        delivery_id=_delivery_id(source, headers, payload, body),
        event=_event(payload),
        headers={name: headers[name] for name in KEPT_HEADERS if name in headers},
        body=body,
    )


def _organization(
    session: Session, authorization: str | None, secret: str | None
) -> str:
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            return authenticate(session, token.strip()).organization_id
    if secret:
        found = repository.secret_by_hash(session, hash_secret(secret))
        if found is not None and hmac.compare_digest(found.secret, secret):
            return found.organization_id
    hint = (
        "Name the organization with its webhook secret (?secret=…, see "
        "`callvault webhooks secret`) or an API token."
    )
    if not authorization and not secret:
        # Nothing names a caller: the same refusal as any route without a token.
        raise InvalidAuthorizationHeader(hint)
    raise UnknownWebhookSecret(hint)


def _verify(
    source: str, key: str | None, headers: Mapping[str, str], body: bytes
) -> None:
    if source not in SIGNED:
        return
    if key is None:
        raise InvalidSignature(
            f"No {source} signing secret is set for this organization; set it with "
            f"`callvault webhooks signing-secret {source}`."
        )
    if source == "fathom":
        signatures.verify_standard(key, headers, body)
    else:
        signatures.verify_zoom(key, headers, body)


def _parse(body: bytes) -> dict[str, Any]:
    # Parsed as the import parses it: ids beyond 64 bits kept exact.
    try:
        payload = files.parse_json(body)
    except UnreadableDocument:
        raise InvalidDelivery("The delivery body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise InvalidDelivery("The delivery body must be a JSON object.")
    return payload


def _delivery_id(
    source: str, headers: Mapping[str, str], payload: dict[str, Any], body: bytes
) -> str:
    """The recorder's own delivery id where it sends one; otherwise the body's
    digest, since a repeated delivery repeats its body."""
    if source == "fathom" and headers.get("webhook-id"):
        return headers["webhook-id"][:255]
    if source == "granola" and payload.get("event_id"):
        return str(payload["event_id"])[:255]
    return "sha256:" + hashlib.sha256(body).hexdigest()


def _event(payload: dict[str, Any]) -> str:
    for name in ("event", "event_type", "eventType"):
        if isinstance(payload.get(name), str):
            return str(payload[name])[:255]
    return ""


def process(database: Database, delivery_row_id: str) -> None:
    """Import one pending delivery; its status commits with its records."""
    with database.session(write=True) as session:
        delivery = repository.claim(session, delivery_row_id)
        if delivery is None:
            return
        organization = organizations.get_by_id(session, delivery.organization_id)
        if organization is None:
            return
        document = Document(
            f"webhook {delivery.delivery_id}", files.parse_json(delivery.body)
        )
        outcomes = list(registry.converter(delivery.source)([document]))
        imported = {
            (o.recording.source, o.recording.external_id): o
            for o in outcomes
            if isinstance(o, Imported)
        }
        results = bulk.upsert(
            session,
            organization.id,
            organization.domains or [],
            [item.recording for item in imported.values()],
        )
        _settle(delivery, outcomes, list(imported.values()), results)
    log.info(
        "webhooks.delivery_processed",
        organization_id=delivery.organization_id,
        delivery_id=delivery.delivery_id,
        status=delivery.status,
    )


def fail(database: Database, delivery_row_id: str, reason: str) -> None:
    """Settle a delivery whose import raised: `failed` with the reason, so
    that it is not taken up again at every start."""
    with database.session(write=True) as session:
        delivery = repository.claim(session, delivery_row_id)
        if delivery is None:
            return
        delivery.status = "failed"
        delivery.outcome = reason
        delivery.processed_at = utcnow()
    log.warning(
        "webhooks.delivery_failed",
        organization_id=delivery.organization_id,
        delivery_id=delivery.delivery_id,
        reason=reason,
    )


def _settle(
    delivery: WebhookDelivery,
    outcomes: list[Imported | Failed],
    imported: list[Imported],
    results: list[bulk.Result],
) -> None:
    reasons = [f"{o.record}: {o.reason}" for o in outcomes if isinstance(o, Failed)]
    reasons += [
        f"{item.record}: {result.reason}"
        for item, result in zip(imported, results, strict=True)
        if isinstance(result, bulk.Rejected)
    ]
    written = [
        f"{item.record}: {result.value}"
        for item, result in zip(imported, results, strict=True)
        if isinstance(result, bulk.Written)
    ]
    if reasons:
        delivery.status = "failed"
    elif written:
        delivery.status = "imported"
    else:
        # Granola and Fireflies send ids only; Gong test deliveries hold no call.
        # A body that holds no call where one must be has failed above.
        delivery.status = "recorded"
    delivery.outcome = "; ".join(reasons + written) or "no call in this delivery"
    delivery.processed_at = utcnow()
