from __future__ import annotations

import os
import random
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from service.models.embeddings import MemoEmbedder, MiniLMEmbedder
from service.pipeline.clean import clean_article
from service.pipeline.grouping import GroupingParams, _sparse_average_linkage, candidate_pairs, event_clusters
from service.pipeline.types import ArticleInput, CleanArticle

SEEDS = Path(__file__).parent.parent / "seeds"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture(scope="module")
def seeds() -> list[CleanArticle]:
    return [
        clean_article(ArticleInput(id=path.name[:3], text=path.read_text(encoding="utf-8")))
        for path in sorted(SEEDS.glob("*.txt"))
    ]


def _ids(clusters: list[list[CleanArticle]]) -> set[frozenset[str]]:
    return {frozenset(a.id for a in c) for c in clusters}


@pytest.mark.parametrize("scalable", [False, True])
def test_seed_reports_of_one_call_form_one_cluster(
    seeds: list[CleanArticle], embedder: MiniLMEmbedder, scalable: bool
) -> None:
    clusters = event_clusters(seeds, embedder, GroupingParams(), scalable=scalable)
    assert _ids(clusters) == {frozenset({"000", "002", "003"}), frozenset({"001"}), frozenset({"004"})}


@pytest.mark.parametrize("scalable", [False, True])
def test_same_report_weeks_apart_is_two_events(
    seeds: list[CleanArticle], embedder: MiniLMEmbedder, scalable: bool
) -> None:
    report = seeds[3]
    assert report.published_at is not None
    params = GroupingParams()
    next_day = replace(report, id="next-day", published_at=report.published_at + timedelta(days=1))
    weeks_later = replace(report, id="weeks-later", published_at=report.published_at + timedelta(days=21))
    clusters = event_clusters([report, next_day, weeks_later], embedder, params, scalable=scalable)
    assert _ids(clusters) == {frozenset({"003", "next-day"}), frozenset({"weeks-later"})}


def _variants(seeds: list[CleanArticle]) -> list[CleanArticle]:
    """Seeds retold with other casts and dates: some share an event, some only a topic."""
    rng = random.Random(7)
    casts = [("Blinken", "Lavrov"), ("Okafor", "Lindqvist"), ("Moreau", "Tanaka"), ("Kowalski", "Haddad")]
    out: list[CleanArticle] = []
    for k, (first, second) in enumerate(casts):
        day = date(2022, 2, 1) + timedelta(days=20 * k)
        for s in seeds:
            paragraphs = s.text.split("\n\n")
            if len(paragraphs) > 2 and rng.random() < 0.5:
                paragraphs.pop(rng.randrange(1, len(paragraphs)))
            text = "\n\n".join(paragraphs).replace("Blinken", first).replace("Lavrov", second)
            shift = rng.choice([0, 0, 1, 2]) if s.published_at else None
            out.append(
                replace(
                    s,
                    id=f"{s.id}-{k}",
                    text=text,
                    title=(s.title or "").replace("Blinken", first) or None,
                    published_at=None if shift is None else day + timedelta(days=shift),
                )
            )
    return out


def test_scalable_path_matches_small_path(seeds: list[CleanArticle], embedder: MiniLMEmbedder) -> None:
    articles = _variants(seeds)
    params = GroupingParams(neighbors=len(articles))
    small = event_clusters(articles, embedder, params, scalable=False)
    large = event_clusters(articles, embedder, params, scalable=True)
    assert _ids(small) == _ids(large)
    assert 1 < len(small) < len(articles)
    # Clusters come in order of first appearance on both paths.
    assert [c[0].id for c in large] == sorted((c[0].id for c in large), key=[a.id for a in articles].index)


def test_candidates_respect_dates_and_neighbor_bound() -> None:
    rng = np.random.default_rng(0)
    n = 500
    vectors = rng.normal(size=(n, 16))
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    start = date(2022, 1, 1)
    dates: list[date | None] = [
        None if k % 10 == 0 else start + timedelta(days=int(rng.integers(0, 120))) for k in range(n)
    ]
    params = GroupingParams(neighbors=5, max_days_apart=3, chunk_elements=4096)
    pairs = candidate_pairs(vectors, dates, params)
    assert len(pairs) <= n * params.neighbors
    assert (pairs[:, 0] < pairs[:, 1]).all()
    for i, j in pairs.tolist():
        a, b = dates[i], dates[j]
        assert a is None or b is None or abs((a - b).days) <= 3
    # Every article has at least one candidate (here every one has neighbours within the window).
    touched = set(pairs.ravel().tolist())
    assert touched == set(range(n))


def test_sparse_average_linkage_does_not_chain() -> None:
    # 0-1 and 1-2 are strong, 0-2 is weak: average linkage keeps one pair and leaves the other alone.
    params = GroupingParams(similarity=0.55)
    pairs = np.array([[0, 1], [1, 2], [0, 2]])
    scores = np.array([0.9, 0.8, 0.0])
    groups = _sparse_average_linkage(3, pairs, scores, [1, 1, 1], params)
    assert sorted(groups) == [[0, 1], [2]]
    # A pair never scored counts as missing_score, so it cannot be chained through either.
    groups = _sparse_average_linkage(3, pairs[:2], scores[:2], [1, 1, 1], params)
    assert sorted(groups) == [[0, 1], [2]]
    # 0 and 2 are published too far apart: that pair counts -1 though it was never scored (max 3 days).
    groups = _sparse_average_linkage(3, pairs[:2], np.array([0.9, 0.95]), [1, 4, 7], params)
    assert sorted(groups) == [[0], [1, 2]]
    groups = _sparse_average_linkage(3, pairs, np.array([0.9, 0.95, 0.9]), [1, 1, 2], params)
    assert sorted(groups) == [[0, 1, 2]]


def test_memo_embedder_sends_each_distinct_text_through_the_model_once(embedder: MiniLMEmbedder) -> None:
    calls: list[list[str]] = []

    class Recording:
        name = embedder.name

        def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
            calls.append(list(texts))
            return embedder.encode(texts)

    memo = MemoEmbedder(Recording())
    first = ["Troops massed at the border.", "Talks resume next week.", "Troops massed at the border."]
    vectors = memo.encode(first)
    assert calls == [["Troops massed at the border.", "Talks resume next week."]]
    np.testing.assert_allclose(vectors, embedder.encode(first), atol=1e-5)
    again = memo.encode(["Talks resume next week.", "A ceasefire was agreed."])
    assert calls[1:] == [["A ceasefire was agreed."]]
    np.testing.assert_array_equal(again[0], vectors[1])
    assert memo.encode([]).shape == (0, 384)
