"""Verbs that name one action: outlets tell one event in their own words ("wounding 70" / "injuring 80").

Two verb lemmas are one action when they are the same or share one of the two commonest WordNet senses of each
("wound" / "injure", "wed" / "marry", "die" / "perish"). Rarer senses are left out: they join nearly every pair of
common verbs ("take" / "get" share a rare sense) and would make different actions one. The groups are in
``service/data/verb_senses.json``, written from Princeton WordNet 3.0 by ``benchmarks/make_verb_senses.py``
(licence in ``service/data/WORDNET_LICENSE``). Nothing of ours was fitted to make them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=1)
def _senses() -> dict[str, frozenset[int]]:
    """lemma -> the numbers of the sense groups it belongs to."""
    text = resources.files("service.data").joinpath("verb_senses.json").read_text(encoding="utf-8")
    senses: dict[str, set[int]] = {}
    for number, group in enumerate(json.loads(text)["groups"]):
        for lemma in group:
            senses.setdefault(lemma, set()).add(number)
    return {lemma: frozenset(numbers) for lemma, numbers in senses.items()}


def same_action(a: str, b: str) -> bool:
    """Whether two verb lemmas name one action: the same lemma, or WordNet synonyms in a common sense of each."""
    if a == b:
        return True
    senses = _senses()
    return bool(senses.get(a, frozenset()) & senses.get(b, frozenset()))
