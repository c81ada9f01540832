"""Which operation a request is, for its rate limit: the one place that maps
routes to limits (contract section 1)."""

from __future__ import annotations

from typing import Final

DEFAULT_OPERATION: Final = "default"

# (method, route template) -> operation; every other authenticated route is
# `default`, so a router added later is limited without naming it here. The
# template is the route's own path: routers carry their prefix themselves
# (`APIRouter(prefix=...)`), as every router of the app does.
OPERATIONS: Final[dict[tuple[str, str], str]] = {
    ("GET", "/call-recordings/{id}"): "get",
    ("PATCH", "/call-recordings/{id}"): "update",
    ("POST", "/call-recordings/search"): "search",
    ("POST", "/call-recordings"): "create",
    ("DELETE", "/call-recordings/{id}"): "delete",
}

OPERATION_NAMES: Final = (*dict.fromkeys(OPERATIONS.values()), DEFAULT_OPERATION)


def operation_of(method: str, route_template: str) -> str:
    return OPERATIONS.get((method.upper(), route_template), DEFAULT_OPERATION)
