"""Named entities from spaCy's statistical NER, normalised so that the reports of one story can match them."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# Labels that name a participant, place or thing of a story; dates, amounts and ordinals are values, not names.
NAME_LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    start: int
    end: int


def normalise_name(text: str) -> str:
    """ "The U.S. State Department's" -> "us state department": case, articles, possessives and dots removed."""
    name = text.lower().replace("’", "'")
    name = re.sub(r"'s?$", "", name)
    name = re.sub(r"^the\s+", "", name)
    return " ".join(name.replace(".", "").split())


def name_keys(entity: Entity) -> list[str]:
    """The keys a report may use for this entity: the whole name, and a person's surname alone
    ("Secretary Antony Blinken", "Mr. Blinken" and "Blinken" are one person)."""
    if entity.label not in NAME_LABELS:
        return []
    name = normalise_name(entity.text)
    if len(name) < 2:
        return []
    words = name.split()
    if entity.label == "PERSON" and len(words) > 1:
        return [name, words[-1]]
    return [name]


def name_bag(entities: Iterable[Entity]) -> Counter[str]:
    return Counter(key for entity in entities for key in name_keys(entity))
