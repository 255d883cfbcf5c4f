"""The consensus summary of each cluster: generation, faithfulness guard, headline and provenance."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from service.models.base import Summarizer, SummaryRequest, SummaryResult
from service.models.embeddings import Embedder
from service.models.extractive import compose
from service.pipeline.faithfulness import unsupported
from service.pipeline.sentences import split_text
from service.pipeline.types import ConsensusPoint, RemovedSentence, Summary, SummarySentence

PROVENANCE_SIMILARITY = 0.5


@dataclass(frozen=True)
class SummaryOptions:
    max_words: int
    guard: bool = True
    guard_similarity: float = 0.5
    headlines: bool = True


def summary_inputs(points: Sequence[ConsensusPoint]) -> list[ConsensusPoint]:
    """Uncontested points first: a summary of agreement should not pick a side of a disagreement."""
    return [p for p in points if not p.contested] + [p for p in points if p.contested]


def provenance(sentences: Sequence[str], points: Sequence[ConsensusPoint], embedder: Embedder) -> list[SummarySentence]:
    """Each summary sentence is credited to the articles of the points it restates.

    A sentence close to no point keeps an empty list: that is a visible sign it is not backed by a source.
    """
    if not sentences:
        return []
    if not points:
        return [SummarySentence(s, ()) for s in sentences]
    sim = embedder.encode(list(sentences)) @ embedder.encode([p.text for p in points]).T
    result = []
    for row, sentence in zip(sim, sentences, strict=True):
        matched = [k for k in np.argsort(-row) if row[k] >= PROVENANCE_SIMILARITY][:2]
        ids = sorted({s.article_id for k in matched for s in points[int(k)].support})
        result.append(SummarySentence(sentence, tuple(ids)))
    return result


def _extractive(points: Sequence[ConsensusPoint], max_words: int) -> tuple[str, tuple[SummarySentence, ...], int]:
    text, used = compose([p.text for p in points], max_words)
    sentences = tuple(SummarySentence(p.text, tuple(sorted({s.article_id for s in p.support}))) for p in points[:used])
    return text, sentences, used


def _finish(
    points: Sequence[ConsensusPoint],
    result: SummaryResult,
    summarizer: Summarizer,
    embedder: Embedder,
    options: SummaryOptions,
) -> Summary:
    notes = list(result.notes)
    if summarizer.mode == "extractive":
        text, sentences, used = _extractive(points, options.max_words)
        return Summary(text, summarizer.name, "extractive", sentences, notes=tuple(notes), points_used=used)

    generated = split_text(result.text)
    removed: list[RemovedSentence] = []
    kept = generated
    if options.guard:
        verdicts = unsupported(generated, points, embedder, options.guard_similarity)
        kept = [s for s, reasons in verdicts if not reasons]
        removed = [RemovedSentence(s, reasons) for s, reasons in verdicts if reasons]
    if not kept:
        # Nothing the model wrote is backed by the sources: say so and show the points themselves.
        text, sentences, used = _extractive(points, options.max_words)
        notes.append(
            f"the model's output ({len(generated)} sentence(s)) failed the faithfulness check; the summary is "
            "composed from the top consensus points instead"
        )
        return Summary(
            text,
            summarizer.name,
            "extractive",
            sentences,
            removed=tuple(removed),
            notes=tuple(notes),
            condensed=result.condensed,
            points_used=used,
        )
    if removed:
        notes.append(f"{len(removed)} of {len(generated)} generated sentence(s) removed by the faithfulness check")
    return Summary(
        " ".join(kept),
        summarizer.name,
        "abstractive",
        tuple(provenance(kept, points, embedder)),
        removed=tuple(removed),
        notes=tuple(notes),
        condensed=result.condensed,
        points_used=result.points_used,
    )


def summarize_clusters(
    ordered_points: Sequence[Sequence[ConsensusPoint]],
    summarizer: Summarizer,
    embedder: Embedder,
    options: SummaryOptions,
) -> list[Summary]:
    """One batched generation for all clusters, then guard, provenance and headlines for each."""
    requests = [SummaryRequest(tuple(p.text for p in points), options.max_words) for points in ordered_points]
    wanted = [k for k, r in enumerate(requests) if r.points]
    results = dict(zip(wanted, summarizer.summarize([requests[k] for k in wanted]), strict=True))
    summaries = []
    for k, points in enumerate(ordered_points):
        if k not in results:
            summaries.append(Summary("", summarizer.name, summarizer.mode, notes=("no consensus points to summarize",)))
            continue
        summaries.append(_finish(points, results[k], summarizer, embedder, options))
    if options.headlines:
        abstractive = [k for k, s in enumerate(summaries) if s.mode == "abstractive"]
        heads = summarizer.headlines([summaries[k].text for k in abstractive])
        for k, head in zip(abstractive, heads, strict=True):
            summaries[k] = _with_headline(summaries[k], head)
    return summaries


def _with_headline(summary: Summary, headline: str | None) -> Summary:
    return replace(summary, headline=headline)
