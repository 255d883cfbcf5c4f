"""Extractive summaries: the top consensus points themselves, used when no seq2seq model is loaded."""

from __future__ import annotations

from collections.abc import Sequence

from service.models.base import SummaryRequest, SummaryResult


class ExtractiveSummarizer:
    name = "extractive-fallback"
    mode = "extractive"

    def __init__(self, reason: str | None = None) -> None:
        self.reason = reason

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[SummaryResult]:
        results = []
        for request in requests:
            chosen: list[str] = []
            words = 0
            for point in request.points:
                length = len(point.split())
                if chosen and words + length > request.max_words:
                    break
                chosen.append(point)
                words += length
            notes: tuple[str, ...] = ()
            if len(chosen) < len(request.points):
                notes = (
                    f"{len(request.points) - len(chosen)} lower-ranked points left out to stay within "
                    f"{request.max_words} words",
                )
            results.append(SummaryResult(" ".join(chosen), len(chosen), notes))
        return results

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "mode": self.mode, "reason": self.reason}
