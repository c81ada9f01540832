"""Which methods a concrete path takes, from the published OpenAPI, and the
rule that a fixed segment is no id (contract section 6): on
`/call-recordings/search` only the search template counts, not
`/call-recordings/{id}`, whose operations would look up a recording with id
`search`."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from starlette._utils import get_route_path
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute, Match, compile_path
from starlette.types import Receive, Scope, Send


def _route_specificity(template: str) -> int:
    return template.count("{")


def _patterns(app: FastAPI) -> list[tuple[str, re.Pattern[str], set[str]]]:
    paths: dict[str, dict[str, Any]] = app.openapi()["paths"]
    return [
        (template, compile_path(template)[0], {method.upper() for method in operations})
        for template, operations in paths.items()
    ]


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods some operation serves on this concrete path (RFC 9110,
    section 15.5.6): those of the matching templates with the fewest
    parameters, so that a fixed segment is never read as an id."""
    matching = [(t, methods) for t, p, methods in _patterns(app) if p.match(path)]
    if not matching:
        return []
    fewest = min(_route_specificity(template) for template, _ in matching)
    allowed: set[str] = set()
    for template, methods in matching:
        if _route_specificity(template) == fewest:
            allowed |= methods
    return sorted(allowed)


def _shadowed_paths(app: FastAPI) -> dict[str, set[str]]:
    """Each template without parameters that one with parameters also
    matches, with the methods it serves."""
    patterns = _patterns(app)
    return {
        fixed: methods
        for fixed, _, methods in patterns
        if not _route_specificity(fixed)
        and any(_route_specificity(t) and p.match(fixed) for t, p, _ in patterns)
    }


class FixedSegmentsFirst(BaseRoute):
    """Answers 405 for a method a fixed path does not serve, where a template
    with an id serves it (`GET /call-recordings/search`), as Starlette
    answers any other method a path does not take.

    The first of the application's routes: without it the template's route
    matches fully, and the fixed path's only in part.
    """

    def __init__(self, app: FastAPI) -> None:
        self._app = app
        self._shadowed: dict[str, set[str]] | None = None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http":
            return Match.NONE, {}
        if self._shadowed is None:
            # From the OpenAPI, whole only once every router is included.
            self._shadowed = _shadowed_paths(self._app)
        methods = self._shadowed.get(get_route_path(scope))
        if methods is None or scope["method"] in methods:
            return Match.NONE, {}
        return Match.FULL, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise HTTPException(405)


def serve_fixed_segments_first(app: FastAPI) -> None:
    app.router.routes.insert(0, FixedSegmentsFirst(app))
