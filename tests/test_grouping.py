from __future__ import annotations

import json
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
from service.nlp.linguist import Linguist, shared_linguist
from service.pipeline.clean import clean_article
from service.pipeline.grouping import (
    DEFAULT_MODEL_FILE,
    FEATURES,
    GroupingParams,
    candidate_pairs,
    event_clusters,
    load_grouping_model,
    sparse_average_linkage,
)
from service.pipeline.types import ArticleInput, CleanArticle

SEEDS = Path(__file__).parent.parent / "seeds"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture(scope="module")
def linguist() -> Linguist:
    return shared_linguist()


@pytest.fixture(scope="module")
def params() -> GroupingParams:
    return GroupingParams(model=load_grouping_model())


@pytest.fixture(scope="module")
def seeds() -> list[CleanArticle]:
    return [
        clean_article(ArticleInput(id=path.name[:3], text=path.read_text(encoding="utf-8")))
        for path in sorted(SEEDS.glob("*.txt"))
    ]


def _ids(clusters: list[list[CleanArticle]]) -> set[frozenset[str]]:
    return {frozenset(a.id for a in c) for c in clusters}


def _article(article_id: str, text: str, day: date | None = None) -> CleanArticle:
    return clean_article(ArticleInput(id=article_id, text=text, published_at=day))


# Two earthquakes, each told by two outlets in their own words (written for this test): the same kind of
# event, told with the same vocabulary, told apart by place, figures and date.
QUAKES = [
    (
        "andes-a",
        "A magnitude 6.4 earthquake struck the mountain town of Villa Serena on Tuesday, killing 12 people and "
        "leaving hundreds homeless, the regional governor said. Rescue teams searched collapsed adobe houses "
        "through the night. The quake's epicentre was 40 km north of the town.",
        date(2019, 3, 12),
    ),
    (
        "andes-b",
        "At least 12 people died when a 6.4-magnitude quake hit Villa Serena, officials said on Tuesday. "
        "Governor Elena Ruiz said hundreds of families had lost their homes, and rescuers kept digging "
        "through adobe rubble as aftershocks shook the valley.",
        date(2019, 3, 12),
    ),
    (
        "coast-a",
        "A 5.1 magnitude earthquake shook the port city of Marisal early on Sunday, injuring three people and "
        "cracking the walls of the old customs house, the fire service said. No deaths were reported and the "
        "harbour reopened by noon.",
        date(2023, 8, 6),
    ),
    (
        "coast-b",
        "Three people were hurt when a 5.1 quake rattled Marisal on Sunday morning, according to the city's "
        "fire chief, Tomas Okafor. The historic customs house was damaged; port operations resumed within "
        "hours.",
        date(2023, 8, 6),
    ),
]


@pytest.mark.parametrize("scalable", [False, True])
def test_seed_reports_of_one_call_are_one_story(
    seeds: list[CleanArticle], embedder: MiniLMEmbedder, linguist: Linguist, params: GroupingParams, scalable: bool
) -> None:
    clusters = event_clusters(seeds, embedder, linguist, params, scalable=scalable)
    assert any({"000", "002", "003"} <= ids for ids in _ids(clusters))


@pytest.mark.parametrize("scalable", [False, True])
def test_two_events_of_one_kind_stay_apart(
    embedder: MiniLMEmbedder, linguist: Linguist, params: GroupingParams, scalable: bool
) -> None:
    articles = [_article(i, text, day) for i, text, day in QUAKES]
    clusters = event_clusters(articles, embedder, linguist, params, scalable=scalable)
    assert _ids(clusters) == {frozenset({"andes-a", "andes-b"}), frozenset({"coast-a", "coast-b"})}


def test_an_unrelated_story_is_not_grouped_with_the_seeds(
    seeds: list[CleanArticle], embedder: MiniLMEmbedder, linguist: Linguist, params: GroupingParams
) -> None:
    quake = _article(*QUAKES[0])
    clusters = event_clusters([*seeds, quake], embedder, linguist, params)
    assert frozenset({"andes-a"}) in _ids(clusters)


def test_the_shipped_model_is_complete() -> None:
    model = load_grouping_model()
    assert set(model.weights) == set(FEATURES)
    assert 0.0 < model.threshold < 1.0 and -1.0 <= model.min_lead < 1.0
    document = json.loads(DEFAULT_MODEL_FILE.read_text(encoding="utf-8"))
    assert "fit_grouping.py" in document["about"]


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


def test_scalable_path_matches_small_path(
    seeds: list[CleanArticle], embedder: MiniLMEmbedder, linguist: Linguist, params: GroupingParams
) -> None:
    articles = _variants(seeds) + [_article(i, text, day) for i, text, day in QUAKES]
    # Every pair within the date window is a candidate: the two paths must then cluster alike.
    wide = replace(params, neighbors=len(articles), max_days_apart=10_000)
    small = event_clusters(articles, embedder, linguist, wide, scalable=False)
    large = event_clusters(articles, embedder, linguist, wide, scalable=True)
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
    params = GroupingParams(model=load_grouping_model(), neighbors=5, max_days_apart=3, chunk_elements=4096)
    pairs = candidate_pairs(vectors.astype(np.float32), dates, params)
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
    pairs = np.array([[0, 1], [1, 2], [0, 2]])
    groups = sparse_average_linkage(3, pairs, np.array([0.9, 0.8, 0.0]), 0.55)
    assert sorted(groups) == [[0, 1], [2]]
    # A pair never scored counts 0, so it cannot be chained through either.
    groups = sparse_average_linkage(3, pairs[:2], np.array([0.9, 0.8]), 0.55)
    assert sorted(groups) == [[0, 1], [2]]
    # When every pair is strong, all three join.
    groups = sparse_average_linkage(3, pairs, np.array([0.9, 0.95, 0.9]), 0.55)
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
