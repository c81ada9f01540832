"""How every API route meets its dependencies: the caller is known, and
counted against its rate limit, before a database session of the handler
opens, so no request holds a connection while Redis answers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, get_args

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from callvault.app import create_app
from callvault.kernel.deps import CurrentPrincipal, ReadSession, WriteSession
from callvault.settings import Settings

UNAUTHENTICATED = {
    "/healthz",
    "/readyz",
    # A recorder's delivery names its organization by a webhook secret or a
    # signature, and is never refused for volume: recorders do not all retry.
    "/webhooks/{source}",
}


def dependency_of(alias: Any) -> Callable[..., Any]:
    return get_args(alias)[1].dependency  # type: ignore[no-any-return]


def resolution_order(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """Dependencies in the order FastAPI runs them: sub-dependencies first."""
    for sub in dependant.dependencies:
        yield from resolution_order(sub)
        if sub.call is not None:
            yield sub.call


def api_routes(tmp_path: Path) -> list[APIRoute]:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'routes.db'}"))
    routes = list(walk(app.routes))
    assert len(routes) > 10
    return routes


def walk(routes: list[Any]) -> Iterator[APIRoute]:
    """Every APIRoute, through included routers (FastAPI keeps those whole)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from walk(included.routes)


def test_every_api_route_is_authenticated_and_so_rate_limited(tmp_path: Path) -> None:
    principal = dependency_of(CurrentPrincipal)
    unlimited = [
        f"{sorted(route.methods)} {route.path}"
        for route in api_routes(tmp_path)
        if route.path not in UNAUTHENTICATED
        and principal not in resolution_order(route.dependant)
    ]

    assert unlimited == []


def test_the_caller_is_counted_before_any_session_opens(tmp_path: Path) -> None:
    principal = dependency_of(CurrentPrincipal)
    sessions = {dependency_of(ReadSession), dependency_of(WriteSession)}
    late = []
    for route in api_routes(tmp_path):
        order = list(resolution_order(route.dependant))
        opened = [i for i, call in enumerate(order) if call in sessions]
        if opened and order.index(principal) > opened[0]:
            late.append(f"{sorted(route.methods)} {route.path}")

    assert late == []
