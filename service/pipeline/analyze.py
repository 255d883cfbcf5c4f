"""The whole pipeline: clean -> dedup -> group -> align -> consensus and disagreements -> summary.

Each step is a function an engine can call on its own (the in-process :func:`analyze` below, or a batch
engine that runs stories in parallel): :func:`prepare` (clean, dedup, sentences), :func:`group`,
:func:`analyze_story` (one story's consensus points and disagreements), :func:`summarize_stories` and
:func:`assemble`.
"""

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
from service.pipeline.grouping import ArticleSignals, event_clusters, grouping_params
from service.pipeline.selection import select
from service.pipeline.sentences import split_sentences
from service.pipeline.summarize import SummaryOptions, summarize_clusters, summary_inputs
from service.pipeline.types import (
    ArticleInput,
    CleanArticle,
    ClusterReport,
    ConsensusPoint,
    Disagreement,
    DuplicateGroup,
    Sentence,
    SkippedArticle,
    Summary,
)
from service.settings import Settings


@dataclass
class Analysis:
    clusters: list[ClusterReport]
    articles: dict[str, CleanArticle]
    timings_ms: dict[str, float] = field(default_factory=dict)
    skipped: list[SkippedArticle] = field(default_factory=list)
    """Articles that could not be used (no story text), in input order; the others were analysed."""


@dataclass(frozen=True)
class Prepared:
    """A batch cleaned, deduplicated and split into sentences: what grouping and stories start from."""

    articles: list[CleanArticle]
    """Every usable article, copies included, in input order."""
    kept: list[CleanArticle]
    """One article per group of syndicated copies: the reports that are grouped and analysed."""
    copies_of: dict[str, DuplicateGroup]
    sentences_of: dict[str, list[Sentence]]
    skipped: list[SkippedArticle]


@dataclass(frozen=True)
class StoryAnalysis:
    """One story's consensus points and disagreements, before its summary is written."""

    members: list[CleanArticle]
    points: list[ConsensusPoint]
    disagreements: list[Disagreement]
    independent_sources: int
    summary_points: list[ConsensusPoint] = field(default_factory=list)
    """What the summary states, most important first (service/pipeline/selection.py), within the word budget."""


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


def prepare(
    inputs: Sequence[ArticleInput],
    settings: Settings,
    timer: _Timer | None = None,
    progress: Callable[[str, float], None] | None = None,
    linguist: Linguist | None = None,
) -> Prepared:
    """Clean (unusable articles skipped), remove near-duplicates, split the kept reports into sentences.

    ``progress(stage, fraction)`` is called as each of the three starts (``clean``, ``dedup``, ``sentences``).
    With ``linguist``, the splitting is spread over its worker processes (pysbd runs on one core).
    """
    timer = timer or _Timer()
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
    if progress is not None:
        progress("sentences", 0.1)
    with timer.stage("sentences"):
        # Split once: grouping reads the leads and alignment needs every sentence again.
        split = linguist.map(split_sentences, dedup.kept) if linguist is not None else map(split_sentences, dedup.kept)
        sentences_of = {a.id: sentences for a, sentences in zip(dedup.kept, split, strict=True)}
    return Prepared(
        articles=articles,
        kept=list(dedup.kept),
        copies_of={g.kept: g for g in dedup.groups},
        sentences_of=sentences_of,
        skipped=skipped,
    )


def group(
    prepared: Prepared,
    embedder: Embedder,
    linguist: Linguist,
    settings: Settings,
    *,
    group_events: bool = True,
    signals: ArticleSignals | None = None,
) -> list[list[CleanArticle]]:
    """The kept reports in event clusters (or all in one), largest first.

    ``signals`` may pass the kept reports' grouping signals already computed (a batch engine computes them
    chunk by chunk); without them they are computed here.
    """
    if group_events:
        clusters = event_clusters(
            prepared.kept,
            embedder,
            linguist,
            grouping_params(settings),
            sentences=[prepared.sentences_of[a.id] for a in prepared.kept],
            signals=signals,
        )
    else:
        clusters = [list(prepared.kept)]
    return sorted(clusters, key=lambda c: -len(c))


def analyze_story(
    members: Sequence[CleanArticle],
    sentences_of: dict[str, list[Sentence]],
    embedder: Embedder,
    linguist: Linguist,
    settings: Settings,
    timer: _Timer | None = None,
    max_summary_words: int = 120,
) -> StoryAnalysis:
    """Align one story's claims: consensus points (2+ independent sources), disagreements, and the sentences
    its summary will state."""
    timer = timer or _Timer()
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
            linguist,
            topic_threshold=settings.topic_similarity,
            min_confidence=settings.disagreement_min_confidence,
        )
    with timer.stage("select"):
        chosen = mark_contested(select(table, embedder, max_summary_words), disagreements)
    return StoryAnalysis(
        list(members),
        mark_contested(points, disagreements),
        disagreements,
        independent,
        summary_points=summary_inputs(chosen),
    )


def analyze_stories(
    clusters: Sequence[Sequence[CleanArticle]],
    sentences_of: dict[str, list[Sentence]],
    embedder: MemoEmbedder,
    linguist: Linguist,
    settings: Settings,
    timer: _Timer | None = None,
    max_summary_words: int = 120,
    done: Callable[[int], None] | None = None,
) -> list[StoryAnalysis]:
    """``analyze_story`` for every cluster, in order; ``done(count)`` after each. One function for the
    in-process path and the batch engines' story chunks.

    Stories are analysed one at a time: analysing two side by side in threads (one's spaCy parse during another's
    embeddings) made the ECB+ dev analysis slower on 2 cores (74.1 s against 71.7 s), since MiniLM already
    uses both cores.
    """
    timer = timer or _Timer()
    with timer.stage("align"):
        # Every story's sentences in one call first (``embedder`` remembers them; the stories reuse the
        # vectors): the embedder sorts a call's texts by length, so one large call pads far less than a call
        # per story (the 6,595 sentences of the ECB+ dev set: 18.3 s against 27.9 s on 2 cores).
        embedder.encode([s.text for members in clusters for a in members for s in sentences_of[a.id]])
        # And every headline in one more (summary selection compares sentences with them), not a small call a story.
        embedder.encode([a.title for members in clusters for a in members if a.title])
    stories = []
    for members in clusters:
        stories.append(analyze_story(members, sentences_of, embedder, linguist, settings, timer, max_summary_words))
        if done is not None:
            done(len(stories))
    return stories


def summarize_stories(
    stories: Sequence[StoryAnalysis],
    summarizer: Summarizer,
    embedder: Embedder,
    settings: Settings,
    max_summary_words: int,
) -> list[Summary]:
    """Every story's summary, generated in one batch across stories."""
    options = SummaryOptions(
        max_words=max_summary_words,
        guard=settings.faithfulness_guard,
        guard_similarity=settings.guard_similarity,
        headlines=settings.headlines,
    )
    return summarize_clusters([s.summary_points for s in stories], summarizer, embedder, options)


def describe_disagreements(stories: Sequence[StoryAnalysis], summarizer: Summarizer) -> list[StoryAnalysis]:
    """One model-written neutral sentence per disagreement, batched over all stories."""
    prompts = [
        DisagreementPrompt(
            aspect=d.aspect,
            positions=tuple(f"{p.claim}: {p.support[0].quote} ({p.support[0].source})" for p in d.positions),
        )
        for story in stories
        for d in story.disagreements
    ]
    descriptions = iter(summarizer.describe_disagreements(prompts))
    return [
        replace(story, disagreements=[replace(d, description=next(descriptions)) for d in story.disagreements])
        for story in stories
    ]


def assemble(
    stories: Sequence[StoryAnalysis],
    summaries: Sequence[Summary],
    copies_of: dict[str, DuplicateGroup],
    first_number: int = 1,
) -> list[ClusterReport]:
    """Cluster reports numbered ``c<first_number>``, ..., each with its duplicate copies listed and counted."""
    reports = []
    for number, (story, summary) in enumerate(zip(stories, summaries, strict=True), start=first_number):
        ids: list[str] = []
        duplicates: list[DuplicateGroup] = []
        for article in story.members:
            ids.append(article.id)
            if article.id in copies_of:
                duplicates.append(copies_of[article.id])
                ids.extend(copies_of[article.id].copies)
        reports.append(
            ClusterReport(
                id=f"c{number}",
                article_ids=tuple(ids),
                duplicates=tuple(duplicates),
                independent_sources=story.independent_sources,
                single_source=story.independent_sources < 2,
                summary=summary,
                points=tuple(story.points),
                disagreements=tuple(story.disagreements),
            )
        )
    return reports


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
    linguist = linguist or shared_linguist(settings.spacy_model, settings.parse_processes)
    embedder = MemoEmbedder(embedder)
    prepared = prepare(inputs, settings, timer, progress, linguist)
    if progress is not None:
        progress("group", 0.15)
    with timer.stage("group"):
        clusters = group(prepared, embedder, linguist, settings, group_events=group_events)

    def done(count: int) -> None:
        if progress is not None:
            progress("align", round(0.3 + 0.3 * count / len(clusters), 4))

    if progress is not None:
        progress("align", 0.3)
    stories = analyze_stories(
        clusters, prepared.sentences_of, embedder, linguist, settings, timer, max_summary_words, done
    )

    if progress is not None:
        progress("summarize", 0.6)
    with timer.stage("summarize"):
        summaries = summarize_stories(stories, summarizer, embedder, settings, max_summary_words)
    if settings.describe_disagreements:
        if progress is not None:
            progress("describe_disagreements", 0.9)
        with timer.stage("describe_disagreements"):
            stories = describe_disagreements(stories, summarizer)

    analysis = Analysis(
        clusters=assemble(stories, summaries, prepared.copies_of),
        articles={a.id: a for a in prepared.articles},
        skipped=prepared.skipped,
    )
    timer.ms["total"] = round((time.perf_counter() - started) * 1000, 2)
    analysis.timings_ms = timer.ms
    return analysis
