"""Which sentences the consensus summary states, in which order: the story's main reported facts first.

Every sentence of the cluster is a candidate. Its score weighs what a news editor weighs:

- ``support``: the share of the other independent sources that state it too (a sentence of theirs at least
  ``SIMILAR_SENTENCE`` alike): facts several outlets report come first;
- ``centrality``: how close it is, on average, to the closest sentence of each other source (agreement that
  is not word for word);
- ``position``: ``1 / (1 + index)`` in its article (news puts the key fact first);
- ``headline``: closeness to the outlets' headlines (what each outlet says the story is);
- ``rhetoric``: a penalty for a sentence that is mostly a direct quote, a question, or first/second-person
  talk (fitted to 0 on NeuS: its editors' summaries often say what was said); and a line that is mostly a
  direct quote or a question is never chosen unless another outlet states it too (then the story is about
  the statement), which also scores a little better on NeuS train and val.

Sentences are then taken greedily by maximal marginal relevance (score minus ``redundancy`` times the
closest already chosen one; near-copies of a chosen sentence never), while they fit the word budget. Each
chosen sentence carries as provenance the sentences of other sources that restate it.

The weights are fitted on AllSides/NeuS training stories by benchmarks/fit_summary.py and kept in
service/data/summary_selection.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from service.models.embeddings import Embedder
from service.nlp.lexicon import content_words, word_weight
from service.nlp.vectors import bag_matrix
from service.pipeline.align import SentenceTable
from service.pipeline.consensus import RESTATES_SIMILARITY, restates, support_of
from service.pipeline.rhetoric import rhetoric
from service.pipeline.types import ConsensusPoint

DEFAULT_PARAMS_FILE = Path(__file__).resolve().parent.parent / "data" / "summary_selection.json"
SIMILAR_SENTENCE = 0.6
"""Cosine from which another source's sentence counts towards the ``support`` feature (a ranking signal; the
provenance of a chosen sentence uses the stricter :func:`service.pipeline.consensus.restates`)."""
DUPLICATE = 0.8
"""Cosine from which a sentence repeats one already chosen (a subtitle and the body line that repeats it)."""
MIN_WORDS = 6
LONG_SENTENCE = 30
"""Words from which a sentence counts as long (the ``length`` feature saturates)."""


@dataclass(frozen=True)
class SelectionParams:
    support: float
    centrality: float
    position: float
    headline: float
    rhetoric: float
    redundancy: float
    lexical: float
    length: float

    @classmethod
    def load(cls, path: Path) -> SelectionParams:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{name: float(data["weights"][name]) for name in cls.__dataclass_fields__})


@lru_cache(maxsize=4)
def load_selection_params(path: Path = DEFAULT_PARAMS_FILE) -> SelectionParams:
    return SelectionParams.load(path)


@dataclass(frozen=True)
class SentenceFeatures:
    support: NDArray[np.float64]
    centrality: NDArray[np.float64]
    position: NDArray[np.float64]
    headline: NDArray[np.float64]
    rhetoric: NDArray[np.float64]
    lexical: NDArray[np.float64]
    length: NDArray[np.float64]


def sentence_features(table: SentenceTable, embedder: Embedder) -> SentenceFeatures:
    sentences = table.sentences
    n = len(sentences)
    keys = [table.key_of(s) for s in sentences]
    sources = sorted(set(keys))
    sim = table.similarity().astype(np.float64)
    support = np.zeros(n)
    centrality = np.zeros(n)
    others = max(1, len(sources) - 1)
    for source in sources:
        columns = np.array([k == source for k in keys])
        best = sim[:, columns].max(axis=1)
        own = np.array([k == source for k in keys])
        support += np.where(own, 0.0, best >= SIMILAR_SENTENCE)
        centrality += np.where(own, 0.0, best)
    titles = [a.title for a in table.articles.values() if a.title]
    if titles:
        heads = embedder.encode(titles).astype(np.float64)
        headline = (table.vectors.astype(np.float64) @ heads.T).max(axis=1)
    else:
        headline = np.zeros(n)
    return SentenceFeatures(
        support=support / others,
        centrality=centrality / others if len(sources) > 1 else np.zeros(n),
        position=np.array([1.0 / (1.0 + s.index) for s in sentences]),
        headline=headline,
        rhetoric=np.array([rhetoric(s.text) for s in sentences]),
        lexical=_lexical_centrality([s.text for s in sentences]),
        length=np.array([min(1.0, len(s.text.split()) / LONG_SENTENCE) for s in sentences]),
    )


def _lexical_centrality(texts: list[str]) -> NDArray[np.float64]:
    """Mean cosine of rarity-weighted content words with every other sentence: what the cluster's words are
    about, as TextRank and LexRank measure it."""
    if len(texts) < 2:
        return np.zeros(len(texts))
    matrix = bag_matrix([content_words(t) for t in texts], word_weight)
    sim = np.asarray((matrix @ matrix.T).toarray(), dtype=np.float64)
    np.fill_diagonal(sim, 0.0)
    mean: NDArray[np.float64] = sim.sum(axis=1) / (len(texts) - 1)
    return mean


def scores(features: SentenceFeatures, params: SelectionParams) -> NDArray[np.float64]:
    return (
        params.support * features.support
        + params.centrality * features.centrality
        + params.position * features.position
        + params.headline * features.headline
        - params.rhetoric * features.rhetoric
        + params.lexical * features.lexical
        + params.length * features.length
    )


def select(
    table: SentenceTable, embedder: Embedder, max_words: int, params: SelectionParams | None = None
) -> list[ConsensusPoint]:
    """The sentences the summary states, most important first, each with the sources that restate it."""
    if not table.sentences:
        return []
    params = params or load_selection_params()
    features = sentence_features(table, embedder)
    return choose(table, scores(features, params), features, max_words, params.redundancy)


def choose(
    table: SentenceTable,
    score: NDArray[np.float64],
    features: SentenceFeatures,
    max_words: int,
    redundancy: float,
) -> list[ConsensusPoint]:
    sentences = table.sentences
    sim = table.similarity()
    lengths = [len(s.text.split()) for s in sentences]
    candidates = [
        i
        for i in range(len(sentences))
        if lengths[i] >= MIN_WORDS and not (features.rhetoric[i] >= 1.0 and features.support[i] == 0.0)
    ]
    chosen: list[int] = []
    words = 0
    while candidates:
        best, best_value = -1, -np.inf
        for i in candidates:
            if words + lengths[i] > max_words:
                continue
            closest = max((float(sim[i, j]) for j in chosen), default=0.0)
            if closest >= DUPLICATE:
                continue
            value = float(score[i]) - redundancy * closest
            if value > best_value:
                best, best_value = i, value
        if best < 0:
            break
        chosen.append(best)
        words += lengths[best]
        candidates.remove(best)
    keys = [table.key_of(s) for s in sentences]
    points = []
    for i in chosen:
        restating: dict[str, int] = {}
        for j in np.argsort(-sim[i]).tolist():
            if sim[i, j] < RESTATES_SIMILARITY:
                break
            if keys[j] != keys[i] and keys[j] not in restating and restates(table, i, j, sim):
                restating[keys[j]] = j
        support = (support_of(table, sentences[i]), *(support_of(table, sentences[j]) for j in restating.values()))
        points.append(
            ConsensusPoint(
                text=sentences[i].text,
                support=support,
                independent_sources=1 + len(restating),
                score=round(float(score[i]), 4),
            )
        )
    return points
