"""Custom field definitions (contract section 3b)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from callvault.custom_fields import repository
from callvault.custom_fields.errors import CustomFieldNotFound, DuplicateSlug
from callvault.custom_fields.models import CustomField
from callvault.custom_fields.schemas import CreateCustomFieldRequest, SelectOption
from callvault.custom_fields.types import FIELD_TYPES, OBJECT_TYPES, SELECT_TYPES
from callvault.kernel.errors import InvalidRequest, quoted
from callvault.kernel.slugs import SLUG_PATTERN, slugify
from callvault.kernel.times import format_instant


def check_object_type(object_type: str | None) -> str:
    if not object_type:
        raise InvalidRequest(
            f"`object_type` is required; one of: {', '.join(OBJECT_TYPES)}."
        )
    if object_type not in OBJECT_TYPES:
        raise InvalidRequest(
            f"`object_type`: {quoted(object_type)} is not allowed; "
            f"one of: {', '.join(OBJECT_TYPES)}."
        )
    return object_type


def list_fields(
    session: Session, organization_id: str, object_type: str | None
) -> list[CustomField]:
    return repository.list_for(session, organization_id, check_object_type(object_type))


def get_field(session: Session, organization_id: str, field_id: str) -> CustomField:
    field = repository.get(session, organization_id, field_id)
    if field is None:
        raise CustomFieldNotFound(f"No custom field with id {quoted(field_id)}.")
    return field


def create_field(
    session: Session, organization_id: str, request: CreateCustomFieldRequest
) -> CustomField:
    object_type = check_object_type(request.object_type)
    if request.type not in FIELD_TYPES:
        raise InvalidRequest(
            f"`type`: {quoted(request.type)} is not allowed; one of: {', '.join(FIELD_TYPES)}."
        )
    slug = _field_slug(request)
    existing = repository.by_slug(session, organization_id, object_type, slug)
    if existing is not None:
        raise DuplicateSlug(
            f"A {object_type} custom field with slug {quoted(slug)} exists already.",
            exists_id=existing.id,
        )
    field = CustomField(
        organization_id=organization_id,
        object_type=object_type,
        slug=slug,
        label=request.label.strip(),
        type=request.type,
        description=request.description or "",
        options=_options(request),
    )
    try:
        # Added inside the savepoint, so that its rollback also takes the
        # field out of the session and the lookup below does not flush it.
        with session.begin_nested():
            session.add(field)
            session.flush()
    except IntegrityError:
        # Another request took the slug between the check and the insert.
        existing = repository.by_slug(session, organization_id, object_type, slug)
        raise DuplicateSlug(
            f"A {object_type} custom field with slug {quoted(slug)} exists already.",
            exists_id=existing.id if existing else None,
        ) from None
    return field


def _field_slug(request: CreateCustomFieldRequest) -> str:
    if request.slug:
        if not SLUG_PATTERN.fullmatch(request.slug):
            raise InvalidRequest(
                f"`slug`: {quoted(request.slug)} must be lower-case letters, digits, "
                "`_` or `-`, starting with a letter or digit."
            )
        return request.slug
    slug = slugify(request.label)
    if not slug:
        raise InvalidRequest(
            "`slug`: no slug can be made from the label; give one explicitly."
        )
    return slug


def _options(request: CreateCustomFieldRequest) -> list[dict[str, str]] | None:
    if request.type not in SELECT_TYPES:
        if request.select_options:
            raise InvalidRequest(
                f"`select_options`: only select and multiselect fields take options, "
                f"not {request.type}."
            )
        return None
    if not request.select_options:
        raise InvalidRequest(
            f"`select_options`: a {request.type} field needs at least one option."
        )
    return _checked_options(request.select_options)


def _checked_options(options: list[SelectOption]) -> list[dict[str, str]]:
    result: list[dict[str, str]] = []
    for index, option in enumerate(options):
        where = f"select_options[{index}]"
        label = (option.label or option.slug or "").strip()
        if not label:
            raise InvalidRequest(f"`{where}.label` is required.")
        slug = option.slug or slugify(label)
        if not SLUG_PATTERN.fullmatch(slug):
            raise InvalidRequest(
                f"`{where}.slug`: {quoted(slug)} must be lower-case letters, digits, `_` or `-`."
            )
        if any(existing["slug"] == slug for existing in result):
            raise InvalidRequest(
                f"`{where}.slug`: {quoted(slug)} is used by another option."
            )
        checked = {"slug": slug, "label": label}
        if option.ai_description:
            checked["ai_description"] = option.ai_description
        result.append(checked)
    return result


def present(field: CustomField) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": field.id,
        "created_at": format_instant(field.created_at),
        "updated_at": format_instant(field.updated_at),
        "label": field.label,
        "slug": field.slug,
        "type": field.type,
        "object_type": field.object_type,
        "source": field.source,
        "description": field.description,
        "is_read_only": field.is_read_only,
    }
    if field.type in SELECT_TYPES:
        body["select_metadata"] = {"options": list(field.options or [])}
    return body
