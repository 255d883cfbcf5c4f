"""Limits beyond the request size: total tokens (413) and the request deadline (504), as problem details."""

from __future__ import annotations

import asyncio
import contextvars
import json
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from service.api.problems import PROBLEM_JSON, ProblemError, problem_response
from service.pipeline.types import ArticleInput
from service.settings import Settings

T = TypeVar("T")


class ExtendedProblemError(ProblemError):
    """A ProblemError with RFC 9457 extension members (e.g. the token count, the stages completed)."""

    def __init__(self, *args: Any, extensions: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extensions = extensions


def install_extended_problem_handler(app: FastAPI) -> None:
    @app.exception_handler(ExtendedProblemError)
    async def _extended(request: Request, exc: ExtendedProblemError) -> JSONResponse:
        body = problem_body(exc, instance=request.url.path)
        return JSONResponse(body, status_code=exc.status, media_type=PROBLEM_JSON, headers=exc.headers)


def problem_body(exc: ProblemError, *, instance: str | None = None) -> dict[str, Any]:
    """The JSON of ``problem_response`` for ``exc``, extension members included."""
    response = problem_response(
        exc.status, exc.title, exc.detail, slug=exc.slug, instance=instance, errors=exc.errors, headers=exc.headers
    )
    body: dict[str, Any] = json.loads(bytes(response.body))
    if isinstance(exc, ExtendedProblemError):
        body.update({k: v for k, v in exc.extensions.items() if k not in body})
    return body


def count_tokens(inputs: Sequence[ArticleInput]) -> int:
    """Whitespace-separated words of every article body as sent (text, or the HTML source): a cheap upper
    bound of the words the pipeline sees."""
    return sum(len((a.text if a.text is not None else a.html or "").split()) for a in inputs)


def check_tokens(inputs: Sequence[ArticleInput], settings: Settings) -> None:
    tokens = count_tokens(inputs)
    if tokens > settings.max_total_tokens:
        raise ExtendedProblemError(
            413,
            "Too many tokens",
            f"the articles hold {tokens} tokens (whitespace-separated words) in all; at most "
            f"{settings.max_total_tokens} are accepted per request (setting NEWSFUSE_MAX_TOTAL_TOKENS)",
            slug="too-many-tokens",
            errors=[{"pointer": "/articles", "detail": f"{tokens} tokens; the limit is {settings.max_total_tokens}"}],
            extensions={"tokens": tokens, "max_tokens": settings.max_total_tokens},
        )


class AnalysisCancelledError(Exception):
    """Raised inside the analysis (at its next stage start) once its caller stopped waiting."""


class StageTracker:
    """A ``progress`` callback for ``analyze`` that remembers the stages reached and can stop the analysis."""

    def __init__(self, forward: Callable[[str, float], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._stages: list[str] = []
        self._forward = forward
        self.cancelled = threading.Event()

    def __call__(self, stage: str, fraction: float) -> None:
        if self.cancelled.is_set():
            raise AnalysisCancelledError(stage)
        with self._lock:
            if not self._stages or self._stages[-1] != stage:
                self._stages.append(stage)
        if self._forward is not None:
            self._forward(stage, fraction)

    def snapshot(self) -> tuple[list[str], str | None]:
        """(stages completed, stage under way)."""
        with self._lock:
            if not self._stages:
                return [], None
            return list(self._stages[:-1]), self._stages[-1]


async def run_with_deadline(work: Callable[[StageTracker], T], *, timeout_s: float) -> T:
    """Run ``work(tracker)`` in a worker thread (with this request's context: its log fields) and wait at
    most ``timeout_s``; past it, answer 504 with the stages done and stop the work at its next stage."""
    tracker = StageTracker()
    context = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(None, context.run, work, tracker)
    try:
        return await asyncio.wait_for(future, timeout_s)
    except TimeoutError:
        tracker.cancelled.set()
        done, current = tracker.snapshot()
        raise ExtendedProblemError(
            504,
            "Analysis timed out",
            f"the analysis did not finish within {timeout_s:g} s (setting NEWSFUSE_REQUEST_TIMEOUT_S); "
            f"stages completed: {', '.join(done) or 'none'}; it was in stage {current or 'none'!r}. "
            "Submit long analyses to POST /v1/jobs.",
            slug="timeout",
            extensions={"timeout_s": timeout_s, "stages_completed": done, "stage": current},
        ) from None
