"""Counting requests against the limits, in memory or in Redis.

A moving window (limits' `MovingWindowRateLimiter`) counts every accepted
request of the last window, so a burst straddling a window edge cannot pass
more than the limit, as a fixed window would let twice the limit through.
With `CALLVAULT_REDIS_URL` the counters live in Redis and every process
sharing it shares one quota; without it each process counts for itself.

Redis being unreachable must not take the API down: the request is served
uncounted (fail open) and the outage is logged at most once a minute.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from limits import RateLimitItem, parse
from limits.errors import StorageError
from limits.storage import (
    MemoryStorage,
    MovingWindowSupport,
    Storage,
    storage_from_string,
)
from limits.strategies import MovingWindowRateLimiter
from redis.backoff import NoBackoff
from redis.retry import Retry

from callvault.ratelimits.operations import OPERATION_NAMES
from callvault.settings import Settings

log = structlog.get_logger("callvault.ratelimits")

OUTAGE_LOG_INTERVAL_SECONDS = 60
# After a failed call the storage is left alone this long, so that a Redis
# that times out slows down one request, not every request.
OUTAGE_RETRY_SECONDS = 2


@dataclass(frozen=True)
class Decision:
    """The outcome of one request against its operation's limit."""

    operation: str
    limit: int
    window_seconds: int
    remaining: int
    reset_at: float
    reset_after: int
    allowed: bool


class RateLimiter:
    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.time,
        logger: Any = log,
    ) -> None:
        self.enabled = settings.rate_limits == "on"
        self.shared = settings.redis_url is not None
        self.items: dict[str, RateLimitItem] = {
            name: parse(getattr(settings, f"rate_limit_{name}"))
            for name in OPERATION_NAMES
        }
        self.storage = _storage(settings)
        self.strategy = MovingWindowRateLimiter(self.storage)
        self._clock = clock
        self._log = logger
        self._lock = threading.Lock()
        self._skip_until = 0.0
        self._last_outage_log: float | None = None

    @property
    def counts_remotely(self) -> bool:
        """Whether counting a request is a round trip to Redis."""
        return self.enabled and self.shared

    def check(self, organization_id: str, operation: str) -> Decision | None:
        """Count one request; None when limits are off or storage is down."""
        if not self.enabled or self._clock() < self._skip_until:
            return None
        item = self.items[operation]
        try:
            allowed = self.strategy.hit(item, organization_id, operation)
            stats = self.strategy.get_window_stats(item, organization_id, operation)
        except StorageError as error:
            self._storage_failed(error.storage_error)
            return None
        return Decision(
            operation=operation,
            limit=item.amount,
            window_seconds=item.get_expiry(),
            remaining=max(0, stats.remaining),
            reset_at=stats.reset_time,
            reset_after=max(1, math.ceil(stats.reset_time - self._clock())),
            allowed=allowed,
        )

    def ready(self) -> str | None:
        """None when the counters can be reached, else why not."""
        if not self.enabled or not self.shared:
            return None
        try:
            reachable = self.storage.check()
        except Exception as error:  # the storage's own failure, whatever it is
            return f"Redis: {type(error).__name__}"
        return None if reachable else "Redis: not reachable"

    def _storage_failed(self, error: Exception) -> None:
        now = self._clock()
        with self._lock:
            self._skip_until = now + OUTAGE_RETRY_SECONDS
            last = self._last_outage_log
            if last is not None and now - last < OUTAGE_LOG_INTERVAL_SECONDS:
                return
            self._last_outage_log = now
        self._log.warning(
            "ratelimits.storage_unreachable",
            error=type(error).__name__,
            detail=str(error),
            serving="uncounted",
        )


def _storage(settings: Settings) -> Storage:
    if settings.redis_url is None:
        return MemoryStorage()
    options: dict[str, Any] = {
        "key_prefix": settings.redis_key_prefix,
        "wrap_exceptions": True,
        "socket_connect_timeout": settings.redis_timeout,
        "socket_timeout": settings.redis_timeout,
        # redis-py retries with backoff of seconds by default; one immediate
        # retry covers a dropped connection without stalling the request.
        "retry": Retry(NoBackoff(), 1),
    }
    storage = storage_from_string(settings.redis_url, **options)
    if not isinstance(storage, Storage) or not isinstance(storage, MovingWindowSupport):
        raise ValueError(
            f"CALLVAULT_REDIS_URL: {settings.redis_url!r} is not a Redis URL."
        )
    return storage
