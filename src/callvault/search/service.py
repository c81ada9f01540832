"""Search call recordings by a filter, one keyset page at a time (contract
section 4)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy.orm import Session

from callvault.organizations.service import Principal
from callvault.recordings.service import present_many
from callvault.search import pagination, repository
from callvault.search.compile import compile_search
from callvault.search.errors import InvalidLimit
from callvault.search.filters import parse_filter
from callvault.search.schemas import SearchCallRecordingsRequest

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

log = structlog.get_logger("callvault.search")


@dataclass(frozen=True)
class SearchPage:
    data: list[dict[str, Any]]
    pagination: dict[str, Any]


def search(
    session: Session, principal: Principal, request: SearchCallRecordingsRequest
) -> SearchPage:
    organization_id = principal.organization_id
    limit = _limit(request.limit)
    node = parse_filter(request.filter)
    bound_to = pagination.binding(organization_id, node, limit)
    # "" is what the last page answers; sent back, it means "from the start".
    after = pagination.decode(request.cursor, bound_to) if request.cursor else None
    dialect = session.get_bind().dialect.name
    compiled = compile_search(node, dialect)

    # One row beyond the page tells whether another page exists, so a page
    # is never followed by an empty one.
    rows = repository.search_page(session, organization_id, compiled, after, limit + 1)
    page, has_next = rows[:limit], len(rows) > limit
    cursor = (
        pagination.encode(pagination.Position.of(page[-1]), bound_to)
        if has_next
        else ""
    )
    log.debug(
        "search.page_served",
        organization_id=organization_id,
        count=len(page),
        has_next_page=has_next,
    )
    return SearchPage(
        present_many(session, page), {"cursor": cursor, "has_next_page": has_next}
    )


def _limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidLimit(
            f"`limit` must be an integer from 1 to {MAX_LIMIT}; got {limit}."
        )
    return limit
