"""The faithfulness guard keeps what the sources back and removes what they don't, saying why."""

from __future__ import annotations

import pytest

from service.engine import Engine
from service.models.embeddings import Embedder
from service.pipeline.faithfulness import unsupported
from service.pipeline.types import ConsensusPoint, Support

QUOTE_A = (
    "Secretary of State Antony Blinken and Foreign Minister Sergey Lavrov held a direct phone conversation "
    "Tuesday, a day after a U.N. Security Council meeting."
)
QUOTE_B = "Moscow is accused of placing over 100,000 troops on the border with Ukraine."


@pytest.fixture(scope="module")
def points() -> list[ConsensusPoint]:
    return [
        ConsensusPoint(QUOTE_A, (Support("wt", "The Washington Times", QUOTE_A, 0, len(QUOTE_A)),), 2, 3.0),
        ConsensusPoint(QUOTE_B, (Support("rt", "heraldglobe.com", QUOTE_B, 0, len(QUOTE_B)),), 2, 2.5),
    ]


@pytest.fixture(scope="module")
def embedder(engine: Engine) -> Embedder:
    return engine.embedder


def _reasons(sentence: str, points: list[ConsensusPoint], embedder: Embedder) -> tuple[str, ...]:
    [(_, reasons)] = unsupported([sentence], points, embedder, 0.5)
    return reasons


def test_a_faithful_paraphrase_passes(points: list[ConsensusPoint], embedder: Embedder) -> None:
    assert _reasons("Blinken and Lavrov spoke by phone on Tuesday.", points, embedder) == ()
    assert _reasons("Moscow has placed over 100,000 troops on the border with Ukraine.", points, embedder) == ()


def test_a_clause_of_a_quote_passes_by_its_words(points: list[ConsensusPoint], embedder: Embedder) -> None:
    assert _reasons("Blinken and Lavrov held a direct phone conversation.", points, embedder) == ()


def test_an_invented_number_is_caught(points: list[ConsensusPoint], embedder: Embedder) -> None:
    reasons = _reasons("Moscow has placed 150,000 troops on the border with Ukraine.", points, embedder)
    assert any("numbers not in the sources: 150000" in r for r in reasons)


def test_a_changed_weekday_is_caught(points: list[ConsensusPoint], embedder: Embedder) -> None:
    reasons = _reasons("Blinken and Lavrov spoke by phone on Thursday.", points, embedder)
    assert any("dates not in the sources: Thursday" in r for r in reasons)


def test_an_invented_name_is_caught(points: list[ConsensusPoint], embedder: Embedder) -> None:
    reasons = _reasons("Emmanuel Macron and Lavrov spoke by phone on Tuesday.", points, embedder)
    assert any("names not in the sources" in r and "macron" in r for r in reasons)


def test_an_unrelated_sentence_is_caught(points: list[ConsensusPoint], embedder: Embedder) -> None:
    reasons = _reasons("The recipe calls for two eggs and a cup of flour.", points, embedder)
    assert any("close to no consensus point" in r for r in reasons)
