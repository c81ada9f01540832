from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from callvault.custom_fields.models import CustomField
from callvault.kernel.db import canonical_id


def list_for(
    session: Session, organization_id: str, object_type: str
) -> list[CustomField]:
    return list(
        session.scalars(
            select(CustomField)
            .where(
                CustomField.organization_id == organization_id,
                CustomField.object_type == object_type,
            )
            .order_by(CustomField.created_at, CustomField.id)
        )
    )


def get(session: Session, organization_id: str, field_id: str) -> CustomField | None:
    stored_id = canonical_id(field_id)
    if stored_id is None:
        return None
    return session.scalar(
        select(CustomField).where(
            CustomField.organization_id == organization_id, CustomField.id == stored_id
        )
    )


def by_slug(
    session: Session, organization_id: str, object_type: str, slug: str
) -> CustomField | None:
    return session.scalar(
        select(CustomField).where(
            CustomField.organization_id == organization_id,
            CustomField.object_type == object_type,
            CustomField.slug == slug,
        )
    )


def by_slugs(
    session: Session, organization_id: str, object_type: str, slugs: Iterable[str]
) -> dict[str, CustomField]:
    fields = session.scalars(
        select(CustomField).where(
            CustomField.organization_id == organization_id,
            CustomField.object_type == object_type,
            CustomField.slug.in_(list(slugs)),
        )
    )
    return {field.slug: field for field in fields}


def by_ids(session: Session, field_ids: Iterable[str]) -> dict[str, CustomField]:
    ids = list(set(field_ids))
    if not ids:
        return {}
    return {
        f.id: f
        for f in session.scalars(select(CustomField).where(CustomField.id.in_(ids)))
    }
