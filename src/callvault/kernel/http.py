"""HTTP edge: request ids, the body limit, one log line a request, one error
envelope for every failure (contract section 2)."""

from __future__ import annotations

import time
from typing import Any

import orjson
import structlog
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callvault.kernel.context import current_request_id, new_request_id, request_id_var
from callvault.kernel.deps import authenticate_request
from callvault.kernel.errors import (
    CallvaultError,
    InternalError,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
)

log = structlog.get_logger("callvault.http")


class JSONResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def ok(data: Any, **extra: Any) -> JSONResponse:
    """The success envelope: `{"data": ..., "request_id": ...}` plus extras."""
    return JSONResponse({"data": data, **extra, "request_id": current_request_id()})


def error_response(error: CallvaultError) -> JSONResponse:
    response = JSONResponse(error.body(current_request_id()), error.status_code)
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


class RequestEdgeMiddleware:
    """Assigns the request id, refuses oversized bodies, logs one line."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            if self._declared_length(scope) > self.max_body_bytes:
                await error_response(self._too_large())(scope, receive, send_with_id)
                return
            await self.app(scope, self._limited(receive), send_with_id)
        except Exception:
            # Answered here, inside the request's context, so that the body
            # and the X-Request-Id header carry the same id as the log line.
            log.exception("http.unexpected_error", request_id=request_id)
            if status is None:
                internal = InternalError("Something went wrong on our side.")
                await error_response(internal)(scope, receive, send_with_id)
        finally:
            log.info(
                "http.request_served",
                method=scope["method"],
                path=scope["path"],
                status=status or 500,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
                request_id=request_id,
            )
            request_id_var.reset(token)

    def _too_large(self) -> PayloadTooLarge:
        limit_mib = self.max_body_bytes / (1024 * 1024)
        return PayloadTooLarge(f"The request body is larger than {limit_mib:g} MiB.")

    @staticmethod
    def _declared_length(scope: Scope) -> int:
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    return int(value)
                except ValueError:
                    return 0
        return 0

    def _limited(self, receive: Receive) -> Receive:
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body_bytes:
                    # FastAPI turns anything but its HTTPException raised while
                    # reading the body into a 400; the handler maps this one.
                    raise HTTPException(413, self._too_large().message)
            return message

        return receive_limited


def _describe_location(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    text = ""
    for part in parts:
        text += f"[{part}]" if part.isdigit() else (f".{part}" if text else part)
    return text


def _validation_message(error: RequestValidationError) -> list[str]:
    messages = []
    for detail in error.errors():
        kind = detail.get("type", "")
        where = _describe_location(tuple(detail.get("loc", ())))
        if kind == "json_invalid":
            messages.append("The request body is not valid JSON.")
        elif kind == "missing" and not where:
            messages.append("The request body is missing.")
        elif kind in ("model_attributes_type", "dict_type") and not where:
            messages.append("The request body must be a JSON object.")
        elif kind == "missing":
            messages.append(f"`{where}` is required.")
        elif where:
            reason = str(detail.get("msg", "is invalid")).removeprefix("Value error, ")
            messages.append(f"`{where}`: {reason}.")
        else:
            messages.append(f"The request body is invalid: {detail.get('msg')}.")
    return messages or ["The request is invalid."]


def _allowed_methods(request: Request) -> list[str]:
    """Every method some operation takes on this path (RFC 9110, section
    15.5.6), from the published OpenAPI: Starlette names only the methods of
    the first route whose path matches."""
    methods: set[str] = set()
    for template, operations in request.app.openapi()["paths"].items():
        pattern, _, _ = compile_path(template)
        if pattern.match(request.url.path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


def _needs_token(request: Request) -> bool:
    """Whether the matched route authenticates and has not done so yet."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or hasattr(request.state, "principal"):
        return False
    return any(sub.call is authenticate_request for sub in dependant.dependencies)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CallvaultError)
    async def _callvault_error(_: Request, error: CallvaultError) -> Response:
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(
        request: Request, error: RequestValidationError
    ) -> Response:
        if _needs_token(request):
            # FastAPI decodes the JSON body before any dependency runs: a
            # caller without a valid token learns that first, not the body's
            # faults.
            try:
                await run_in_threadpool(authenticate_request, request)
            except CallvaultError as refused:
                return error_response(refused)
        messages = _validation_message(error)
        body = InvalidRequest(messages[0]).body(current_request_id())
        body["errors"] = messages
        return JSONResponse(body, 400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return error_response(
                NotFound(f"No route {request.method} {request.url.path}.")
            )
        if error.status_code == 405:
            response = error_response(
                MethodNotAllowed(
                    f"{request.method} is not allowed on {request.url.path}."
                )
            )
            allowed = _allowed_methods(request)
            # Routes left out of the OpenAPI (/healthz) keep Starlette's answer.
            fallback = (error.headers or {}).get("Allow", "")
            response.headers["Allow"] = ", ".join(allowed) or fallback
            return response
        if error.status_code == 413:
            return error_response(PayloadTooLarge(str(error.detail)))
        wrapped = CallvaultError(str(error.detail))
        wrapped.status_code = error.status_code
        wrapped.code = "invalid_request_body" if error.status_code == 400 else "error"
        return error_response(wrapped)
