"""HEAD wherever GET is served (RFC 9110, section 9.3.2): a load balancer's
probe, or a client checking that a recording exists, gets the status and the
header fields GET would answer, without the content.

A HEAD request is routed, authenticated and counted as its GET, so it needs
the same token and spends the same quota; the published OpenAPI lists GET
alone, as the contract does.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The method the caller sent, kept in the scope of a HEAD routed as GET.
SENT_METHOD_KEY = "callvault.sent_method"


def sent_method(scope: Scope) -> str:
    """The request's method as the caller sent it, for logs and sentences."""
    method: str = scope.get(SENT_METHOD_KEY, scope["method"])
    return method


class HeadAsGetMiddleware:
    """Serves HEAD as GET and sends the answer's header fields only."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_fields_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                # Content-Length stays GET's: RFC 9110, section 8.6.
                message = {**message, "body": b""}
            await send(message)

        routed = {**scope, "method": "GET", SENT_METHOD_KEY: "HEAD"}
        await self.app(routed, receive, send_fields_only)
