"""The consensus summary of each cluster, with the article ids behind every sentence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from service.models.base import Summarizer, SummaryRequest, SummaryResult
from service.models.embeddings import Embedder
from service.pipeline.sentences import _segmenter
from service.pipeline.types import ConsensusPoint, Summary, SummarySentence

PROVENANCE_SIMILARITY = 0.5


def summary_inputs(points: Sequence[ConsensusPoint], contested: set[int]) -> list[ConsensusPoint]:
    """Uncontested points first: a summary of agreement should not pick a side of a disagreement."""
    return [p for k, p in enumerate(points) if k not in contested] + [
        p for k, p in enumerate(points) if k in contested
    ]


def _split(text: str) -> list[str]:
    return [s.sent.strip() for s in _segmenter().segment(text) if s.sent.strip()]


def provenance(
    sentences: Sequence[str], points: Sequence[ConsensusPoint], embedder: Embedder
) -> list[SummarySentence]:
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


def summarize_clusters(
    ordered_points: Sequence[Sequence[ConsensusPoint]],
    summarizer: Summarizer,
    embedder: Embedder,
    max_words: int,
) -> list[tuple[Summary, SummaryResult]]:
    """One batched call for all clusters, then provenance for each summary."""
    requests = [SummaryRequest(tuple(p.text for p in points), max_words) for points in ordered_points]
    wanted = [k for k, r in enumerate(requests) if r.points]
    results = summarizer.summarize([requests[k] for k in wanted])
    by_index = dict(zip(wanted, results, strict=True))
    out: list[tuple[Summary, SummaryResult]] = []
    for k, points in enumerate(ordered_points):
        result = by_index.get(k, SummaryResult("", 0, ("no consensus points to summarize",)))
        used = list(points[: result.points_used])
        if summarizer.mode == "extractive":
            sentences = tuple(
                SummarySentence(p.text, tuple(sorted({s.article_id for s in p.support}))) for p in used
            )
        else:
            sentences = tuple(provenance(_split(result.text), used, embedder))
        summary = Summary(text=result.text, model=summarizer.name, mode=summarizer.mode, sentences=sentences)
        out.append((summary, result))
    return out
