"""The rate-limit response fields, added to every response of a counted request.

`RateLimit-Policy` and `RateLimit` follow draft-ietf-httpapi-ratelimit-headers-10
(sections 2 and 3): Structured Field lists whose item names the policy, with
`q` the quota and `w` the window in seconds for the policy, `r` the remaining
quota and `t` the seconds until it grows again for the current state. The
`X-RateLimit-*` trio is the older convention most clients read; its `Reset`
is a Unix time in seconds, as on GitHub's API.
"""

from __future__ import annotations

import math

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callvault.ratelimits.limiter import Decision

# Where the request's decision waits for its response, in the ASGI scope.
SCOPE_KEY = "callvault.rate_limit"


def header_fields(decision: Decision) -> list[tuple[str, str]]:
    policy = f'"{decision.operation}"'
    return [
        ("X-RateLimit-Limit", str(decision.limit)),
        ("X-RateLimit-Remaining", str(decision.remaining)),
        ("X-RateLimit-Reset", str(math.ceil(decision.reset_at))),
        (
            "RateLimit-Policy",
            f"{policy};q={decision.limit};w={decision.window_seconds}",
        ),
        ("RateLimit", f"{policy};r={decision.remaining};t={decision.reset_after}"),
    ]


class RateLimitHeadersMiddleware:
    """Adds the fields to whatever answers the request, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_fields(message: Message) -> None:
            decision = scope.get(SCOPE_KEY)
            if message["type"] == "http.response.start" and decision is not None:
                fields = header_fields(decision)
                headers = list(message.get("headers", []))
                headers += [(k.lower().encode(), v.encode()) for k, v in fields]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_fields)
