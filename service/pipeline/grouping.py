"""Event grouping: which articles report the same event.

Each pair of articles gets a probability of reporting one event from a logistic model over signals that
carry across outlets (see :class:`GroupingModel`; weights fitted on real news by ``benchmarks/fit_grouping.py``
and kept in ``service/data/grouping_model.json``):

- ``lead``: cosine of the headline-and-lead embeddings (all-MiniLM-L6-v2): what the story is about;
- ``words`` and ``lead_words``: cosine of content words of the whole text and of the lead, each word weighted
  by its rarity in English (:mod:`service.nlp.lexicon`): specific vocabulary shared beyond the topic;
- ``names``: cosine of the named entities spaCy finds in the lead, weighted by rarity: who and where;
- ``numbers`` and ``both_numbers``: figures written in both texts (a magnitude, a score, a sum) separate two
  events of one kind better than words do;
- ``log_days`` and ``undated``: days between the articles' dates (from the client, the page or a stamp line
  in the text), or the fact that one is unknown.

Articles are then clustered with average linkage on ``1 - probability`` and cut at ``threshold``: two
groups join only when their pairs agree on average, so one bridging article cannot chain two events.

Two paths share the model:

- up to ``GroupingParams.exact_max_articles`` articles (a request, a dev set): every pair is scored from
  similarity matrices, and sklearn's average linkage clusters them;
- above it (a batch): candidate pairs come only from the ``neighbors`` nearest lead embeddings among
  articles published within ``max_days_apart`` days of each other (undated articles: nearest among all),
  found with chunked matrix products; only candidates are scored, and a sparse average linkage
  (:func:`_sparse_average_linkage`) counts a pair never scored as probability 0. Nothing is compared
  all-pairs.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering

from service.models.embeddings import Embedder
from service.nlp.lexicon import content_words, name_rarity, numbers, word_weight
from service.nlp.linguist import Linguist
from service.nlp.names import name_bag
from service.nlp.vectors import bag_matrix, row_cosines
from service.pipeline.sentences import split_sentences
from service.pipeline.types import CleanArticle, Sentence
from service.settings import Settings

LEAD_SENTENCES = 3
DEFAULT_MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "grouping_model.json"

FEATURES = ("lead", "words", "lead_words", "names", "numbers", "both_numbers", "log_days", "undated")


@dataclass(frozen=True)
class GroupingModel:
    """Logistic model of "these two articles report one event": ``sigmoid(intercept + sum(w_f * f))``.

    Only pairs whose leads are at least ``min_lead`` alike are candidates: the model is fitted on those (the
    pairs that are hard to tell apart, not the millions of unrelated ones) and any other pair counts 0.
    """

    weights: Mapping[str, float]
    intercept: float
    threshold: float
    """Average-linkage cut: groups merge while their average pair probability is above it."""
    min_lead: float

    def probability(self, features: Mapping[str, NDArray[np.float64]]) -> NDArray[np.float64]:
        logit = np.full_like(features[FEATURES[0]], self.intercept, dtype=np.float64)
        for name, weight in self.weights.items():
            logit += weight * features[name]
        return np.where(features["lead"] >= self.min_lead, 1.0 / (1.0 + np.exp(-logit)), 0.0)

    @classmethod
    def load(cls, path: Path) -> GroupingModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            weights={name: float(data["weights"][name]) for name in FEATURES},
            intercept=float(data["intercept"]),
            threshold=float(data["threshold"]),
            min_lead=float(data["min_lead"]),
        )


@lru_cache(maxsize=8)
def load_grouping_model(path: Path = DEFAULT_MODEL_FILE) -> GroupingModel:
    return GroupingModel.load(path)


@dataclass(frozen=True)
class GroupingParams:
    model: GroupingModel
    threshold: float | None = None
    """Overrides the model's threshold (higher: fewer, purer merges)."""
    max_days_apart: int = 7
    """Batch path: articles published further apart than this are never compared."""
    exact_max_articles: int = 2000
    """Above this many articles, the candidate-pair path is used instead of all pairs."""
    neighbors: int = 30
    """Nearest leads (by cosine) each article is scored against on the candidate-pair path."""
    chunk_elements: int = 1 << 24
    """Largest similarity block (queries x keys) computed at once on the candidate-pair path."""

    @property
    def cut(self) -> float:
        return self.model.threshold if self.threshold is None else self.threshold


@dataclass(frozen=True)
class ArticleSignals:
    """What the pair features need of each article, as row-aligned matrices."""

    lead_vectors: NDArray[np.float32]
    words: sparse.csr_matrix
    lead_words: sparse.csr_matrix
    names: sparse.csr_matrix
    numbers: sparse.csr_matrix
    has_numbers: NDArray[np.bool_]
    days: NDArray[np.int64]
    """Ordinal of the article's date, -1 when unknown."""

    def __len__(self) -> int:
        return len(self.days)


LEAD_CHARS = 2000
"""Grouping reads only the start of a text: enough for the lead sentences of any real report."""


def lead_sentences(article: CleanArticle) -> list[Sentence]:
    """The first sentences of ``article``, splitting only its opening (grouping does not need the rest)."""
    return split_sentences(replace(article, text=article.text[:LEAD_CHARS]))[:LEAD_SENTENCES]


def lead_text(article: CleanArticle, sentences: Sequence[Sentence]) -> str:
    """Headline and first sentences: what a reader sees first, and what reports of one event share most."""
    return f"{article.title or ''}\n" + " ".join(s.text for s in sentences[:LEAD_SENTENCES])


@dataclass(frozen=True)
class ArticleFeatures:
    """What grouping reads of each article of a run of articles, before any batch-wide step: the lead texts
    (to embed), bags of words, names and figures, and dates. A batch engine computes these per chunk of
    articles in parallel; :func:`signals_from` joins chunks in order."""

    leads: list[str]
    words: list[Counter[str]]
    lead_words: list[Counter[str]]
    names: list[Counter[str]]
    numbers: list[Counter[str]]
    days: NDArray[np.int64]


def article_features(
    articles: Sequence[CleanArticle],
    linguist: Linguist,
    sentences: Sequence[Sequence[Sentence]] | None = None,
) -> ArticleFeatures:
    """Leads, bags and dates of ``articles`` (spaCy's NER over the leads; no embedding yet)."""
    split = list(sentences) if sentences is not None else [lead_sentences(a) for a in articles]
    leads = [lead_text(a, s) for a, s in zip(articles, split, strict=True)]
    return ArticleFeatures(
        leads=leads,
        words=[content_words(f"{a.title or ''}\n{a.text}") for a in articles],
        lead_words=[content_words(lead) for lead in leads],
        names=[name_bag(ents) for ents in linguist.entities(leads)],
        numbers=[numbers(f"{a.title or ''}\n{a.text}") for a in articles],
        days=np.array([a.published_at.toordinal() if a.published_at else -1 for a in articles], dtype=np.int64),
    )


def signals_from(features: Sequence[ArticleFeatures], lead_vectors: NDArray[np.float32]) -> ArticleSignals:
    """The row-aligned matrices of chunks of features, in order, with the leads' embeddings (one row each).

    The bags become matrices here, over the whole batch at once, so the result does not depend on how the
    articles were split into chunks.
    """
    number_bags = [bag for f in features for bag in f.numbers]
    return ArticleSignals(
        lead_vectors=np.asarray(lead_vectors, dtype=np.float32),
        words=bag_matrix([bag for f in features for bag in f.words], word_weight),
        lead_words=bag_matrix([bag for f in features for bag in f.lead_words], word_weight),
        names=bag_matrix([bag for f in features for bag in f.names], name_rarity),
        numbers=bag_matrix(number_bags, lambda _: 1.0),
        has_numbers=np.array([bool(bag) for bag in number_bags], dtype=bool),
        days=np.concatenate([f.days for f in features]) if features else np.zeros(0, dtype=np.int64),
    )


def article_signals(
    articles: Sequence[CleanArticle],
    embedder: Embedder,
    linguist: Linguist,
    sentences: Sequence[Sequence[Sentence]] | None = None,
) -> ArticleSignals:
    features = article_features(articles, linguist, sentences)
    return signals_from([features], embedder.encode(features.leads))


def _date_features(days_a: NDArray[np.int64], days_b: NDArray[np.int64]) -> dict[str, NDArray[np.float64]]:
    known = (days_a >= 0) & (days_b >= 0)
    gap = np.abs(days_a - days_b).astype(np.float64)
    return {
        "log_days": np.where(known, np.log1p(gap), 0.0),
        "undated": (~known).astype(np.float64),
    }


def all_pair_features(signals: ArticleSignals) -> dict[str, NDArray[np.float64]]:
    """Every feature of every pair, as n x n matrices."""

    def cosines(matrix: sparse.csr_matrix) -> NDArray[np.float64]:
        return np.asarray((matrix @ matrix.T).toarray(), dtype=np.float64)

    features = {
        "lead": (signals.lead_vectors @ signals.lead_vectors.T).astype(np.float64),
        "words": cosines(signals.words),
        "lead_words": cosines(signals.lead_words),
        "names": cosines(signals.names),
        "numbers": cosines(signals.numbers),
        "both_numbers": (signals.has_numbers[:, None] & signals.has_numbers[None, :]).astype(np.float64),
    }
    features.update(_date_features(signals.days[:, None], signals.days[None, :]))
    return features


def pair_features(
    signals: ArticleSignals, left: NDArray[np.int64], right: NDArray[np.int64]
) -> dict[str, NDArray[np.float64]]:
    """The features of the pairs ``(left[k], right[k])`` only."""
    features = {
        "lead": np.einsum("ij,ij->i", signals.lead_vectors[left], signals.lead_vectors[right]).astype(np.float64),
        "words": row_cosines(signals.words, left, right),
        "lead_words": row_cosines(signals.lead_words, left, right),
        "names": row_cosines(signals.names, left, right),
        "numbers": row_cosines(signals.numbers, left, right),
        "both_numbers": (signals.has_numbers[left] & signals.has_numbers[right]).astype(np.float64),
    }
    features.update(_date_features(signals.days[left], signals.days[right]))
    return features


def pair_probabilities(signals: ArticleSignals, model: GroupingModel) -> NDArray[np.float64]:
    """Probability that each pair reports one event (n x n, 1 on the diagonal)."""
    probability = model.probability(all_pair_features(signals))
    np.fill_diagonal(probability, 1.0)
    return probability


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


@dataclass(frozen=True)
class CandidateBlock:
    """A block of the candidate search: each query's nearest ``keys`` (within ``max_days`` when dated)."""

    queries: NDArray[np.int64]
    keys: NDArray[np.int64]
    dated: bool


def _ordinal_days(dates: Sequence[date | None]) -> NDArray[np.int64]:
    return np.array([d.toordinal() if d is not None else 0 for d in dates], dtype=np.int64)


def candidate_blocks(dates: Sequence[date | None], params: GroupingParams) -> list[CandidateBlock]:
    """The blocks :func:`candidate_pairs` searches, each independent of the others (an engine may run them
    in parallel with :func:`block_pairs`)."""
    n = len(dates)
    dated = np.array([i for i in range(n) if dates[i] is not None], dtype=np.int64)
    undated = np.array([i for i in range(n) if dates[i] is None], dtype=np.int64)
    days = _ordinal_days(dates)
    blocks: list[CandidateBlock] = []
    if len(dated):
        order = dated[np.argsort(days[dated], kind="stable")]
        sorted_days = days[order]
        block = max(1, min(1024, params.chunk_elements // max(1, len(order))))
        start = 0
        while start < len(order):
            stop = min(len(order), start + block)
            lo = int(np.searchsorted(sorted_days, sorted_days[start] - params.max_days_apart, side="left"))
            hi = int(np.searchsorted(sorted_days, sorted_days[stop - 1] + params.max_days_apart, side="right"))
            blocks.append(CandidateBlock(order[start:stop], order[lo:hi], dated=True))
            start = stop
    if len(undated):
        blocks.append(CandidateBlock(undated, np.arange(n, dtype=np.int64), dated=False))
    return blocks


def block_pairs(
    lead_vectors: NDArray[np.float32], dates: Sequence[date | None], block: CandidateBlock, params: GroupingParams
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """(query, key) index arrays of one block's nearest leads."""
    vectors = lead_vectors.astype(np.float32)
    if block.dated:
        return _top_neighbors(
            vectors,
            block.queries,
            block.keys,
            params.neighbors,
            params.chunk_elements,
            _ordinal_days(dates),
            params.max_days_apart,
        )
    return _top_neighbors(vectors, block.queries, block.keys, params.neighbors, params.chunk_elements)


def unique_pairs(found: Sequence[tuple[NDArray[np.int64], NDArray[np.int64]]], n: int) -> NDArray[np.int64]:
    """Sorted unique pairs (i < j, shape (m, 2)) of the (query, key) arrays of every block."""
    if not found:
        return np.zeros((0, 2), dtype=np.int64)
    q_all = np.concatenate([q for q, _ in found])
    k_all = np.concatenate([k for _, k in found])
    codes = np.unique(np.minimum(q_all, k_all) * n + np.maximum(q_all, k_all))
    return np.stack((codes // n, codes % n), axis=1)


def candidate_pairs(
    lead_vectors: NDArray[np.float32], dates: Sequence[date | None], params: GroupingParams
) -> NDArray[np.int64]:
    """Pairs (i < j, shape (m, 2)) of nearest leads among articles published close enough to be one event.

    Dated articles are sorted by day and handled in blocks: each block's queries are compared only with the
    articles dated within ``max_days_apart`` of the block, so the work grows with n x (articles in a
    window), not n². An undated article may belong with any, so it is compared with all (bounded to its
    ``neighbors`` nearest) and dated articles find undated ones through those same pairs.
    """
    found = [block_pairs(lead_vectors, dates, block, params) for block in candidate_blocks(dates, params)]
    return unique_pairs(found, len(dates))


class _Cluster:
    __slots__ = ("links", "members", "version")

    def __init__(self, member: int) -> None:
        self.members = [member]
        self.links: dict[int, float] = {}
        """Other cluster -> sum of the probabilities of the scored cross pairs."""
        self.version = 0


def sparse_average_linkage(
    n: int, pairs: NDArray[np.int64], probabilities: NDArray[np.float64], threshold: float
) -> list[list[int]]:
    """Average linkage over a sparse set of scored pairs, merging while the best average exceeds ``threshold``.

    The average between two clusters is over all their cross pairs; a pair never scored counts 0 (it was
    not even among the nearest leads). With every pair scored it is the small path's average linkage.
    """
    clusters = {i: _Cluster(i) for i in range(n)}
    for (i, j), p in zip(pairs.tolist(), probabilities.tolist(), strict=True):
        clusters[i].links[j] = p
        clusters[j].links[i] = p

    def average(a: int, b: int) -> float:
        return clusters[a].links[b] / (len(clusters[a].members) * len(clusters[b].members))

    heap: list[tuple[float, int, int, int, int]] = []

    def push(a: int, b: int) -> None:
        value = average(a, b)
        if value > threshold:
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
        ck.version += 1
        del ck.links[gone]
        for other, total in cg.links.items():
            if other == keep:
                continue
            ck.links[other] = ck.links.get(other, 0.0) + total
            links_of_other = clusters[other].links
            del links_of_other[gone]
            links_of_other[keep] = ck.links[other]
        for other in ck.links:
            push(keep, other)
    return [sorted(c.members) for c in clusters.values()]


def score_pairs(signals: ArticleSignals, pairs: NDArray[np.int64], model: GroupingModel) -> NDArray[np.float64]:
    """The model's probability for each pair (rows of ``pairs``); each pair is scored on its own."""
    return model.probability(pair_features(signals, pairs[:, 0], pairs[:, 1]))


def _scalable_clusters(
    signals: ArticleSignals, dates: Sequence[date | None], params: GroupingParams
) -> list[list[int]]:
    pairs = candidate_pairs(signals.lead_vectors, dates, params)
    probabilities = score_pairs(signals, pairs, params.model)
    return sparse_average_linkage(len(signals), pairs, probabilities, params.cut)


def _exact_clusters(signals: ArticleSignals, params: GroupingParams) -> list[list[int]]:
    probability = pair_probabilities(signals, params.model)
    labels = AgglomerativeClustering(
        n_clusters=None,
        metric="precomputed",
        linkage="average",
        distance_threshold=1.0 - params.cut,
    ).fit_predict(1.0 - probability)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels.tolist()):
        groups.setdefault(int(label), []).append(index)
    return list(groups.values())


def grouping_params(settings: Settings) -> GroupingParams:
    return GroupingParams(
        model=load_grouping_model(settings.group_model_file or DEFAULT_MODEL_FILE),
        threshold=settings.group_threshold,
        max_days_apart=settings.group_max_days_apart,
        exact_max_articles=settings.group_exact_max_articles,
        neighbors=settings.group_neighbors,
    )


def event_clusters(
    articles: Sequence[CleanArticle],
    embedder: Embedder,
    linguist: Linguist,
    params: GroupingParams,
    *,
    scalable: bool | None = None,
    sentences: Sequence[Sequence[Sentence]] | None = None,
    signals: ArticleSignals | None = None,
) -> list[list[CleanArticle]]:
    """Clusters in order of first appearance.

    ``scalable`` forces a path (default: by ``params.exact_max_articles``); ``sentences`` may pass each
    article's :func:`split_sentences` when the caller already has them (only the leads are used; without them
    only each article's opening is split). ``signals`` may pass the articles' signals already computed (a
    batch engine computes them in chunks: :func:`article_features`, :func:`signals_from`).
    """
    if len(articles) <= 1:
        return [list(articles)] if articles else []
    if signals is None:
        signals = article_signals(articles, embedder, linguist, sentences)
    if len(signals) != len(articles):
        raise ValueError(f"{len(signals)} rows of signals for {len(articles)} articles")
    groups = cluster_signals(signals, [a.published_at for a in articles], params, scalable)
    return [[articles[i] for i in g] for g in groups]


def uses_candidate_path(n: int, params: GroupingParams, scalable: bool | None = None) -> bool:
    """Whether ``n`` articles are grouped by candidate pairs (else every pair is scored)."""
    return n > params.exact_max_articles if scalable is None else scalable


def sorted_groups(groups: list[list[int]]) -> list[list[int]]:
    """Each group's members ascending, groups in order of their first member."""
    return sorted((sorted(g) for g in groups), key=lambda g: g[0])


def cluster_signals(
    signals: ArticleSignals,
    dates: Sequence[date | None],
    params: GroupingParams,
    scalable: bool | None = None,
) -> list[list[int]]:
    """Row indices of ``signals`` in event clusters, in order of first appearance."""
    if len(signals) <= 1:
        return [list(range(len(signals)))] if len(signals) else []
    if uses_candidate_path(len(signals), params, scalable):
        groups = _scalable_clusters(signals, dates, params)
    else:
        groups = _exact_clusters(signals, params)
    return sorted_groups(groups)
