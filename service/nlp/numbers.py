"""The value a number phrase states, as an interval, so that approximations compare fairly.

"nearly 300,000" is [270,000, 300,000), "more than 100,000" is (100,000, inf), "about 20" is [18, 22], "as many
as 1.5 million", "as much as $180 million" and "up to 1.6 million" are upper figures that news uses as the figure
itself ([95%, 100%] of it). Exact figures keep a half-percent of rounding either way; a round figure of one
significant digit, written from 100 up ("$700 billion", "300,000"), is how news writes a rounded sum, and keeps 5%
("$716 billion" is no other sum than "$700 billion"; "$184 million" still is than "$200 million"; "$80 million"
and "$82 million" are two sums: "80" is written to the unit).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_UNITS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "dozen": 12, "a dozen": 12, "hundred": 100,
}  # fmt: skip
_SCALES = {
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "mn": 1e6, "bn": 1e9, "m": 1e6, "mm": 1e6
}  # fmt: skip
# (qualifier, kind): the longest phrases first.
_QUALIFIERS = (
    ("as many as", "upper"),
    ("as much as", "upper"),
    ("up to", "upper"),
    ("at most", "atmost"),
    ("no more than", "atmost"),
    ("at least", "atleast"),
    ("more than", "above"),
    ("over", "above"),
    ("upwards of", "above"),
    ("in excess of", "above"),
    ("exceeding", "above"),
    ("fewer than", "below"),
    ("less than", "below"),
    ("under", "below"),
    ("nearly", "nearly"),
    ("almost", "nearly"),
    ("about", "approx"),
    ("around", "approx"),
    ("approximately", "approx"),
    ("roughly", "approx"),
    ("some", "approx"),
    ("an estimated", "approx"),
    ("estimated", "approx"),
    ("close to", "nearly"),
)
QUALIFIER_PHRASES = frozenset(words for words, _ in _QUALIFIERS)
# How news writes the common currencies, symbol or word; "$" stands for any dollar (US, Canadian, Australian):
# two amounts in different currencies are not compared (a conversion is no conflict, and rates move).
_CURRENCIES = (
    (re.compile(r"€|\beur(?:os?)?(?![a-z])", re.I), "euro"),
    (re.compile(r"£|\bpounds?\b|\bsterling\b|\bgbp\b", re.I), "pound"),
    (re.compile(r"¥|\byen\b", re.I), "yen"),
    (re.compile(r"\byuan\b|\brenminbi\b|\brmb\b", re.I), "yuan"),
    (re.compile(r"₹|\brupees?\b|\brs\.?(?=\s*\d)", re.I), "rupee"),
    (re.compile(r"\$|\bdollars?\b|\busd\b", re.I), "dollar"),
)
_NUMBER = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|\d*\.\d+")


@dataclass(frozen=True)
class Value:
    low: float
    high: float
    qualifier: str
    """exact, rounded, approx, nearly, above, atleast, below, atmost, upper or range."""
    figure: float
    """The number as written, scaled ("1.5 million" -> 1,500,000)."""

    def compatible(self, other: Value) -> bool:
        return self.low <= other.high and other.low <= self.high


def parse_value(phrase: str) -> Value | None:
    """The value of a number phrase ("nearly 235,000", "$5,687.75", "1.5 million", "three"); None if none."""
    text = " ".join(phrase.lower().replace("$", " ").replace("€", " ").replace("£", " ").split())
    qualifier = "exact"
    for words, kind in _QUALIFIERS:
        if text.startswith(words + " "):
            qualifier, text = kind, text[len(words) + 1 :]
            break
    spanned = _range(text)
    if spanned is not None:
        return spanned
    figure = _figure(text)
    if figure is None:
        return None
    if qualifier == "exact" and _rounded(text):
        qualifier = "rounded"
    low, high = _interval(figure, qualifier)
    return Value(low=low, high=high, qualifier=qualifier, figure=figure)


_RANGE = re.compile(r"^(?:between\s+)?(?P<low>.+?)\s*(?:\bto\b|\band\b|-|–)\s*(?P<high>.+)$")


def _range(text: str) -> Value | None:
    """ "between 140 and 150 million", "140 million to 160 million", "500,000-1.6 million": the span itself,
    the scale of its upper end applying to a lower end written without one."""
    match = _RANGE.match(text)
    if match is None or not _NUMBER.fullmatch(match.group("low").split()[0]):
        return None
    high = _figure(match.group("high"))
    low = _figure(match.group("low"))
    if high is None or low is None:
        return None
    scale = next((_SCALES[w] for w in match.group("high").split()[1:2] if w in _SCALES), 1.0)
    if low < high / 1000 and len(match.group("low").split()) == 1:
        low *= scale  # "140 and 150 million": 140 million
    if not low < high:
        return None
    return Value(low=low * 0.995, high=high * 1.005, qualifier="range", figure=(low + high) / 2)


def currency(phrase: str) -> str | None:
    """The currency an amount is written in ("$40 billion": dollar, "euro30 billion": euro); None if unsaid."""
    for pattern, name in _CURRENCIES:
        if pattern.search(phrase):
            return name
    return None


def _figure(text: str) -> float | None:
    match = _NUMBER.search(text)
    if match:
        value = float(match.group().replace(",", ""))
        rest = text[match.end() :].strip().split()
    else:
        words = text.replace("-", " ").split()
        spelled, consumed = _spelled(words)
        if spelled is None:
            return None
        value, rest = spelled, words[consumed:]
    scale = rest[0].lstrip("-") if rest else ""  # "110-billion" as "110 billion"
    if scale in _SCALES:
        value *= _SCALES[scale]
    return value


def _spelled(words: list[str]) -> tuple[float | None, int]:
    """ "twenty five" -> 25, "a dozen" -> 12, "three hundred" -> 300; None when the words are no number."""
    total = 0.0
    consumed = 0
    for word in words:
        if word in ("hundred", "dozen"):
            total = total * _UNITS[word] if total else float(_UNITS[word])  # "three hundred", "two dozen", "a dozen"
        elif word in _UNITS:
            total += _UNITS[word]
        elif word == "a" and consumed == 0:
            pass
        else:
            break
        consumed += 1
    if consumed == 0 or (consumed == 1 and words[0] == "a"):
        return None, 0
    return total, consumed


ROUNDED_FROM = 100
"""The smallest number, as written before its scale word, read as rounded when it has one significant digit: "20
people" or "$80 million" is meant exactly; "700" in "$700 billion" and "300,000" mostly are not."""


def _rounded(text: str) -> bool:
    match = _NUMBER.search(text)
    if match is None:
        return False
    written = float(match.group().replace(",", ""))
    if written < ROUNDED_FROM:
        return False
    magnitude = 10 ** math.floor(math.log10(written))
    return math.isclose(written % magnitude, 0.0, abs_tol=1e-9 * written)


def _interval(figure: float, qualifier: str) -> tuple[float, float]:
    return {
        "exact": (figure * 0.995, figure * 1.005),
        "rounded": (figure * 0.95, figure * 1.05),
        "approx": (figure * 0.9, figure * 1.1),
        "nearly": (figure * 0.9, figure),
        "above": (figure, math.inf),
        "atleast": (figure, math.inf),
        "below": (0.0, figure),
        "atmost": (0.0, figure),
        "upper": (figure * 0.95, figure),
    }[qualifier]
