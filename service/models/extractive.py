"""Extractive summaries: the top consensus points themselves, used when no seq2seq model is loaded."""

from __future__ import annotations

from collections.abc import Sequence

from service.models.base import DisagreementPrompt, SummaryRequest, SummaryResult, clip_words


def compose(points: Sequence[str], max_words: int) -> tuple[str, int]:
    """The top points, whole, while they fit in ``max_words``; a first point longer than that is cut."""
    chosen: list[str] = []
    words = 0
    for point in points:
        length = len(point.split())
        if words + length > max_words:
            if not chosen:
                chosen.append(clip_words(point, max_words)[0])
            break
        chosen.append(point)
        words += length
    return " ".join(chosen), len(chosen)


class ExtractiveSummarizer:
    name = "extractive-fallback"
    mode = "extractive"

    def __init__(self, reason: str | None = None) -> None:
        self.reason = reason

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[SummaryResult]:
        results = []
        for request in requests:
            text, used = compose(request.points, request.max_words)
            notes: tuple[str, ...] = ()
            if used == 1 and len(request.points[0].split()) > request.max_words:
                notes = (f"the top point was cut to {request.max_words} words",)
            if used < len(request.points):
                notes += (
                    f"{len(request.points) - used} lower-ranked points left out to stay within "
                    f"{request.max_words} words",
                )
            results.append(SummaryResult(text, used, notes))
        return results

    def headlines(self, summaries: Sequence[str]) -> list[str | None]:
        # No model, no invented headline: the articles' own titles are in the response.
        return [None for _ in summaries]

    def describe_disagreements(self, items: Sequence[DisagreementPrompt]) -> list[str | None]:
        return [None for _ in items]

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "mode": self.mode, "reason": self.reason}
