"""Request ids, one structured access-log line per request, and HTTP metrics (outermost middleware)."""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.api.metrics import Metrics
from service.api.problems import problem_response

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:/+=@-]{1,128}$")
access_log = structlog.get_logger("newsfuse.access")


def request_id_of(scope: Scope) -> str | None:
    value = scope.get("newsfuse.request_id")
    return value if isinstance(value, str) else None


def route_template(scope: Scope) -> str:
    """The matched route's path template (``/v1/jobs/{job_id}``), never the raw path: bounded label values."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "<unmatched>"


class RequestContext:
    """Takes ``X-Request-ID`` from the request (or makes one), binds it to structlog's context for the
    request, echoes it in the response, logs an access line and records the request's metrics."""

    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = next((v.decode("latin-1") for k, v in scope.get("headers") or [] if k.lower() == b"x-request-id"), "")
        request_id = given if _VALID_REQUEST_ID.match(given) else uuid.uuid4().hex
        scope["newsfuse.request_id"] = request_id
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, send_with_id)
            except Exception:
                if not response_started:  # the error handler outside would answer without our header
                    response = problem_response(
                        500,
                        "Internal error",
                        "the server failed to process this request",
                        slug="internal-error",
                        instance=scope.get("path"),
                    )
                    await response(scope, receive, send_with_id)
                status = 500
                raise
            finally:
                seconds = time.perf_counter() - started
                route = route_template(scope)
                self.metrics.observe_request(scope.get("method", ""), route, status, seconds)
                client = scope.get("client")
                access_log.info(
                    "request",
                    method=scope.get("method"),
                    path=scope.get("path"),
                    route=route,
                    status=status,
                    duration_ms=round(seconds * 1000, 2),
                    client=client[0] if client else None,
                )
