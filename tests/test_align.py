"""Claim alignment over a hand-made sentence table: which cross-source pairs state one claim."""

from __future__ import annotations

import numpy as np

from service.pipeline.align import SentenceTable, align_claims
from service.pipeline.clean import clean_article
from service.pipeline.types import ArticleInput, Sentence

TEXTS = [
    ("a", "The bridge collapsed on Tuesday, killing 12 people and injuring dozens more in the port city of Genoa."),
    ("b", "Officials said the bridge collapsed on Tuesday, killing 12 people and injuring dozens more in Genoa."),
    ("a", "The mayor called for an inquiry into the motorway operator."),
    ("b", "Shares in the motorway operator fell sharply in Milan trading."),
    ("c", "The mayor demanded an inquiry into the company that runs the motorway."),
    ("a", "Rescue teams searched the rubble through the night."),
]


def _table(vectors: np.ndarray) -> SentenceTable:
    articles = {
        source: clean_article(ArticleInput(id=source, source=f"outlet {source}", text=text)) for source, text in TEXTS
    }
    sentences = tuple(Sentence(source, k, 0, len(text), text) for k, (source, text) in enumerate(TEXTS))
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return SentenceTable(
        sentences=sentences,
        vectors=unit.astype(np.float32),
        articles=articles,
        source_key={a.id: a.source or a.id for a in articles.values()},
    )


def test_close_embeddings_and_near_identical_wording_align_across_sources() -> None:
    vectors = np.eye(len(TEXTS))
    # 2 and 4 (sources a and c) are close in embedding space; 0 and 1 are below the threshold (cosine 0.62: the
    # longer one adds a clause) but nearly word for word. 3 and 4 share words, not the claim.
    vectors[4] = vectors[2] + 0.2 * vectors[4]
    vectors[1] = 0.62 * vectors[0] + np.sqrt(1 - 0.62**2) * vectors[1]
    groups = align_claims(_table(vectors), threshold=0.68)
    assert sorted(g.members for g in groups) == [(0, 1), (2, 4)]
    for group in groups:
        assert group.centre in group.members


def test_one_source_never_aligns_with_itself_and_unrelated_pairs_stay_apart() -> None:
    vectors = np.eye(len(TEXTS))
    vectors[5] = vectors[0] + 0.1 * vectors[5]  # 0 and 5 alike, but both from source a
    groups = align_claims(_table(vectors), threshold=0.68)
    assert all(len({TEXTS[k][0] for k in g.members}) == len(g.members) for g in groups)
    assert not any({0, 5} <= set(g.members) for g in groups)
    assert not any({2, 3} <= set(g.members) for g in groups)
