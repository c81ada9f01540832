"""HTTP edge: request ids, the body limit, one log line a request, one error
envelope for every failure (contract section 2)."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass
from typing import Any

import orjson
import structlog
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from callvault.kernel.context import current_request_id, new_request_id, request_id_var
from callvault.kernel.deps import authenticate_request
from callvault.kernel.errors import (
    CallvaultError,
    ClientClosedRequest,
    InternalError,
    InvalidRequest,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    excerpt,
)
from callvault.kernel.head import sent_method
from callvault.kernel.routing import allowed_methods
from callvault.kernel.schema_types import field_sentence

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
                method=sent_method(scope),
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


def _json_invalid_message(detail: dict[str, Any]) -> str:
    # The json module's reason, some of which end in "at" ("Unterminated
    # string starting at"), and its position, counted from 0.
    reason = str(detail.get("ctx", {}).get("error", "")).removesuffix(" at")
    loc = detail.get("loc", ())
    if not (reason and loc and isinstance(loc[-1], int)):
        return "The request body is not valid JSON."
    character = loc[-1] + 1
    if reason == "Extra data":
        return (
            "The request body is not valid JSON: there is more text after the "
            f"JSON value, at character {character}."
        )
    return (
        "The request body is not valid JSON: "
        f"{reason[0].lower()}{reason[1:]} at character {character}."
    )


def _not_json_message(request: Request) -> str:
    declared = request.headers.get("content-type")
    sent = f"`Content-Type: {declared}`" if declared else "no Content-Type"
    return (
        "Send the request body as JSON with `Content-Type: application/json`; "
        f"this request has {sent}."
    )


_NESTED_TOO_DEEPLY = (
    "The request body is nested too deeply: its arrays and objects nest far "
    "deeper than any request of this API."
)


def _validation_message(request: Request, error: RequestValidationError) -> list[str]:
    messages = []
    for detail in error.errors():
        kind = detail.get("type", "")
        where = _describe_location(tuple(detail.get("loc", ())))
        if kind == "json_invalid":
            messages.append(_json_invalid_message(detail))
        elif kind == "missing" and not where:
            messages.append("The request body is missing.")
        elif not where and isinstance(detail.get("input"), bytes):
            # FastAPI reads a body as JSON only when it is declared as JSON.
            messages.append(_not_json_message(request))
        elif kind in ("model_attributes_type", "dict_type") and not where:
            messages.append("The request body must be a JSON object.")
        elif kind == "recursion_depth_exceeded":
            # pydantic's own limit, met before the filter's 3 levels are
            # counted; its path would run to thousands of characters.
            messages.append(_NESTED_TOO_DEEPLY)
        elif where:
            messages.append(field_sentence(detail, where) + ".")
        else:
            messages.append(f"The request body is invalid: {detail.get('msg')}.")
    return messages or ["The request is invalid."]


@dataclass(frozen=True)
class _HugeNumber:
    digits: int


def _read_number(text: str) -> int | _HugeNumber:
    digits = len(text.lstrip("-"))
    if digits > sys.get_int_max_str_digits():
        return _HugeNumber(digits)
    return int(text)


def _find_huge(value: Any, path: str) -> tuple[str, _HugeNumber] | None:
    if isinstance(value, _HugeNumber):
        return path, value
    items: Any = ()
    if isinstance(value, dict):
        items = ((f"{path}.{k}" if path else str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    for where, child in items:
        found = _find_huge(child, where)
        if found:
            return found
    return None


def _huge_number_message(body: bytes) -> str:
    limit = sys.get_int_max_str_digits()
    generic = (
        f"The request body holds a number of more than {limit} digits; "
        "no field takes a number that large."
    )
    try:
        document = json.loads(body, parse_int=_read_number)
    except (ValueError, RecursionError):
        return generic
    found = _find_huge(document, "")
    if found is None:
        return generic
    where, number = found
    return (
        f"`{where or 'body'}`: the number has {number.digits} digits, far too "
        "large for any field of this API."
    )


async def _unparsed_body_message(request: Request, cause: BaseException | None) -> str:
    """Why FastAPI could not decode the body, which its own 400 leaves unsaid."""
    if isinstance(cause, UnicodeDecodeError):
        return (
            "The request body is not valid UTF-8: byte "
            f"0x{cause.object[cause.start]:02x} at offset {cause.start} cannot "
            "start or continue a character."
        )
    if isinstance(cause, RecursionError):
        return _NESTED_TOO_DEEPLY
    if isinstance(cause, ValueError) and "integer string conversion" in str(cause):
        # The cached bytes: FastAPI read the body before failing on it.
        return _huge_number_message(await request.body())
    return "The request body could not be read as JSON."


def _needs_token(request: Request) -> bool:
    """Whether the matched route authenticates and has not done so yet."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or hasattr(request.state, "principal"):
        return False
    return any(sub.call is authenticate_request for sub in dependant.dependencies)


async def _refused_caller(request: Request) -> Response | None:
    """The 401 of a caller without a valid token, if the route wants one.

    FastAPI decodes the JSON body before any dependency runs: a caller
    without a valid token learns that first, not the body's faults.
    """
    if not _needs_token(request):
        return None
    try:
        await authenticate_request(request)
    except CallvaultError as refused:
        return error_response(refused)
    return None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CallvaultError)
    async def _callvault_error(_: Request, error: CallvaultError) -> Response:
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(
        request: Request, error: RequestValidationError
    ) -> Response:
        refused = await _refused_caller(request)
        if refused is not None:
            return refused
        messages = _validation_message(request, error)
        body = InvalidRequest(messages[0]).body(current_request_id())
        body["errors"] = messages
        return JSONResponse(body, 400)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 404:
            return error_response(
                NotFound(
                    f"No route {sent_method(request.scope)} "
                    f"{excerpt(request.url.path)}."
                )
            )
        if error.status_code == 405:
            response = error_response(
                MethodNotAllowed(
                    f"{sent_method(request.scope)} is not allowed on "
                    f"{excerpt(request.url.path)}."
                )
            )
            allowed = allowed_methods(request.app, request.url.path)
            # Routes left out of the OpenAPI (/healthz) keep Starlette's answer.
            fallback = (error.headers or {}).get("Allow", "")
            response.headers["Allow"] = ", ".join(allowed) or fallback
            return response
        if error.status_code == 413:
            return error_response(PayloadTooLarge(str(error.detail)))
        if isinstance(error.__cause__, ClientDisconnect):
            # FastAPI's 400 for a body it could not read, here because the
            # caller left while sending it.
            return error_response(ClientClosedRequest("The caller left while sending."))
        if error.status_code == 400 and error.__cause__ is not None:
            refused = await _refused_caller(request)
            if refused is not None:
                return refused
            message = await _unparsed_body_message(request, error.__cause__)
            return error_response(InvalidRequest(message))
        wrapped = CallvaultError(str(error.detail))
        wrapped.status_code = error.status_code
        wrapped.code = "invalid_request_body" if error.status_code == 400 else "error"
        return error_response(wrapped)
