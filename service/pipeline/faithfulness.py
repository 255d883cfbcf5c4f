"""Faithfulness guard: every summary sentence must be backed by the consensus points it was written from.

A sentence fails when it states a number, a date or a name that no supporting source contains, or when
it is close to no consensus point or quote at all (neither by embeddings nor by the words it uses).
The caller removes failing sentences and lists them with these reasons.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from service.models.embeddings import Embedder
from service.nlp.surface_names import entities
from service.nlp.temporal import date_mentions
from service.pipeline.types import ConsensusPoint

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"[\w’'-]+")
_FUNCTION_WORDS = frozenset(
    "a an the of to in on at by for from with and or but as is are was were be been has have had that this "
    "it its their his her he she they which who".split()
)
LEXICAL_COVERAGE = 0.85


def _content_words(text: str) -> set[str]:
    return {w for w in (m.group().lower() for m in _WORD.finditer(text)) if w not in _FUNCTION_WORDS}


def _coverage(sentence: str, sources: list[set[str]]) -> float:
    """Share of the sentence's content words found in the single source that covers it best."""
    words = _content_words(sentence)
    if not words:
        return 1.0
    return max((len(words & source) / len(words) for source in sources), default=0.0)


def _numbers(text: str) -> set[str]:
    return {m.group().replace(",", "") for m in _NUMBER.finditer(text)}


def unsupported(
    sentences: Sequence[str], points: Sequence[ConsensusPoint], embedder: Embedder, min_similarity: float
) -> list[tuple[str, tuple[str, ...]]]:
    """(sentence, reasons) for each sentence; an empty reason list means the sentence is backed."""
    if not sentences:
        return []
    source_texts = [p.text for p in points] + [s.quote for p in points for s in p.support]
    corpus = "\n".join(source_texts)
    corpus_lower = corpus.lower()
    source_numbers = _numbers(corpus)
    source_words = [_content_words(text) for text in source_texts]
    source_names: set[str] = set()
    for text in source_texts:
        source_names |= entities(text)
    if points:
        # A sentence may restate the point or one of the quotes behind it in other words.
        similarity = embedder.encode(list(sentences)) @ embedder.encode(source_texts).T
        best = similarity.max(axis=1)
    else:
        best = np.full(len(sentences), -1.0)

    verdicts = []
    for sentence, closest in zip(sentences, best, strict=True):
        reasons: list[str] = []
        missing_numbers = sorted(_numbers(sentence) - source_numbers)
        if missing_numbers:
            reasons.append("numbers not in the sources: " + ", ".join(missing_numbers))
        missing_dates = [
            m.text for m in date_mentions(sentence, None) if m.text.lower().rstrip("’'s") not in corpus_lower
        ]
        if missing_dates:
            reasons.append("dates not in the sources: " + ", ".join(missing_dates))
        missing_names = sorted(
            name
            for name in entities(sentence)
            if name not in source_names and name not in corpus_lower and name.split()[-1] not in source_names
        )
        if missing_names:
            reasons.append("names not in the sources: " + ", ".join(missing_names))
        # Embeddings undervalue a short clause cut from a long quote; its words show it is backed.
        if float(closest) < min_similarity and _coverage(sentence, source_words) < LEXICAL_COVERAGE:
            reasons.append(
                f"close to no consensus point or its quotes (best similarity {float(closest):.2f} < {min_similarity})"
            )
        verdicts.append((sentence, tuple(reasons)))
    return verdicts
