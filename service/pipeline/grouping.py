"""Event grouping: which articles report the same event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.cluster import AgglomerativeClustering

from service.models.embeddings import Embedder
from service.pipeline.entities import entities
from service.pipeline.events import dominant_event
from service.pipeline.sentences import split_sentences
from service.pipeline.types import CleanArticle

LEAD_SENTENCES = 3
CLAIM_MATCH = 0.6


@dataclass(frozen=True)
class GroupingParams:
    similarity: float = 0.55
    entity_weight: float = 0.2
    claim_weight: float = 0.3
    event_kind_penalty: float = 0.2
    max_days_apart: int = 3


def _jaccard(a: set[str], b: set[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def pair_scores(articles: Sequence[CleanArticle], embedder: Embedder, params: GroupingParams) -> NDArray[np.float64]:
    """Similarity of every pair; pairs published too far apart get -1 (never one event).

    Four signals, because each alone confuses events that share actors and background: the headline
    and lead (what the story is about), shared names, the share of sentences that restate a sentence
    of the other article (specific claims, not topic), and the kind of event the lead names (a phone
    call and a meeting of the same two ministers are two events).
    """
    sentences = [split_sentences(a) for a in articles]
    leads = [
        f"{a.title or ''}\n" + " ".join(s.text for s in sents[:LEAD_SENTENCES])
        for a, sents in zip(articles, sentences, strict=True)
    ]
    lead_vectors = embedder.encode(leads).astype(np.float64)
    cosine = lead_vectors @ lead_vectors.T
    sentence_vectors = [embedder.encode([s.text for s in sents]) for sents in sentences]
    names = [entities(lead) for lead in leads]
    kinds = [dominant_event(lead) for lead in leads]

    n = len(articles)
    scores = np.ones((n, n))
    lead_weight = 1.0 - params.entity_weight - params.claim_weight
    for i in range(n):
        for j in range(i + 1, n):
            a, b = articles[i], articles[j]
            if (
                a.published_at
                and b.published_at
                and abs((a.published_at - b.published_at).days) > params.max_days_apart
            ):
                scores[i, j] = scores[j, i] = -1.0
                continue
            claims = 0.0
            if len(sentence_vectors[i]) and len(sentence_vectors[j]):
                best = sentence_vectors[i] @ sentence_vectors[j].T
                claims = float(
                    ((best.max(axis=1) >= CLAIM_MATCH).mean() + (best.max(axis=0) >= CLAIM_MATCH).mean()) / 2
                )
            score = (
                lead_weight * cosine[i, j]
                + params.entity_weight * _jaccard(names[i], names[j])
                + params.claim_weight * claims
            )
            if kinds[i] and kinds[j] and kinds[i] != kinds[j]:
                score -= params.event_kind_penalty
            scores[i, j] = scores[j, i] = score
    return scores


def event_clusters(
    articles: Sequence[CleanArticle], embedder: Embedder, params: GroupingParams
) -> list[list[CleanArticle]]:
    """Clusters in order of first appearance; average linkage so one bridging article cannot chain events."""
    if len(articles) <= 1:
        return [list(articles)] if articles else []
    scores = pair_scores(articles, embedder, params)
    distance = np.clip(1.0 - scores, 0.0, 2.0)
    labels = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=1.0 - params.similarity,
    ).fit_predict(distance)
    clusters: dict[int, list[CleanArticle]] = {}
    for label, article in zip(labels, articles, strict=True):
        clusters.setdefault(int(label), []).append(article)
    return list(clusters.values())
