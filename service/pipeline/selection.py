"""Which sentences the consensus summary states, in which order: the story's main reported facts first.

Every sentence of the cluster is a candidate. Its score is a linear model over what a news editor weighs,
fitted to predict how much of the sentence an editor's summary of the story would state:

- ``support``: the share of the other independent sources that state it too (a sentence of theirs at least
  ``SIMILAR_SENTENCE`` alike): facts several outlets report come first;
- ``centrality``: how close it is, on average, to the closest sentence of each other source (agreement that
  is not word for word);
- ``position``: ``1 / (1 + index)`` in its article, ``first`` (the article's first sentence) and ``early``
  (one of its first three): news puts the key fact first;
- ``headline``: its closeness in meaning to the closest outlet headline, and ``title_words``: the share of
  its content words that some outlet's headline uses (what each outlet says the story is);
- ``shared_words``: the share of the other sources that use each of its content words, averaged over them
  (what the outlets agree the story's words are, even where no sentence of theirs is alike);
- ``rhetoric``: a sentence that is mostly a direct quote, a question, or first/second-person talk; and a line
  that is mostly a direct quote or a question is never chosen unless another outlet states it too (then the
  story is about the statement);
- ``lexical``: how much its rarity-weighted words are the cluster's words (TextRank and LexRank's signal);
- ``length`` (saturating at ``LONG_SENTENCE`` words), ``names`` (the share of its words after the first that
  are capitalised: who and where), ``figures`` (it has a figure);
- ``opener``: it starts with a word that points back to an earlier sentence ("He", "But", "This"): out of
  its article it says less than it seems to.

Sentences are then taken greedily by maximal marginal relevance (score minus ``redundancy`` times the
closest already chosen one; near-copies of a chosen sentence never), while they fit the word budget. Once
the summary has ``floor_share`` of the budget, a sentence whose value is below ``stop_below`` is not added:
an editor's summary is short, and a weak third sentence costs more precision than it adds. Each chosen sentence
carries as provenance the sentences of other sources that restate it.

The model (weights, intercept, stop rule, openers) is fitted on AllSides/NeuS training stories by
benchmarks/fit_summary.py and kept in service/data/summary_selection.json.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from service.models.embeddings import Embedder
from service.nlp.lexicon import content_words, stem, word_weight
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
EARLY = 3
"""Sentences of an article that count as its lead (the ``early`` feature)."""


@dataclass(frozen=True)
class SentenceFeatures:
    support: NDArray[np.float64]
    centrality: NDArray[np.float64]
    position: NDArray[np.float64]
    first: NDArray[np.float64]
    early: NDArray[np.float64]
    headline: NDArray[np.float64]
    title_words: NDArray[np.float64]
    shared_words: NDArray[np.float64]
    rhetoric: NDArray[np.float64]
    lexical: NDArray[np.float64]
    length: NDArray[np.float64]
    names: NDArray[np.float64]
    figures: NDArray[np.float64]
    opener: NDArray[np.float64]

    @classmethod
    def feature_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def matrix(self) -> NDArray[np.float64]:
        """One row per sentence, one column per feature, in field order."""
        return np.column_stack([getattr(self, name) for name in self.feature_names()])


@dataclass(frozen=True)
class SelectionParams:
    weights: dict[str, float]
    intercept: float
    redundancy: float
    stop_below: float
    floor_share: float
    openers: frozenset[str]

    @classmethod
    def load(cls, path: Path) -> SelectionParams:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = {name: float(data["weights"][name]) for name in SentenceFeatures.feature_names()}
        return cls(
            weights=weights,
            intercept=float(data["intercept"]),
            redundancy=float(data["redundancy"]),
            stop_below=float(data["stop_below"]),
            floor_share=float(data["floor_share"]),
            openers=frozenset(w.lower() for w in data["openers"]),
        )

    def vector(self) -> NDArray[np.float64]:
        return np.array([self.weights[name] for name in SentenceFeatures.feature_names()], dtype=np.float64)


@lru_cache(maxsize=4)
def load_selection_params(path: Path = DEFAULT_PARAMS_FILE) -> SelectionParams:
    return SelectionParams.load(path)


def sentence_features(table: SentenceTable, embedder: Embedder, openers: frozenset[str]) -> SentenceFeatures:
    sentences = table.sentences
    n = len(sentences)
    keys = [table.key_of(s) for s in sentences]
    sources = sorted(set(keys))
    sim = table.similarity().astype(np.float64)
    support = np.zeros(n)
    centrality = np.zeros(n)
    others = max(1, len(sources) - 1)
    for source in sources:
        in_source = np.array([k == source for k in keys])
        best = sim[:, in_source].max(axis=1)
        support += np.where(in_source, 0.0, best >= SIMILAR_SENTENCE)
        centrality += np.where(in_source, 0.0, best)
    texts = [s.text for s in sentences]
    stems = [{stem(w) for w in content_words(t)} for t in texts]
    vocabulary: dict[str, set[str]] = {source: set() for source in sources}
    for key, words in zip(keys, stems, strict=True):
        vocabulary[key] |= words
    titles = [a.title for a in table.articles.values() if a.title]
    if titles:
        heads = embedder.encode(titles).astype(np.float64)
        headline = (table.vectors.astype(np.float64) @ heads.T).max(axis=1)
    else:
        headline = np.zeros(n)
    title_stems = {stem(w) for title in titles for w in content_words(title)}
    return SentenceFeatures(
        support=support / others,
        centrality=centrality / others if len(sources) > 1 else np.zeros(n),
        position=np.array([1.0 / (1.0 + s.index) for s in sentences]),
        first=np.array([float(s.index == 0) for s in sentences]),
        early=np.array([float(s.index < EARLY) for s in sentences]),
        headline=headline,
        title_words=np.array([len(words & title_stems) / len(words) if words else 0.0 for words in stems]),
        shared_words=np.array(
            [
                _shared_share(words, [vocabulary[s] for s in sources if s != key])
                for words, key in zip(stems, keys, strict=True)
            ]
        ),
        rhetoric=np.array([rhetoric(t) for t in texts]),
        lexical=_lexical_centrality(texts),
        length=np.array([min(1.0, len(t.split()) / LONG_SENTENCE) for t in texts]),
        names=np.array([_capitalised_share(t) for t in texts]),
        figures=np.array([float(any(c.isdigit() for c in t)) for t in texts]),
        opener=np.array([float(_first_word(t) in openers) for t in texts]),
    )


def _shared_share(words: set[str], others: list[set[str]]) -> float:
    if not words or not others:
        return 0.0
    return sum(sum(w in other for other in others) for w in words) / (len(words) * len(others))


def _capitalised_share(text: str) -> float:
    words = text.split()
    return sum(w[:1].isupper() for w in words[1:]) / len(words) if words else 0.0


def _first_word(text: str) -> str:
    words = text.split(maxsplit=1)
    return words[0].strip("\"“”'‘’(,").lower() if words else ""


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
    """The model's estimate of how much of each sentence an editor's summary states (ROUGE-1 + ROUGE-2
    precision of the sentence against it, on the training stories)."""
    result: NDArray[np.float64] = features.matrix() @ params.vector() + params.intercept
    return result


def select(
    table: SentenceTable, embedder: Embedder, max_words: int, params: SelectionParams | None = None
) -> list[ConsensusPoint]:
    """The sentences the summary states, most important first, each with the sources that restate it."""
    if not table.sentences:
        return []
    params = params or load_selection_params()
    features = sentence_features(table, embedder, params.openers)
    return choose(table, scores(features, params), features, max_words, params)


def choose(
    table: SentenceTable,
    score: NDArray[np.float64],
    features: SentenceFeatures,
    max_words: int,
    params: SelectionParams,
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
            value = float(score[i]) - params.redundancy * closest
            if value > best_value:
                best, best_value = i, value
        if best < 0 or (words >= params.floor_share * max_words and best_value < params.stop_below):
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
