"""The summary's sentence selection over a hand-made sentence table: features, budget and the stop rule."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from service.pipeline.align import SentenceTable
from service.pipeline.clean import clean_article
from service.pipeline.selection import (
    SelectionParams,
    SentenceFeatures,
    choose,
    load_selection_params,
    scores,
    sentence_features,
)
from service.pipeline.types import ArticleInput, Sentence

TEXTS = [
    ("a", "Flooding closed the main rail line between Leeds and York on Sunday after two days of heavy rain."),
    ("b", "Network Rail said the line would stay shut until Wednesday while engineers inspect a damaged embankment."),
    ("a", "But he said it was too early to know how long the repairs would take."),
    ("c", '"We have never seen water like this in all the years we have lived here," a resident said.'),
    ("b", "The Environment Agency issued 41 flood warnings across the region."),
]


def _table() -> SentenceTable:
    articles = {
        source: clean_article(ArticleInput(id=source, source=f"outlet {source}", text=text)) for source, text in TEXTS
    }
    sentences = tuple(Sentence(source, k, 0, len(text), text) for k, (source, text) in enumerate(TEXTS))
    vectors = np.eye(len(TEXTS), dtype=np.float32)  # no two sentences alike: no support, no redundancy
    return SentenceTable(
        sentences=sentences,
        vectors=vectors,
        articles=articles,
        source_key={a.id: a.source or a.id for a in articles.values()},
    )


def _rule(stop_below: float, floor_share: float) -> SelectionParams:
    return replace(load_selection_params(), redundancy=0.0, stop_below=stop_below, floor_share=floor_share)


class _NoTitles:
    """The table's articles have no titles, so selection never asks for headline vectors."""

    def encode(self, texts: list[str]) -> np.ndarray:
        raise AssertionError(f"unexpected encode call: {texts}")


def _features(table: SentenceTable) -> SentenceFeatures:
    return sentence_features(table, _NoTitles(), load_selection_params().openers)  # type: ignore[arg-type]


def test_features_mark_openers_names_figures_and_quotes() -> None:
    features = _features(_table())
    assert features.opener.tolist() == [0.0, 0.0, 1.0, 0.0, 0.0]  # "But he said ..." leans on an earlier line
    assert features.figures.tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert features.rhetoric[3] == 1.0  # mostly a direct quote
    assert features.names[1] > features.names[2]  # "Network Rail", "Wednesday" against none
    # "rail" and "line" are words outlet b uses too; nothing of the flood warnings line is in a's or c's text.
    assert features.shared_words[4] == 0.0 < features.shared_words[0]
    assert features.matrix().shape == (len(TEXTS), len(SentenceFeatures.feature_names()))


def test_the_shipped_model_loads_with_a_weight_for_every_feature() -> None:
    params = load_selection_params()
    assert set(params.weights) == set(SentenceFeatures.feature_names())
    assert 0.0 < params.floor_share <= 1.0
    assert "he" in params.openers and "but" in params.openers


def test_weak_sentences_are_not_added_once_the_summary_has_its_floor() -> None:
    table = _table()
    features = _features(table)
    score = np.array([1.0, 0.9, 0.3, 0.2, 0.4])
    words = [len(t.split()) for _, t in TEXTS]
    # 0 and 1 (35 words) pass the floor (30 of 80 words); 4, 2 score below 0.5 and are left out.
    chosen = choose(table, score, features, 80, _rule(stop_below=0.5, floor_share=30 / 80))
    assert [p.text for p in chosen] == [TEXTS[0][1], TEXTS[1][1]]
    # Without the rule they fill the budget, best first; the unsupported quote (3) is never chosen.
    chosen = choose(table, score, features, 80, _rule(stop_below=-1.0, floor_share=30 / 80))
    assert [p.text for p in chosen] == [TEXTS[k][1] for k in (0, 1, 4, 2)]
    assert sum(words[k] for k in (0, 1, 4, 2)) <= 80
    # Below the floor a weak sentence still goes in: a summary is never cut to a single short line.
    chosen = choose(table, score, features, 80, _rule(stop_below=0.5, floor_share=0.5))
    assert [p.text for p in chosen] == [TEXTS[k][1] for k in (0, 1, 4)]


def test_the_budget_is_never_exceeded_and_scores_come_from_the_model() -> None:
    table = _table()
    features = _features(table)
    params = load_selection_params()
    score = scores(features, params)
    assert np.allclose(score, features.matrix() @ params.vector() + params.intercept)
    chosen = choose(table, score, features, 25, params)
    assert chosen and sum(len(p.text.split()) for p in chosen) <= 25
    assert all(p.independent_sources == 1 for p in chosen)  # nothing restated in another source here
