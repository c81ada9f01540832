"""Search call recordings by a filter, one keyset page at a time (contract
section 4)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog

from callvault.kernel.db import Reader, dialect_of, engine_url
from callvault.kernel.errors import excerpt
from callvault.organizations.service import Principal
from callvault.recordings.repository import ResponseRow
from callvault.recordings.service import present_rows
from callvault.search import pagination, repository
from callvault.search.compile import (
    IndexedNeedles,
    leading_needles,
    trigram_needles,
)
from callvault.search.errors import InvalidLimit
from callvault.search.filters import Node, parse_filter
from callvault.search.plans import plans
from callvault.search.schemas import SearchCallRecordingsRequest
from callvault.search.shapes import shape_of

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# Past this many FTS5 candidates, reading them all and sorting them costs more
# than walking the tenant's newest recordings until a page is full.
COMMON_NEEDLE_MATCHES = 2000
# How long a needle found common is walked without asking the index again.
COMMON_NEEDLE_SECONDS = 60.0

log = structlog.get_logger("callvault.search")


@dataclass(frozen=True)
class SearchPage:
    data: list[Any]
    pagination: dict[str, Any]


class CommonNeedles:
    """The needles the trigram index lately found common, by database.

    That a needle is common is a statistic, not an answer: the walk it
    chooses answers every needle exactly, only more slowly for a rare one.
    Remembered for `seconds`, it spares each repeated search of a common
    word the index probe, which reads `COMMON_NEEDLE_MATCHES` candidates only
    to learn that it should not use them: a quarter of such a search's time
    at a million recordings (bench/results). A needle that turned rare is
    probed again once its time is up; one that turned common is found so by
    the probe every search already makes.
    """

    def __init__(
        self,
        seconds: float = COMMON_NEEDLE_SECONDS,
        size: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seconds = seconds
        self._size = size
        self._clock = clock
        self._until: dict[tuple[Hashable, str], float] = {}
        self._lock = threading.Lock()

    def holds(self, database: Hashable, needle: str) -> bool:
        with self._lock:
            until = self._until.get((database, needle))
            if until is None:
                return False
            if until > self._clock():
                return True
            del self._until[(database, needle)]
            return False

    def add(self, database: Hashable, needle: str) -> None:
        with self._lock:
            self._until.pop((database, needle), None)
            if len(self._until) >= self._size:
                # Oldest first: dicts keep insertion order.
                del self._until[next(iter(self._until))]
            self._until[(database, needle)] = self._clock() + self._seconds


common_needles = CommonNeedles()


def search(
    reader: Reader, principal: Principal, request: SearchCallRecordingsRequest
) -> SearchPage:
    organization_id = principal.organization_id
    limit = _limit(request.limit)
    node = parse_filter(request.filter)
    bound_to = pagination.binding(organization_id, node, limit)
    # "" is what the last page answers; sent back, it means "from the start".
    after = pagination.decode(request.cursor, bound_to) if request.cursor else None
    dialect = dialect_of(reader)
    shape = shape_of(node)
    indexed = _indexed_needles(reader, node, dialect.name)
    plan = plans.page(shape, node, dialect, indexed, keyset=after is not None)

    # One row beyond the page tells whether another page exists, so a page
    # is never followed by an empty one.
    bound = plan.parameters(shape, organization_id, after, limit + 1, indexed)
    rows = repository.search_page(reader, plan, bound)
    page, has_next = rows[:limit], len(rows) > limit
    cursor = pagination.encode(_position(page[-1]), bound_to) if has_next else ""
    log.debug(
        "search.page_served",
        organization_id=organization_id,
        count=len(page),
        has_next_page=has_next,
    )
    return SearchPage(
        present_rows(reader, organization_id, page),
        {"cursor": cursor, "has_next_page": has_next},
    )


def _position(row: ResponseRow) -> pagination.Position:
    # Rows begin (id, start_time); start_time is the stored text on SQLite,
    # the RFC3339 answer elsewhere: either reads back as the instant stored.
    moment = datetime.fromisoformat(row[1])
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return pagination.Position(moment, row[0])


def _indexed_needles(reader: Reader, node: Node | None, dialect: str) -> IndexedNeedles:
    """The needles worth answering from the trigram index.

    PostgreSQL's planner weighs pg_trgm against the ordered walk by its own
    statistics. SQLite has none: only a needle every match holds can lead
    from its FTS5 candidates, and only when they are few; then the page
    query takes the candidates as read here. Any other needle, and one found
    common within the last minute (`CommonNeedles`), is tested on the walk
    of the tenant's newest recordings, whose index holds the titles.
    """
    if dialect != "sqlite":
        return dict.fromkeys(trigram_needles(node))
    # The engine's URL, a value: no text is rendered on each search.
    database = engine_url(reader)
    indexed = {}
    for needle in leading_needles(node):
        if common_needles.holds(database, needle):
            continue
        rowids = repository.title_candidates_within(
            reader, needle, COMMON_NEEDLE_MATCHES
        )
        if rowids is None:
            common_needles.add(database, needle)
        else:
            indexed[needle] = rowids
    return indexed


def _limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidLimit(
            f"`limit` must be an integer from 1 to {MAX_LIMIT}; "
            f"got {excerpt(str(limit))}."
        )
    return limit
