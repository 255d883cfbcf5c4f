"""What kind of event a passage is about (a call, a meeting, an attack), from the words that name it."""

from __future__ import annotations

import re
from collections import Counter

# Reporting verbs are kept apart: they name the telling of a story, not the event it tells of
# ("the State Department revealed on Tuesday, following a phone call").
EVENT_WORDS: dict[str, frozenset[str]] = {
    "call": frozenset(["call", "called", "calls", "phone", "telephone", "conversation", "spoke", "talked"]),
    "meeting": frozenset(["meeting", "met", "meet", "talks", "summit", "session", "showdown", "negotiations"]),
    "attack": frozenset(
        ["attack", "attacked", "strike", "strikes", "struck", "bombing", "shelling", "invasion", "invaded"]
    ),
    "announcement": frozenset(
        [
            "said",
            "says",
            "revealed",
            "announced",
            "stated",
            "told",
            "statement",
            "readout",
            "confirmed",
            "reported",
            "noted",
            "published",
            "released",
            "issued",
        ]
    ),
}
_WORD = re.compile(r"\w+")


def event_kinds(text: str) -> Counter[str]:
    """How often each event kind (not announcements) is named in ``text``."""
    return Counter(
        kind
        for word in _WORD.findall(text.lower())
        for kind, vocabulary in EVENT_WORDS.items()
        if kind != "announcement" and word in vocabulary
    )


def dominant_event(text: str) -> str | None:
    """The event kind named most often, or None when none is named or two tie."""
    ranked = event_kinds(text).most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None
    return ranked[0][0]
