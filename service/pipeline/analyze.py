"""The whole pipeline: clean -> dedup -> group -> align -> consensus and disagreements -> summary."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from service.models.base import DisagreementPrompt, Summarizer
from service.models.embeddings import Embedder, MemoEmbedder
from service.nlp.linguist import Linguist, shared_linguist
from service.pipeline.align import align_claims, build_table, independence_keys
from service.pipeline.clean import clean_articles
from service.pipeline.consensus import consensus_points, mark_contested, single_source_points
from service.pipeline.dedup import near_duplicates
from service.pipeline.disagreements import find_disagreements
from service.pipeline.grouping import event_clusters, grouping_params
from service.pipeline.sentences import split_sentences
from service.pipeline.summarize import SummaryOptions, summarize_clusters, summary_inputs
from service.pipeline.types import (
    ArticleInput,
    CleanArticle,
    ClusterReport,
    ConsensusPoint,
    Disagreement,
    DuplicateGroup,
    SkippedArticle,
)
from service.settings import Settings


@dataclass
class Analysis:
    clusters: list[ClusterReport]
    articles: dict[str, CleanArticle]
    timings_ms: dict[str, float] = field(default_factory=dict)
    skipped: list[SkippedArticle] = field(default_factory=list)
    """Articles that could not be used (no story text), in input order; the others were analysed."""


class _Timer:
    def __init__(self) -> None:
        self.ms: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.ms[name] = round(self.ms.get(name, 0.0) + (time.perf_counter() - start) * 1000, 2)


_Staged = tuple[list[CleanArticle], list[ConsensusPoint], list[Disagreement], int]


def _describe(staged: list[_Staged], summarizer: Summarizer) -> list[_Staged]:
    """One model-written neutral sentence per disagreement, batched over all clusters."""
    prompts = [
        DisagreementPrompt(
            aspect=d.aspect,
            positions=tuple(f"{p.claim}: {p.support[0].quote} ({p.support[0].source})" for p in d.positions),
        )
        for _, _, dis, _ in staged
        for d in dis
    ]
    descriptions = iter(summarizer.describe_disagreements(prompts))
    return [
        (members, points, [replace(d, description=next(descriptions)) for d in dis], independent)
        for members, points, dis, independent in staged
    ]


def analyze(
    inputs: Sequence[ArticleInput],
    *,
    embedder: Embedder,
    summarizer: Summarizer,
    settings: Settings,
    linguist: Linguist | None = None,
    group_events: bool = True,
    max_summary_words: int = 120,
    progress: Callable[[str, float], None] | None = None,
) -> Analysis:
    """``progress(stage, fraction)``, when given, is called as each stage starts (fraction of the work done).

    Unusable articles are reported in ``Analysis.skipped``; only a batch with none usable raises
    :class:`~service.pipeline.clean.NoUsableArticlesError`.
    """
    timer = _Timer()
    started = time.perf_counter()
    linguist = linguist or shared_linguist(settings.spacy_model)
    embedder = MemoEmbedder(embedder)
    if progress is not None:
        progress("clean", 0.0)
    with timer.stage("clean"):
        articles, skipped = clean_articles(inputs)
    if progress is not None:
        progress("dedup", 0.05)
    with timer.stage("dedup"):
        dedup = near_duplicates(
            articles,
            threshold=settings.dedup_threshold,
            shingle_words=settings.dedup_shingle_words,
            num_perm=settings.dedup_num_perm,
            batch_chars=settings.dedup_batch_chars,
            workers=settings.dedup_workers,
        )
    copies_of: dict[str, DuplicateGroup] = {g.kept: g for g in dedup.groups}
    if progress is not None:
        progress("sentences", 0.1)
    with timer.stage("sentences"):
        # Split once: grouping compares sentences across articles and alignment needs them again.
        sentences_of = {a.id: split_sentences(a) for a in dedup.kept}
    if progress is not None:
        progress("group", 0.15)
    with timer.stage("group"):
        if group_events:
            clusters = event_clusters(
                dedup.kept,
                embedder,
                linguist,
                grouping_params(settings),
                sentences=[sentences_of[a.id] for a in dedup.kept],
            )
        else:
            clusters = [list(dedup.kept)]
    clusters.sort(key=lambda c: -len(c))

    staged: list[_Staged] = []
    for position, members in enumerate(clusters):
        if progress is not None:
            progress("align", round(0.3 + 0.3 * position / len(clusters), 4))
        with timer.stage("align"):
            sentences = [s for a in members for s in sentences_of[a.id]]
            table = build_table(members, sentences, embedder)
            independent = len(set(independence_keys(members).values()))
            if independent >= 2:
                points = consensus_points(table, align_claims(table, settings.align_similarity), settings.max_points)
            else:
                points = single_source_points(table, settings.max_points)
        with timer.stage("disagreements"):
            disagreements = find_disagreements(
                table,
                topic_threshold=settings.topic_similarity,
                align_threshold=settings.align_similarity,
                min_confidence=settings.disagreement_min_confidence,
            )
        staged.append((members, mark_contested(points, disagreements), disagreements, independent))

    if progress is not None:
        progress("summarize", 0.6)
    with timer.stage("summarize"):
        ordered = [summary_inputs(points) for _, points, _, _ in staged]
        options = SummaryOptions(
            max_words=max_summary_words,
            guard=settings.faithfulness_guard,
            guard_similarity=settings.guard_similarity,
            headlines=settings.headlines,
        )
        summaries = summarize_clusters(ordered, summarizer, embedder, options)
    if settings.describe_disagreements:
        if progress is not None:
            progress("describe_disagreements", 0.9)
        with timer.stage("describe_disagreements"):
            staged = _describe(staged, summarizer)

    analysis = Analysis(clusters=[], articles={a.id: a for a in articles}, skipped=skipped)
    for number, ((members, points, disagreements, independent), summary) in enumerate(
        zip(staged, summaries, strict=True), start=1
    ):
        cluster_id = f"c{number}"
        ids: list[str] = []
        duplicates: list[DuplicateGroup] = []
        for article in members:
            ids.append(article.id)
            if article.id in copies_of:
                duplicates.append(copies_of[article.id])
                ids.extend(copies_of[article.id].copies)
        analysis.clusters.append(
            ClusterReport(
                id=cluster_id,
                article_ids=tuple(ids),
                duplicates=tuple(duplicates),
                independent_sources=independent,
                single_source=independent < 2,
                summary=summary,
                points=tuple(points),
                disagreements=tuple(disagreements),
            )
        )
    timer.ms["total"] = round((time.perf_counter() - started) * 1000, 2)
    analysis.timings_ms = timer.ms
    return analysis
