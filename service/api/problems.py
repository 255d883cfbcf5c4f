"""RFC 9457 problem details for every error the API returns, so clients can act on them by machine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "https://newsfuse.dev/problems/"
log = structlog.get_logger(__name__)


class ProblemError(Exception):
    """Raised by routes and stages; turned into a problem-details response."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        slug: str,
        errors: Sequence[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
        extensions: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.slug = status, title, detail, slug
        self.errors = list(errors) if errors else None
        self.headers = headers
        self.extensions = dict(extensions) if extensions else None

    def body(self, instance: str | None = None) -> dict[str, Any]:
        """The problem-details JSON (for a response, or stored with a failed job)."""
        return problem_body(
            self.status,
            self.title,
            self.detail,
            slug=self.slug,
            instance=instance,
            errors=self.errors,
            extensions=self.extensions,
        )


def problem_body(
    status: int,
    title: str,
    detail: str | None,
    *,
    slug: str,
    instance: str | None = None,
    errors: Sequence[dict[str, Any]] | None = None,
    extensions: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """RFC 9457 members, then any extension members (e.g. the token count) that do not shadow them."""
    body: dict[str, Any] = {"type": TYPE_BASE + slug, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = list(errors)
    for key, value in (extensions or {}).items():
        body.setdefault(key, value)
    return body


def problem_response(
    status: int,
    title: str,
    detail: str | None,
    *,
    slug: str,
    instance: str | None = None,
    errors: Sequence[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = problem_body(status, title, detail, slug=slug, instance=instance, errors=errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def json_pointer(loc: Sequence[str | int]) -> str:
    """A JSON Pointer (RFC 6901) into the request body from a pydantic error location."""
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[1:]
    return "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        errors.append(
            {
                "pointer": json_pointer(err.get("loc", ())),
                "detail": err.get("msg", ""),
                "type": err.get("type"),
            }
        )
    return errors


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return JSONResponse(
            exc.body(instance=request.url.path), status_code=exc.status, media_type=PROBLEM_JSON, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.method in ("POST", "PUT", "PATCH") and not (
            content_type == "application/json" or content_type.endswith("+json")
        ):
            return problem_response(
                415,
                "Unsupported media type",
                f"send the body as application/json, not {content_type}"
                if content_type
                else "send the body as application/json (no Content-Type header was given)",
                slug="unsupported-media-type",
                instance=request.url.path,
            )
        if any(e["type"] == "json_invalid" for e in errors):
            return problem_response(
                400,
                "Malformed JSON",
                "the request body is not valid JSON",
                slug="malformed-json",
                instance=request.url.path,
                errors=errors,
            )
        fields = ", ".join(e["pointer"] for e in errors)
        return problem_response(
            422,
            "Invalid request",
            f"invalid field(s): {fields}",
            slug="validation-error",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 415: "Unsupported media type"}
        return problem_response(
            exc.status_code,
            titles.get(exc.status_code, "HTTP error"),
            str(exc.detail),
            slug=f"http-{exc.status_code}",
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled_error", path=request.url.path)
        return problem_response(
            500,
            "Internal error",
            "the server failed to process this request",
            slug="internal-error",
            instance=request.url.path,
        )


class BodySizeLimit:
    """Refuses bodies over ``max_bytes`` with 413 before they are parsed, by header or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._reject(scope, receive, send)
            return
        # Read the body up front (bounded), then replay it: an error raised from inside the framework's
        # own body reading would be turned into a generic 400 there.
        chunks: list[bytes] = []
        received = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], receive, first=message), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > self.max_bytes:
                await self._reject(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(chunks, receive), send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = problem_response(
            413,
            "Request body too large",
            f"the request body exceeds {self.max_bytes} bytes (setting NEWSFUSE_MAX_REQUEST_BYTES)",
            slug="body-too-large",
            instance=scope.get("path"),
        )
        await response(scope, receive, send)


def _replay(chunks: list[bytes], downstream: Receive, first: Message | None = None) -> Receive:
    pending: Message | None = first or {"type": "http.request", "body": b"".join(chunks), "more_body": False}

    async def receive() -> Message:
        nonlocal pending
        if pending is not None:
            message, pending = pending, None
            return message
        # After the body, the only thing left to hear about is the client going away.
        return await downstream()

    return receive
