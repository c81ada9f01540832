"""`/healthz`: the process answers. `/readyz`: it can serve, its database and
(when rate limits are shared) Redis answer. Neither needs a token nor counts
against a rate limit."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from callvault.kernel.deps import get_database
from callvault.ratelimits.limiter import RateLimiter

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get("/readyz")
def readyz(request: Request) -> JSONResponse:
    reasons = [r for r in (_database_reason(request), _redis_reason(request)) if r]
    if reasons:
        return JSONResponse(
            {"status": "unavailable", "reason": "; ".join(reasons)}, status_code=503
        )
    return JSONResponse({"status": "ready"})


def _database_reason(request: Request) -> str | None:
    try:
        with get_database(request).engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure means: not ready
        return f"database: {type(error).__name__}"
    return None


def _redis_reason(request: Request) -> str | None:
    limiter: RateLimiter | None = getattr(request.app.state, "rate_limiter", None)
    return limiter.ready() if limiter else None
