"""A route whose well-formed requests go straight to its endpoint.

FastAPI's request handler does the same work for every request of every
route: it parses the content type with the standard library's e-mail
parser, gathers the endpoint's context for error messages, walks the
dependency tree and builds the response's arguments. For a search, which
the event loop answers in a few tenths of a millisecond, that was 0.04 ms
of CPU a request: a 100-row page cost 0.30 ms in-process through FastAPI's
handler and 0.26 ms this way, and a million recordings' title-common
searches went from 1,610 to 1,790-1,940 a second over HTTP.

`DirectJSONRoute` serves an endpoint of exactly three parameters, the
request, the caller (`CurrentPrincipal`) and one JSON body model, and takes
the short way only when the request is plainly well formed: a body sent as
`application/json` that parses as JSON and validates as the model. It then
calls what FastAPI would call, in the order FastAPI would: the same JSON
parser, the same model validation, the same authentication, the same
endpoint. Any other request goes to FastAPI's own handler, whose answers,
401s and 400s included, are every other route's.

Dependencies given where the route's router is included
(`include_router(..., dependencies=...)`) run only on FastAPI's way: the
application includes such routers without them.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from callvault.kernel.deps import authenticate_request
from callvault.kernel.errors import ClientClosedRequest

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class DirectJSONRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        super().__init__(path, endpoint, **options)
        self._request_name, self._caller_name, self._body_name, self._model = (
            _direct_parameters(self)
        )

    def get_route_handler(self) -> Handler:
        fallback = super().get_route_handler()

        async def handler(request: Request) -> Response:
            body = await self._well_formed_body(request)
            if body is None:
                return await fallback(request)
            caller = await authenticate_request(request)
            answer = await self.endpoint(
                **{
                    self._request_name: request,
                    self._caller_name: caller,
                    self._body_name: body,
                }
            )
            if not isinstance(answer, Response):
                raise TypeError(f"{self.endpoint.__name__} must return a Response.")
            return answer

        return handler

    async def _well_formed_body(self, request: Request) -> BaseModel | None:
        # The application's overrides (tests' stand-ins for a dependency):
        # only FastAPI's handler applies them.
        overrides = getattr(request.app, "dependency_overrides", None)
        if overrides or request.headers.get("content-type") != "application/json":
            return None
        try:
            raw = await request.body()
        except ClientDisconnect:
            raise ClientClosedRequest("The caller left while sending.") from None
        if not raw:
            return None
        try:
            # What Starlette's `Request.json()` and FastAPI's body field do.
            return self._model.model_validate(json.loads(raw), from_attributes=True)
        except (ValueError, RecursionError):
            # Not JSON, not UTF-8, a number too long, or not the model:
            # FastAPI's handler words each.
            return None


def _direct_parameters(route: APIRoute) -> tuple[str, str, str, type[BaseModel]]:
    """The names of the endpoint's request, caller and body parameters, and
    the body's model; TypeError for an endpoint the short way cannot serve."""
    dependant = route.dependant
    bodies = dependant.body_params
    callers = dependant.dependencies
    model = bodies[0].field_info.annotation if len(bodies) == 1 else None
    served = (
        dependant.request_param_name is not None
        and inspect.iscoroutinefunction(route.endpoint)
        and len(callers) == 1
        and callers[0].call is authenticate_request
        and callers[0].name is not None
        and isinstance(model, type)
        and issubclass(model, BaseModel)
        and not (
            dependant.path_params
            or dependant.query_params
            or dependant.header_params
            or dependant.cookie_params
            or dependant.response_param_name
            or dependant.background_tasks_param_name
        )
    )
    if not served:
        raise TypeError(
            f"{route.path}: a DirectJSONRoute endpoint is a coroutine taking the "
            "request, the caller (CurrentPrincipal) and one JSON body model."
        )
    assert dependant.request_param_name and callers[0].name
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return dependant.request_param_name, callers[0].name, bodies[0].name, model
