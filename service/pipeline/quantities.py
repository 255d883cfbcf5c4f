"""Counted quantities ("over 100,000 troops") as intervals, so approximations compare fairly."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_WORD_NUMBERS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
            "twenty",
        ]
    )
}
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_QUALIFIERS = {
    "about": "approx",
    "around": "approx",
    "approximately": "approx",
    "roughly": "approx",
    "some": "approx",
    "nearly": "below",
    "almost": "below",
    "up to": "atmost",
    "fewer than": "below",
    "less than": "below",
    "under": "below",
    "over": "above",
    "more than": "above",
    "at least": "atleast",
    "upwards of": "above",
    "exceeding": "above",
}
_QUALIFIER = r"(?:(?P<qual>" + "|".join(sorted(_QUALIFIERS, key=len, reverse=True)) + r")\s+)?"
_NUMBER = r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(_WORD_NUMBERS) + r")"
_SCALE = r"(?:\s*(?P<scale>thousand|million|billion|trillion)\b)?"
_UNIT = r"\s+(?P<first>[a-z][a-z-]+)(?:\s+(?P<second>[a-z]{3,}))?"
_QUANTITY = re.compile(
    r"\b" + _QUALIFIER + _NUMBER + _SCALE + r"(?:\s+(?:of\s+)?(?:his|her|its|their|the)?)?" + _UNIT, re.I
)
# Words after a number that name no counted thing ("100,000 more", "two of them").
_NOT_UNITS = frozenset(
    [
        "and",
        "the",
        "of",
        "or",
        "to",
        "for",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "more",
        "than",
        "that",
        "this",
        "those",
        "these",
        "were",
        "was",
        "is",
        "are",
    ]
)


@dataclass(frozen=True)
class Quantity:
    text: str
    start: int
    end: int
    unit: str
    low: float
    high: float


def _unit_key(word: str) -> str:
    word = word.lower()
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


_ADJECTIVE_ENDINGS = ("an", "ish", "ese", "al", "ed", "ly", "ive", "ic")


def _unit_word(first: str, second: str | None) -> str | None:
    """The counted noun: the word after the number, or the next one when the first only describes it
    ("130,000 Russian troops", "100,000 armed soldiers")."""
    if first.lower() in _NOT_UNITS:
        return None
    describes = first[0].isupper() or "-" in first or first.lower().endswith(_ADJECTIVE_ENDINGS)
    if second and describes and second.lower() not in _NOT_UNITS:
        return second.lower()
    return first.lower()


def quantities(text: str) -> list[Quantity]:
    found: list[Quantity] = []
    for m in _QUANTITY.finditer(text):
        raw = m.group("num").lower()
        unit = _unit_word(m.group("first"), m.group("second"))
        if unit is None:
            continue
        value = float(_WORD_NUMBERS[raw]) if raw in _WORD_NUMBERS else float(raw.replace(",", ""))
        if m.group("scale"):
            value *= _SCALES[m.group("scale").lower()]
        # Years are dates, not counts.
        if 1900 <= value <= 2100 and "," not in raw and not m.group("scale") and not m.group("qual"):
            continue
        qual = _QUALIFIERS.get((m.group("qual") or "").lower(), "exact")
        low, high = {
            "exact": (value * 0.995, value * 1.005),
            "approx": (value * 0.9, value * 1.1),
            "above": (value, math.inf),
            "atleast": (value, math.inf),
            "below": (value * 0.8, value),
            "atmost": (0.0, value),
        }[qual]
        found.append(Quantity(m.group(), m.start(), m.end(), _unit_key(unit), low, high))
    return found


def compatible(a: Quantity, b: Quantity) -> bool:
    return a.low <= b.high and b.low <= a.high
