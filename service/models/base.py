"""What every summarizer backend takes and returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class SummaryRequest:
    points: tuple[str, ...]
    """Consensus points, best first."""
    max_words: int


@dataclass(frozen=True)
class Condensation:
    """How a cluster too long for the model window was condensed (map-reduce), said in the response."""

    method: str
    input_tokens: int
    window_tokens: int
    chunks: int
    rounds: int


@dataclass(frozen=True)
class SummaryResult:
    text: str
    points_used: int
    """How many of the request's points (from the top) went into the summary."""
    notes: tuple[str, ...] = ()
    condensed: Condensation | None = None


@dataclass(frozen=True)
class DisagreementPrompt:
    aspect: str
    positions: tuple[str, ...]
    """Each side as "claim: quote (source)"."""


class Summarizer(Protocol):
    name: str
    mode: str
    """``abstractive`` (a model wrote it) or ``extractive`` (composed from the points themselves)."""

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[SummaryResult]: ...

    def headlines(self, summaries: Sequence[str]) -> list[str | None]: ...

    def describe_disagreements(self, items: Sequence[DisagreementPrompt]) -> list[str | None]: ...

    def describe(self) -> dict[str, object]: ...


def clip_words(text: str, max_words: int) -> tuple[str, bool]:
    """Cut at the last sentence end within ``max_words`` (or at the word limit if none); say if cut."""
    words = text.split()
    if len(words) <= max_words:
        return text.strip(), False
    head = " ".join(words[:max_words])
    end = max(head.rfind(". "), head.rfind("? "), head.rfind("! "))
    if head.endswith((".", "?", "!")):
        end = len(head) - 1
    return (head[: end + 1] if end > 0 else head + "…"), True
