"""How much a word or a name tells about a story, from general English word frequencies.

Rarity is ``RARITY_CEILING - zipf`` with the Zipf frequency of the term in wordfreq's English lists (a mix
of news, books, subtitles and web text): "the" (7.7) weighs nothing, "earthquake" (4.2) about 3, a rare
surname (1.3) nearly 6. It is an inverse document frequency that does not depend on the batch, so three
articles are weighed the same way as three thousand, and no corpus of ours was used to make it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS
from wordfreq import zipf_frequency

RARITY_CEILING = 7.0
# Digits tell a lot (a magnitude, a score, a sum) but wordfreq buckets them; one fixed weight, between a
# common noun's and a name's.
NUMBER_RARITY = 4.0
# A name is never weightless: even a very common one ("U.S.") says something about the story.
MIN_NAME_RARITY = 0.5

_WORD = re.compile(r"[a-z][a-z'’-]+|\d+(?:[.,]\d+)*")
_NUMBER = re.compile(r"(?<![\w.])(\d+(?:[.,:-]\d+)*)(?![\w])")


@lru_cache(maxsize=1 << 18)
def rarity(term: str) -> float:
    """How informative ``term`` (lower case, a word or a multi-word name) is: 0 for the commonest words."""
    return max(0.0, RARITY_CEILING - zipf_frequency(term, "en"))


def name_rarity(name: str) -> float:
    return max(MIN_NAME_RARITY, rarity(name))


def content_words(text: str) -> Counter[str]:
    """Lower-cased words and figures of ``text`` that are not stop words, with their counts."""
    return Counter(w for w in _WORD.findall(text.lower()) if w not in STOP_WORDS)


def numbers(text: str) -> Counter[str]:
    """Figures written in digits ("5.6", "52-3", "1,300" -> "1300"), with their counts.

    Single digits are left out: they count ordinary things in every story.
    """
    found: Counter[str] = Counter()
    for raw in _NUMBER.findall(text):
        value = raw.replace(",", "")
        if len(value) > 1 or "." in value:
            found[value] += 1
    return found


def word_weight(word: str) -> float:
    return NUMBER_RARITY if word[0].isdigit() else rarity(word)


STEM_CHARS = 6
"""Words are compared by their first characters ("Russia"/"Russian", "certified"/"certify"): a stemmer's
effect without a language-specific rule list."""


def stem(word: str) -> str:
    """A content word's comparison key: its first ``STEM_CHARS`` characters; a figure whole."""
    return word if word[0].isdigit() else word[:STEM_CHARS]


def _stem_weights(text: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for word in content_words(text):
        key = stem(word)
        weights[key] = max(weights.get(key, 0.0), word_weight(word))
    return weights


@dataclass(frozen=True)
class ContentOverlap:
    """How much of each sentence's informative content the other states (rarity-weighted content words and
    figures found in the other sentence, as a share of the sentence's own)."""

    both: float
    """The lower of the two shares: what both sentences state, neither adding much."""
    shorter: float
    """The share of the sentence with less content found in the other: a longer report may add detail."""


def content_overlap(a: str, b: str) -> ContentOverlap:
    """Two sentences that state one fact share their names, figures and rare words; two that only share a
    topic (the same two people, another thing they did) cover little of each other."""
    left, right = _stem_weights(a), _stem_weights(b)
    left_total, right_total = sum(left.values()), sum(right.values())
    if not left_total or not right_total:
        return ContentOverlap(0.0, 0.0)
    left_share = sum(w for k, w in left.items() if k in right) / left_total
    right_share = sum(w for k, w in right.items() if k in left) / right_total
    return ContentOverlap(min(left_share, right_share), left_share if left_total <= right_total else right_share)
