"""Limits beyond the request size: total tokens (413) and the request deadline (504), as problem details
with extension members (the token count; the stages completed)."""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from service.api.problems import ProblemError
from service.pipeline.types import ArticleInput
from service.settings import Settings

T = TypeVar("T")


def count_tokens(inputs: Sequence[ArticleInput]) -> int:
    """Whitespace-separated words of every article body as sent (text, or the HTML source): a cheap upper
    bound of the words the pipeline sees."""
    return sum(len((a.text if a.text is not None else a.html or "").split()) for a in inputs)


def check_tokens(inputs: Sequence[ArticleInput], settings: Settings) -> None:
    tokens = count_tokens(inputs)
    if tokens > settings.max_total_tokens:
        raise ProblemError(
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
        raise ProblemError(
            504,
            "Analysis timed out",
            f"the analysis did not finish within {timeout_s:g} s (setting NEWSFUSE_REQUEST_TIMEOUT_S); "
            f"stages completed: {', '.join(done) or 'none'}; it was in stage {current or 'none'!r}. "
            "Submit long analyses to POST /v1/jobs.",
            slug="timeout",
            extensions={"timeout_s": timeout_s, "stages_completed": done, "stage": current},
        ) from None
