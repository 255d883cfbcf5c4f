"""Light named-entity spotting without a downloaded NER model: capitalised word runs, minus function words."""

from __future__ import annotations

import re

_CAPITALISED_RUN = re.compile(
    r"\b(?:[A-Z][\w’'.-]*[\w]|[A-Z]\.(?:[A-Z]\.)+)(?:\s+(?:of|the|de|von|van|al)?\s*[A-Z][\w’'.-]*[\w])*"
)
_NOT_NAMES = frozenset(
    [
        "a",
        "an",
        "the",
        "this",
        "that",
        "these",
        "those",
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "you",
        "his",
        "her",
        "its",
        "their",
        "our",
        "my",
        "your",
        "there",
        "here",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "to",
        "with",
        "without",
        "of",
        "and",
        "or",
        "but",
        "as",
        "if",
        "when",
        "while",
        "after",
        "before",
        "since",
        "during",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "mr",
        "mrs",
        "ms",
        "dr",
        "according",
        "however",
        "also",
        "meanwhile",
        "last",
        "next",
        "earlier",
        "later",
        "today",
        "yesterday",
        "tomorrow",
        "some",
        "many",
        "most",
        "both",
        "all",
        "any",
        "each",
        "other",
        "such",
        "no",
        "not",
        "one",
        "two",
    ]
)


# Last words that name a kind of body, not a particular one: "State Department" and "Defense
# Department" share "department" but nothing else.
_GENERIC_HEADS = frozenset(
    """department ministry council house office party union government nations states forces minister
    secretary president spokesman spokeswoman spokesperson ambassador agency committee court army navy
    republic republics kingdom city region province state news times post press""".split()
)


def _normalise(name: str) -> str:
    name = re.sub(r"[’']s$", "", name.strip())
    return name.replace(".", "").lower()


def entities(text: str) -> set[str]:
    """Lower-cased names (people, places, organisations) mentioned in ``text``, plus surnames.

    Sentence-initial function words are capitalised too, so runs that are only such words are dropped,
    and a run that starts with one loses it ("The State Department" -> "state department").
    """
    found: set[str] = set()
    for match in _CAPITALISED_RUN.finditer(text):
        words = match.group().split()
        while words and words[0].lower().strip(".") in _NOT_NAMES:
            words = words[1:]
        if not words:
            continue
        name = _normalise(" ".join(words))
        if len(name) > 1:
            found.add(name)
        # "Secretary of State Antony Blinken", "Mr. Blinken" and "Blinken" are one person: the last word
        # of a longer name is added as a key of its own, unless it is a generic head.
        head = _normalise(words[-1])
        if len(words) > 1 and len(head) > 2 and head not in _GENERIC_HEADS:
            found.add(head)
    return found
