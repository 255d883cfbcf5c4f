"""Typed values passed between pipeline stages.

Every stage is a pure function over these dataclasses, so each can be tested alone and the API layer
only converts them to and from its JSON schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from service.models.base import Condensation


@dataclass(frozen=True)
class ArticleInput:
    """One article as a client submitted it (exactly one of ``text`` or ``html`` is set)."""

    id: str
    text: str | None = None
    html: str | None = None
    source: str | None = None
    title: str | None = None
    url: str | None = None
    published_at: date | None = None


@dataclass(frozen=True)
class Segment:
    """A run of ``length`` characters copied verbatim from ``raw[raw_start:]`` to ``text[clean_start:]``."""

    clean_start: int
    raw_start: int
    length: int


@dataclass(frozen=True)
class CleanedText:
    """Body text with boilerplate removed, plus the map back to the text it was cut from."""

    text: str
    segments: tuple[Segment, ...]
    removed: tuple[str, ...] = ()

    def to_raw(self, start: int, end: int) -> tuple[int, int] | None:
        """Map a span of the cleaned text to the raw text, or None if it crosses a cut."""
        for seg in self.segments:
            if seg.clean_start <= start and end <= seg.clean_start + seg.length:
                offset = seg.raw_start - seg.clean_start
                return start + offset, end + offset
        return None


@dataclass(frozen=True)
class HeaderFields:
    """Metadata read from the top of a raw article file; None where the text does not say."""

    title: str | None
    published_at: date | None
    source: str | None
    url: str | None
    body_start: int
    """Offset in the raw text where the story's body begins (after headline and metadata lines)."""


@dataclass(frozen=True)
class CleanArticle:
    id: str
    source: str | None
    title: str | None
    url: str | None
    published_at: date | None
    text: str
    raw: str
    cleaned: CleanedText

    @property
    def source_label(self) -> str:
        """A name a reader recognises, even when the outlet is unknown."""
        return self.source or f"unknown source ({self.id})"


@dataclass(frozen=True)
class SkippedArticle:
    """An article the analysis could not use, and why; the rest of the batch is analysed without it."""

    article_id: str
    reason: str


@dataclass(frozen=True)
class DuplicateGroup:
    """Copies of one story: ``kept`` is analysed, ``copies`` are counted with it as one source."""

    kept: str
    copies: tuple[str, ...]
    similarity: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Sentence:
    article_id: str
    index: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Support:
    article_id: str
    source: str
    quote: str
    start: int
    end: int


@dataclass(frozen=True)
class ConsensusPoint:
    text: str
    support: tuple[Support, ...]
    independent_sources: int
    score: float
    contested: tuple[str, ...] = ()
    """Aspects of this cluster's disagreements that quote the point's own wording (``support[0]``): the
    sources agree on the gist, not on that detail (e.g. the weekday inside "held a call on Monday")."""


@dataclass(frozen=True)
class Position:
    claim: str
    support: tuple[Support, ...]


@dataclass(frozen=True)
class Disagreement:
    aspect: str
    kind: str
    confidence: float
    positions: tuple[Position, ...]
    description: str | None = None
    """One neutral sentence from the model (optional setting), never used to decide anything."""
    evolving: bool = False
    """A figure that changed between reports of different days (each side's quote carries its article's date):
    the story developed, the sources need not contradict each other."""
    features: tuple[tuple[str, float], ...] = ()
    """What the confidence was computed from (for calibration and debugging; not part of the API)."""


@dataclass(frozen=True)
class RemovedSentence:
    text: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Summary:
    text: str
    model: str
    mode: str
    """``abstractive`` when a seq2seq model wrote it, ``extractive`` when composed from the points."""
    sentences: tuple[SummarySentence, ...] = ()
    headline: str | None = None
    removed: tuple[RemovedSentence, ...] = ()
    """Generated sentences the faithfulness guard removed, with why."""
    notes: tuple[str, ...] = ()
    """What was condensed, cut or replaced on the way, said plainly."""
    condensed: Condensation | None = None
    points_used: int = 0


@dataclass(frozen=True)
class SummarySentence:
    text: str
    article_ids: tuple[str, ...]


@dataclass(frozen=True)
class ClusterReport:
    id: str
    article_ids: tuple[str, ...]
    duplicates: tuple[DuplicateGroup, ...]
    independent_sources: int
    single_source: bool
    summary: Summary
    points: tuple[ConsensusPoint, ...]
    disagreements: tuple[Disagreement, ...]
