"""Between the pipeline's dataclasses and the API's JSON (shared by the routes and the CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict

from service.api.schemas import (
    ArticleIn,
    ArticleMetaOut,
    ClusterOut,
    CondensedOut,
    ConsensusOut,
    DisagreementOut,
    DuplicateOut,
    ModelOut,
    PointOut,
    PositionOut,
    RemovedSentenceOut,
    SkippedOut,
    SummariesResponse,
    SummarySentenceOut,
    SupportOut,
)
from service.engine import Engine
from service.models.embeddings import describe_embedder
from service.pipeline.analyze import Analysis
from service.pipeline.types import ArticleInput, CleanArticle, ClusterReport, Support


def to_inputs(articles: Sequence[ArticleIn]) -> list[ArticleInput]:
    """Client ids are kept; missing ones get ``article-N`` (N = position, skipping ids already taken)."""
    taken = {a.id for a in articles if a.id}
    inputs: list[ArticleInput] = []
    for index, article in enumerate(articles, start=1):
        article_id = article.id
        if article_id is None:
            article_id = f"article-{index}"
            while article_id in taken:
                article_id += "-x"
            taken.add(article_id)
        inputs.append(article.to_input(article_id))
    return inputs


def _support(items: Sequence[Support]) -> list[SupportOut]:
    return [
        SupportOut(article_id=s.article_id, source=s.source, quote=s.quote, start=s.start, end=s.end) for s in items
    ]


def model_out(engine: Engine) -> ModelOut:
    """The summarizer's description plus the embedder's name, device and precision."""
    embedder = describe_embedder(engine.embedder)
    return ModelOut(
        embedding=engine.embedder.name,
        embedding_device=_str_or_none(embedder.get("device")),
        embedding_dtype=_str_or_none(embedder.get("dtype")),
        **engine.summarizer.describe(),
    )


def _str_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def to_cluster_out(c: ClusterReport) -> ClusterOut:
    """One cluster of the response (also one story line of the batch command)."""
    consensus = ConsensusOut(
        summary=c.summary.text,
        mode=c.summary.mode,
        single_source=c.single_source,
        points=[
            PointOut(
                text=p.text,
                support=_support(p.support),
                independent_sources=p.independent_sources,
                score=p.score,
                contested=list(p.contested),
            )
            for p in c.points
        ],
        sentences=[SummarySentenceOut(text=s.text, article_ids=list(s.article_ids)) for s in c.summary.sentences],
        headline=c.summary.headline,
        points_used_for_summary=c.summary.points_used,
        removed_sentences=[RemovedSentenceOut(text=r.text, reasons=list(r.reasons)) for r in c.summary.removed],
        condensed=CondensedOut(**asdict(c.summary.condensed)) if c.summary.condensed else None,
        notes=list(c.summary.notes),
    )
    return ClusterOut(
        id=c.id,
        article_ids=list(c.article_ids),
        duplicates=[DuplicateOut(kept=d.kept, copies=list(d.copies), similarity=d.similarity) for d in c.duplicates],
        independent_sources=c.independent_sources,
        consensus=consensus,
        disagreements=[
            DisagreementOut(
                aspect=d.aspect,
                kind=d.kind,
                confidence=d.confidence,
                evolving=d.evolving,
                positions=[PositionOut(claim=p.claim, support=_support(p.support)) for p in d.positions],
                description=d.description,
            )
            for d in c.disagreements
        ],
    )


def to_article_meta(a: CleanArticle) -> ArticleMetaOut:
    return ArticleMetaOut(
        id=a.id,
        source=a.source,
        title=a.title,
        url=a.url,
        published_at=a.published_at,
        chars=len(a.text),
        removed_boilerplate=list(a.cleaned.removed),
    )


def to_response(analysis: Analysis, engine: Engine) -> SummariesResponse:
    return SummariesResponse(
        clusters=[to_cluster_out(c) for c in analysis.clusters],
        articles=[to_article_meta(a) for a in analysis.articles.values()],
        skipped=[SkippedOut(article_id=s.article_id, reason=s.reason) for s in analysis.skipped],
        model=model_out(engine),
        timings_ms=analysis.timings_ms,
    )
