"""Event grouping: which articles report the same event.

Two paths share one pair score (:func:`_Features.score`):

- up to ``GroupingParams.exact_max_articles`` articles (a request): every pair is scored and clustered
  with average linkage (sklearn), as tuned on the seeds;
- above it (a batch): candidate pairs come only from the ``neighbors`` nearest lead embeddings among
  articles published within ``max_days_apart`` days of each other (undated articles: nearest among all),
  found with chunked matrix products; only candidates are scored, and clusters are merged by a sparse
  average linkage (:func:`_sparse_average_linkage`) in which a cross pair published too far apart counts
  -1 (as in the small path) and a pair never scored counts ``missing_score``, so one bridging article
  cannot chain two events and reports weeks apart stay apart. Nothing is compared all-pairs.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from numpy.typing import NDArray
from sklearn.cluster import AgglomerativeClustering

from service.models.embeddings import Embedder
from service.pipeline.entities import entities
from service.pipeline.events import dominant_event
from service.pipeline.sentences import split_sentences
from service.pipeline.types import CleanArticle, Sentence

LEAD_SENTENCES = 3
CLAIM_MATCH = 0.6


@dataclass(frozen=True)
class GroupingParams:
    similarity: float = 0.55
    entity_weight: float = 0.2
    claim_weight: float = 0.3
    event_kind_penalty: float = 0.2
    max_days_apart: int = 3
    exact_max_articles: int = 300
    """Above this many articles, the candidate-pair path is used instead of all pairs."""
    neighbors: int = 30
    """Nearest leads (by cosine) each article is scored against on the candidate-pair path."""
    missing_score: float = 0.0
    """Score assumed, in the average linkage, for a pair that was never a candidate."""
    chunk_elements: int = 1 << 24
    """Largest similarity block (queries x keys) computed at once on the candidate-pair path."""


def _jaccard(a: set[str], b: set[str]) -> float:
    union = len(a | b)
    return len(a & b) / union if union else 0.0


@dataclass
class _Features:
    """What the pair score needs of each article; sentence vectors are filled on demand."""

    dates: list[date | None]
    sentences: list[list[Sentence]]
    lead_vectors: NDArray[np.float64]
    names: list[set[str]]
    kinds: list[str | None]
    sentence_vectors: dict[int, NDArray[np.float32]] = field(default_factory=dict)

    def encode_sentences(self, indices: Sequence[int], embedder: Embedder) -> None:
        """Embed the sentences of ``indices`` not embedded yet, in one batch."""
        todo = [i for i in indices if i not in self.sentence_vectors]
        texts = [s.text for i in todo for s in self.sentences[i]]
        vectors = embedder.encode(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        start = 0
        for i in todo:
            count = len(self.sentences[i])
            self.sentence_vectors[i] = vectors[start : start + count]
            start += count

    def too_far(self, i: int, j: int, params: GroupingParams) -> bool:
        a, b = self.dates[i], self.dates[j]
        return a is not None and b is not None and abs((a - b).days) > params.max_days_apart

    def partial(self, i: int, j: int, cosine: float, params: GroupingParams) -> float:
        """The score without the claim term (a lower bound of it; adding ``claim_weight`` bounds it above)."""
        lead_weight = 1.0 - params.entity_weight - params.claim_weight
        score = lead_weight * cosine + params.entity_weight * _jaccard(self.names[i], self.names[j])
        if self.kinds[i] and self.kinds[j] and self.kinds[i] != self.kinds[j]:
            score -= params.event_kind_penalty
        return score

    def claims(self, i: int, j: int) -> float:
        """Share of sentences that restate a sentence of the other article (both ways, averaged)."""
        a, b = self.sentence_vectors[i], self.sentence_vectors[j]
        if not len(a) or not len(b):
            return 0.0
        best = a @ b.T
        rows = np.count_nonzero(best.max(axis=1) >= CLAIM_MATCH) / best.shape[0]
        cols = np.count_nonzero(best.max(axis=0) >= CLAIM_MATCH) / best.shape[1]
        return float((rows + cols) / 2)

    def score(self, i: int, j: int, params: GroupingParams) -> float:
        """Similarity of one pair; pairs published too far apart get -1 (never one event)."""
        if self.too_far(i, j, params):
            return -1.0
        cosine = float(self.lead_vectors[i] @ self.lead_vectors[j])
        return self.partial(i, j, cosine, params) + params.claim_weight * self.claims(i, j)


def _features(
    articles: Sequence[CleanArticle], embedder: Embedder, sentences: Sequence[list[Sentence]] | None
) -> _Features:
    split = list(sentences) if sentences is not None else [split_sentences(a) for a in articles]
    leads = [
        f"{a.title or ''}\n" + " ".join(s.text for s in sents[:LEAD_SENTENCES])
        for a, sents in zip(articles, split, strict=True)
    ]
    return _Features(
        dates=[a.published_at for a in articles],
        sentences=split,
        lead_vectors=embedder.encode(leads).astype(np.float64),
        names=[entities(lead) for lead in leads],
        kinds=[dominant_event(lead) for lead in leads],
    )


def pair_scores(
    articles: Sequence[CleanArticle],
    embedder: Embedder,
    params: GroupingParams,
    sentences: Sequence[list[Sentence]] | None = None,
) -> NDArray[np.float64]:
    """Similarity of every pair; pairs published too far apart get -1 (never one event).

    Four signals, because each alone confuses events that share actors and background: the headline
    and lead (what the story is about), shared names, the share of sentences that restate a sentence
    of the other article (specific claims, not topic), and the kind of event the lead names (a phone
    call and a meeting of the same two ministers are two events).
    """
    features = _features(articles, embedder, sentences)
    n = len(articles)
    features.encode_sentences(range(n), embedder)
    scores = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            scores[i, j] = scores[j, i] = features.score(i, j, params)
    return scores


def _top_neighbors(
    vectors: NDArray[np.float32],
    queries: NDArray[np.int64],
    keys: NDArray[np.int64],
    k: int,
    chunk_elements: int,
    days: NDArray[np.int64] | None = None,
    max_days: int = 0,
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Up to ``k`` nearest ``keys`` of each query (itself excluded; if ``days`` is given, only keys at most
    ``max_days`` from the query), as (query, key) index arrays."""
    if not len(queries) or not len(keys):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    step = max(1, chunk_elements // len(keys))
    key_vectors = vectors[keys]
    out_q: list[NDArray[np.int64]] = []
    out_k: list[NDArray[np.int64]] = []
    for s in range(0, len(queries), step):
        q = queries[s : s + step]
        sims = vectors[q] @ key_vectors.T
        sims[q[:, None] == keys[None, :]] = -np.inf
        if days is not None:
            sims[np.abs(days[q][:, None] - days[keys][None, :]) > max_days] = -np.inf
        take = min(k, len(keys))
        if take < len(keys):
            top = np.argpartition(-sims, take - 1, axis=1)[:, :take]
        else:
            top = np.broadcast_to(np.arange(len(keys)), sims.shape)
        ok = np.isfinite(np.take_along_axis(sims, top, axis=1))
        out_q.append(np.broadcast_to(q[:, None], top.shape)[ok])
        out_k.append(keys[top[ok]])
    return np.concatenate(out_q), np.concatenate(out_k)


def candidate_pairs(
    lead_vectors: NDArray[np.float64], dates: Sequence[date | None], params: GroupingParams
) -> NDArray[np.int64]:
    """Pairs (i < j, shape (m, 2)) of nearest leads among articles published close enough to be one event.

    Dated articles are sorted by day and handled in blocks: each block's queries are compared only with the
    articles dated within ``max_days_apart`` of the block, so the work grows with n x (articles in a
    window), not n². An undated article may belong with any, so it is compared with all (bounded to its
    ``neighbors`` nearest) and dated articles find undated ones through those same pairs.
    """
    vectors = lead_vectors.astype(np.float32)
    n = len(dates)
    dated = np.array([i for i in range(n) if dates[i] is not None], dtype=np.int64)
    undated = np.array([i for i in range(n) if dates[i] is None], dtype=np.int64)
    days = np.zeros(n, dtype=np.int64)
    for i in dated.tolist():
        day = dates[i]
        assert day is not None
        days[i] = day.toordinal()
    found_q: list[NDArray[np.int64]] = []
    found_k: list[NDArray[np.int64]] = []
    if len(dated):
        order = dated[np.argsort(days[dated], kind="stable")]
        sorted_days = days[order]
        block = max(1, min(1024, params.chunk_elements // max(1, len(order))))
        start = 0
        while start < len(order):
            stop = min(len(order), start + block)
            lo = int(np.searchsorted(sorted_days, sorted_days[start] - params.max_days_apart, side="left"))
            hi = int(np.searchsorted(sorted_days, sorted_days[stop - 1] + params.max_days_apart, side="right"))
            q, k = _top_neighbors(
                vectors,
                order[start:stop],
                order[lo:hi],
                params.neighbors,
                params.chunk_elements,
                days,
                params.max_days_apart,
            )
            found_q.append(q)
            found_k.append(k)
            start = stop
    if len(undated):
        q, k = _top_neighbors(vectors, undated, np.arange(n, dtype=np.int64), params.neighbors, params.chunk_elements)
        found_q.append(q)
        found_k.append(k)
    if not found_q:
        return np.zeros((0, 2), dtype=np.int64)
    q_all, k_all = np.concatenate(found_q), np.concatenate(found_k)
    codes = np.unique(np.minimum(q_all, k_all) * n + np.maximum(q_all, k_all))
    return np.stack((codes // n, codes % n), axis=1)


class _Cluster:
    __slots__ = ("days", "links", "members", "undated", "version")

    def __init__(self, member: int, day: int | None) -> None:
        self.members = [member]
        self.days: Counter[int] = Counter([day] if day is not None else [])
        self.undated = 0 if day is not None else 1
        self.links: dict[int, list[float]] = {}
        """Other cluster -> [sum of scored cross pairs, how many]."""
        self.version = 0


def _far_pairs(a: _Cluster, b: _Cluster, max_days: int) -> int:
    return sum(ca * cb for da, ca in a.days.items() for db, cb in b.days.items() if abs(da - db) > max_days)


def _sparse_average_linkage(
    n: int,
    pairs: NDArray[np.int64],
    scores: NDArray[np.float64],
    days: Sequence[int | None],
    params: GroupingParams,
) -> list[list[int]]:
    """Average linkage over a sparse set of scored pairs, merging while the best average exceeds the threshold.

    The average between two clusters is over all their cross pairs: scored ones with their score, pairs
    published too far apart with -1 (counted from the clusters' day histograms), the rest with
    ``missing_score``. With every pair scored it is the small path's average linkage.
    """
    clusters = {i: _Cluster(i, days[i]) for i in range(n)}
    for (i, j), s in zip(pairs.tolist(), scores.tolist(), strict=True):
        clusters[i].links[j] = [s, 1.0]
        clusters[j].links[i] = [s, 1.0]

    def average(a: int, b: int) -> float:
        ca, cb = clusters[a], clusters[b]
        total, known = ca.links[b]
        size = len(ca.members) * len(cb.members)
        far = _far_pairs(ca, cb, params.max_days_apart)
        return (total - far + params.missing_score * (size - known - far)) / size

    heap: list[tuple[float, int, int, int, int]] = []

    def push(a: int, b: int) -> None:
        value = average(a, b)
        if value > params.similarity:
            lo, hi = min(a, b), max(a, b)
            heapq.heappush(heap, (-value, lo, hi, clusters[lo].version, clusters[hi].version))

    for i, j in pairs.tolist():
        push(i, j)
    while heap:
        _, a, b, va, vb = heapq.heappop(heap)
        if a not in clusters or b not in clusters or clusters[a].version != va or clusters[b].version != vb:
            continue
        keep, gone = (a, b) if len(clusters[a].links) >= len(clusters[b].links) else (b, a)
        ck, cg = clusters[keep], clusters.pop(gone)
        ck.members.extend(cg.members)
        ck.days.update(cg.days)
        ck.undated += cg.undated
        ck.version += 1
        del ck.links[gone]
        for other, (total, known) in cg.links.items():
            if other == keep:
                continue
            link = ck.links.setdefault(other, [0.0, 0.0])
            link[0] += total
            link[1] += known
            links_of_other = clusters[other].links
            del links_of_other[gone]
            links_of_other[keep] = link
        for other in ck.links:
            push(keep, other)
    return [sorted(c.members) for c in clusters.values()]


def _scalable_clusters(features: _Features, embedder: Embedder, params: GroupingParams) -> list[list[int]]:
    n = len(features.dates)
    pairs = candidate_pairs(features.lead_vectors, features.dates, params)
    left, right = pairs[:, 0], pairs[:, 1]
    cosine = np.empty(len(pairs), dtype=np.float64)
    step = max(1, params.chunk_elements // max(1, features.lead_vectors.shape[1]))
    for s in range(0, len(pairs), step):
        lv, rv = features.lead_vectors[left[s : s + step]], features.lead_vectors[right[s : s + step]]
        cosine[s : s + step] = np.einsum("ij,ij->i", lv, rv)
    partial = np.array(
        [
            features.partial(i, j, c, params)
            for i, j, c in zip(left.tolist(), right.tolist(), cosine.tolist(), strict=True)
        ],
        dtype=np.float64,
    )
    # The claim term is at most claim_weight: a pair that cannot pass even with it needs no sentence vectors.
    hopeful = partial + params.claim_weight > params.similarity
    features.encode_sentences(sorted(set(left[hopeful].tolist()) | set(right[hopeful].tolist())), embedder)
    scores = partial.copy()
    vectors = features.sentence_vectors
    for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
        if i in vectors and j in vectors:
            scores[k] += params.claim_weight * features.claims(i, j)
    days = [d.toordinal() if d is not None else None for d in features.dates]
    return _sparse_average_linkage(n, pairs, scores, days, params)


def event_clusters(
    articles: Sequence[CleanArticle],
    embedder: Embedder,
    params: GroupingParams,
    *,
    scalable: bool | None = None,
    sentences: Sequence[list[Sentence]] | None = None,
) -> list[list[CleanArticle]]:
    """Clusters in order of first appearance; average linkage so one bridging article cannot chain events.

    ``scalable`` forces a path (default: by ``params.exact_max_articles``); ``sentences`` may pass each
    article's :func:`split_sentences` when the caller already has them.
    """
    if len(articles) <= 1:
        return [list(articles)] if articles else []
    use_scalable = len(articles) > params.exact_max_articles if scalable is None else scalable
    if use_scalable:
        features = _features(articles, embedder, sentences)
        groups = _scalable_clusters(features, embedder, params)
        groups.sort(key=lambda g: g[0])
        return [[articles[i] for i in g] for g in groups]
    scores = pair_scores(articles, embedder, params, sentences)
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
