"""Faithfulness guard: every summary sentence must be backed by the consensus points it was written from.

A sentence fails when it states a number, a date or a name that no supporting source contains, or when
it is close to no consensus point at all. The caller removes failing sentences and lists them with these reasons.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from service.models.embeddings import Embedder
from service.pipeline.entities import entities
from service.pipeline.temporal import date_mentions
from service.pipeline.types import ConsensusPoint

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


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
    source_names: set[str] = set()
    for text in source_texts:
        source_names |= entities(text)
    if points:
        similarity = embedder.encode(list(sentences)) @ embedder.encode([p.text for p in points]).T
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
        if float(closest) < min_similarity:
            reasons.append(f"close to no consensus point (best similarity {float(closest):.2f} < {min_similarity})")
        verdicts.append((sentence, tuple(reasons)))
    return verdicts
