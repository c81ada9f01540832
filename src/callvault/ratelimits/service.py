"""Counting each authenticated request against its organization's quota."""

from __future__ import annotations

from fastapi import Request
from starlette.routing import BaseRoute

from callvault.kernel.errors import RateLimited
from callvault.ratelimits.headers import SCOPE_KEY
from callvault.ratelimits.limiter import RateLimiter
from callvault.ratelimits.operations import operation_of


def count_request(request: Request, organization_id: str) -> None:
    """Count the request; raise RateLimited when the quota is spent.

    Called once the caller is known and before any database session of the
    handler opens, so no connection is held while Redis answers.
    """
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    route: BaseRoute | None = request.scope.get("route")
    if limiter is None or route is None:
        return
    # Not `getattr(route, "path", request.url.path)`: that builds the URL
    # on every request, for the rare route without a template.
    template = getattr(route, "path", None) or request.url.path
    decision = limiter.check(organization_id, operation_of(request.method, template))
    if decision is None:
        return
    request.scope[SCOPE_KEY] = decision
    if not decision.allowed:
        raise RateLimited(
            f"Too many {decision.operation} requests: the limit is "
            f"{decision.limit} per {_window(decision.window_seconds)}. "
            f"Retry in {decision.reset_after} seconds.",
            retry_after=decision.reset_after,
        )


def _window(seconds: int) -> str:
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return unit if count == 1 else f"{count} {unit}s"
    return "second" if seconds == 1 else f"{seconds} seconds"
