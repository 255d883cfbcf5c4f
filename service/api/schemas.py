"""Request and response bodies of the REST API (the OpenAPI schema at /docs is generated from these)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from service.pipeline.types import ArticleInput

_CONTROL = {c for c in range(32) if chr(c) not in "\t\n\r\f"}


def looks_binary(body: str) -> bool:
    """More control characters in the first 10,000 characters than text has (binary data, not an article)."""
    head = body[:10_000]
    control = sum(1 for ch in head if ord(ch) in _CONTROL)
    return control > max(3, len(head) // 100)


class ArticleIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    id: str | None = Field(None, min_length=1, max_length=200, description="Echoed back; generated when absent.")
    source: str | None = Field(None, max_length=300, description="Outlet name, e.g. 'Reuters'.")
    title: str | None = Field(None, max_length=1000)
    text: str | None = Field(None, description="Plain article text, boilerplate and all.")
    html: str | None = Field(None, description="Article HTML; the body is extracted. URLs are never fetched.")
    url: str | None = Field(None, max_length=2000)
    published_at: date | None = Field(None, description="Publication date (ISO 8601); a datetime is cut to its date.")

    @model_validator(mode="before")
    @classmethod
    def _datetime_to_date(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("published_at"), str) and "T" in data["published_at"]:
            data = {**data, "published_at": data["published_at"].split("T", 1)[0]}
        return data

    def to_input(self, article_id: str) -> ArticleInput:
        """The pipeline's input for this article, under the id the request or the batch gave it."""
        return ArticleInput(
            id=article_id,
            text=self.text,
            html=self.html,
            source=self.source,
            title=self.title,
            url=self.url,
            published_at=self.published_at,
        )

    @model_validator(mode="after")
    def _one_body(self) -> ArticleIn:
        if (self.text is None) == (self.html is None):
            raise ValueError("give exactly one of 'text' or 'html'")
        body = self.text if self.text is not None else self.html
        if body is not None and not body.strip() and not (self.title and self.title.strip()):
            # A headline-only item (a wire flash, a feed entry without a description) is an article: its
            # title is its text. With neither, there is nothing to analyse.
            raise ValueError("the article body is empty and there is no title")
        return self


class SummariesRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[ArticleIn] = Field(..., min_length=1)
    group_events: bool = Field(True, description="Split the batch into event clusters; false keeps one cluster.")
    max_summary_words: int = Field(120, ge=10, le=1000)


class SupportOut(BaseModel):
    article_id: str
    source: str
    quote: str = Field(description="A verbatim span of the cleaned article text.")
    start: int = Field(description="Character offset of the quote in the cleaned article text.")
    end: int


class PointOut(BaseModel):
    text: str
    support: list[SupportOut]
    independent_sources: int
    score: float
    contested: list[str] = Field(
        default_factory=list,
        description="Aspects of this cluster's disagreements that quote this point's wording (its first "
        "support): the sources agree on the gist of the point, not on these details of its wording.",
    )


class SummarySentenceOut(BaseModel):
    text: str
    article_ids: list[str] = Field(description="Articles whose consensus points this sentence restates.")


class RemovedSentenceOut(BaseModel):
    text: str
    reasons: list[str]


class CondensedOut(BaseModel):
    method: Literal["map-reduce"]
    input_tokens: int
    window_tokens: int
    chunks: int
    rounds: int


class ConsensusOut(BaseModel):
    summary: str
    headline: str | None = Field(description="Written by the model; null in extractive mode.")
    mode: Literal["abstractive", "extractive"]
    single_source: bool = Field(description="Only one independent source: nothing was confirmed by another.")
    points: list[PointOut]
    sentences: list[SummarySentenceOut]
    points_used_for_summary: int
    removed_sentences: list[RemovedSentenceOut] = Field(
        description="Generated sentences the faithfulness guard removed (not backed by the sources), with why."
    )
    condensed: CondensedOut | None = Field(description="Set when the points exceeded the model window.")
    notes: list[str] = Field(description="What the summarizer had to leave out, cut or replace, if anything.")


class PositionOut(BaseModel):
    claim: str
    support: list[SupportOut]


class DisagreementOut(BaseModel):
    aspect: str
    kind: Literal["date", "number", "attribution", "polarity", "reported_claim"] = Field(
        description=(
            "date: one event dated differently; number: one quantity of one thing given different values; "
            "attribution: who said or did it, or whether a party gave its own account, differs; polarity: one "
            "source states it happened or is so, another that it did not or is not; reported_claim: one source "
            "reports a figure as someone's claim, another states a different figure as fact."
        )
    )
    confidence: float = Field(description="Fitted probability that an editor would agree it is a real conflict.")
    evolving: bool = Field(
        False,
        description="A figure that changed between reports of different days (a toll that rose): both shown, dated.",
    )
    positions: list[PositionOut]
    description: str | None = Field(None, description="A model-written sentence (NEWSFUSE_DESCRIBE_DISAGREEMENTS).")


class DuplicateOut(BaseModel):
    kept: str
    copies: list[str]
    similarity: dict[str, float]


class ClusterOut(BaseModel):
    id: str
    article_ids: list[str]
    duplicates: list[DuplicateOut]
    independent_sources: int
    consensus: ConsensusOut
    disagreements: list[DisagreementOut]


class ArticleMetaOut(BaseModel):
    id: str
    source: str | None
    title: str | None
    url: str | None
    published_at: date | None
    chars: int = Field(description="Length of the cleaned text that quotes refer to.")
    removed_boilerplate: list[str]


class SkippedOut(BaseModel):
    article_id: str
    reason: str


class ModelOut(BaseModel):
    model_config = ConfigDict(extra="allow", protected_namespaces=())

    name: str
    mode: Literal["abstractive", "extractive"]
    embedding: str
    device: str | None = Field(None, description="Where the summarizer runs: cpu or cuda:N (null when extractive).")
    dtype: str | None = Field(None, description="The summarizer's precision, e.g. float32, bfloat16, int8.")
    embedding_device: str | None = Field(None, description="Where the sentence embedder runs: cpu or cuda:N.")
    embedding_dtype: str | None = Field(None, description="The embedder's precision (bfloat16: autocast on CPU).")


class SummariesResponse(BaseModel):
    clusters: list[ClusterOut]
    articles: list[ArticleMetaOut]
    skipped: list[SkippedOut] = Field(
        default_factory=list,
        description="Articles that could not be used (e.g. no story text after cleaning); the rest were analysed.",
    )
    model: ModelOut
    timings_ms: dict[str, float]


class ProblemDetails(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, Any]] | None = None
