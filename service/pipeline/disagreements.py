"""Disagreements found by structured comparison of aligned claims: no NLI model is needed or trusted.

Precision comes first: a false conflict shown to a reader is worse than a missed one, so each detector
demands that both sentences are about the same thing (shared names, or close embeddings) before it
compares the detail they state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from service.pipeline.align import SentenceTable, lexical_similarity
from service.pipeline.consensus import support_of
from service.pipeline.entities import entities
from service.pipeline.events import EVENT_WORDS
from service.pipeline.quantities import compatible, quantities
from service.pipeline.temporal import DateMention, date_mentions, same_day
from service.pipeline.types import Disagreement, Position, Sentence, Support

_TOKEN = re.compile(r"[\w’'-]+")

_NO_ACCOUNT = re.compile(
    r"(?:has|have|had|did)\s*(?:not|n[’']t|yet to)\s+(?:yet\s+)?"
    r"(?:provide|give|release|issue|publish|offer)\w*"
    r"\s+(?:its|their|his|her|a|an|any)\s+(?:own\s+)?(?:version|readout|account|statement|details)"
    r"|(?:declined|refused)\s+to\s+(?:comment|give\s+(?:its|a)\s+(?:version|readout|account))"
    r"|\bno\s+(?:official\s+)?(?:readout|account|statement)\s+(?:was|has been)\s+(?:given|provided|issued)",
    re.I,
)
_ATTRIBUTED = re.compile(
    r"\b[Aa]ccording to (?:the\s+)?(?P<a>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*)"
    r"|(?P<b>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*)\s+(?:said|stated|noted|reported|announced|confirmed)\b"
    r"|(?P<c>[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*)*)[’']s\s+(?:readout|statement|press release|account)",
)
# Capitals and institutions stand for their country in news copy ("Moscow", "the Kremlin").
ACTOR_ALIASES = {
    "russia": "russia",
    "russian": "russia",
    "moscow": "russia",
    "kremlin": "russia",
    "us": "united states",
    "u.s": "united states",
    "united states": "united states",
    "american": "united states",
    "america": "united states",
    "washington": "united states",
    "white house": "united states",
    "state department": "united states",
    "ukraine": "ukraine",
    "ukrainian": "ukraine",
    "kyiv": "ukraine",
    "kiev": "ukraine",
    "china": "china",
    "chinese": "china",
    "beijing": "china",
}
_NEGATION = re.compile(r"\b(?:not|no|never|n[’']t|denied|denies|deny|denying|neither|nor|without)\b", re.I)


@dataclass(frozen=True)
class _Claim:
    sentence: Sentence
    support: Support
    label: str


def _tokens(text: str) -> list[str]:
    return [t.lower() for t in _TOKEN.findall(text)]


_DETERMINERS = frozenset("a an the its their his her this that last next".split())
EVENT_WINDOW = 10


def _event_of(sentence: str, mention: DateMention) -> str | None:
    """The kind of event a date mention dates, or None when it dates something else.

    A date after a determiner or with a possessive modifies the noun that follows it ("a January 26
    written response", "Tuesday's conversation"); otherwise it belongs to the nearest event word in
    its clause ("held a phone conversation ... on Monday"), and a nearer reporting verb takes it away
    ("revealed on Tuesday, following a phone call").
    """
    words = [(m.start(), m.group().lower()) for m in _TOKEN.finditer(sentence)]
    first = next((i for i, (start, _) in enumerate(words) if start >= mention.start), len(words))
    last = next((i for i, (start, _) in enumerate(words) if start >= mention.end), len(words))
    modifies_next = mention.text.lower().endswith(("’s", "'s")) or (first > 0 and words[first - 1][1] in _DETERMINERS)
    if modifies_next:
        for _, word in words[last : last + 3]:
            kind = _kind_of(word)
            if kind:
                return kind
        return None
    best: tuple[int, int, str] | None = None
    for i, (_, word) in enumerate(words):
        kind = _kind_of(word)
        if kind is None:
            continue
        distance = first - i if i < first else i - last + 1
        # A reporting verb wins ties: it is what the date is usually attached to.
        rank = (distance, 0 if kind == "announcement" else 1, kind)
        if best is None or rank < best:
            best = rank
    if best is None or best[0] > EVENT_WINDOW:
        return None
    return best[2]


def _kind_of(word: str) -> str | None:
    return next((kind for kind, vocabulary in EVENT_WORDS.items() if word in vocabulary), None)


def _about_same_thing(table: SentenceTable, i: int, j: int, threshold: float) -> bool:
    a, b = table.sentences[i], table.sentences[j]
    shared = entities(a.text) & entities(b.text)
    similarity = float(table.vectors[i] @ table.vectors[j])
    return len(shared) >= 2 or (len(shared) >= 1 and similarity >= threshold)


MOMENT_DAYS = 2
"""Reports dated further apart describe different moments of a story: what one says then is no conflict
with what another says later (a toll that rose, an account given since)."""


def same_moment(table: SentenceTable, a: Sentence, b: Sentence) -> bool:
    """Whether two sentences' articles can describe the same moment (an undated one may)."""
    day_a = table.articles[a.article_id].published_at
    day_b = table.articles[b.article_id].published_at
    return day_a is None or day_b is None or abs((day_a - day_b).days) <= MOMENT_DAYS


def _comparable(table: SentenceTable, a: Sentence, b: Sentence) -> bool:
    return table.key_of(a) != table.key_of(b) and same_moment(table, a, b)


def _cross_source_pairs(table: SentenceTable) -> Iterable[tuple[int, int]]:
    n = len(table.sentences)
    for i in range(n):
        for j in range(i + 1, n):
            if _comparable(table, table.sentences[i], table.sentences[j]):
                yield i, j


def _merge(kind: str, aspect: str, confidence: float, sides: dict[str, list[Support]]) -> Disagreement:
    positions = []
    for label, supports in sorted(sides.items()):
        unique = {(s.article_id, s.start): s for s in supports}
        positions.append(Position(claim=label, support=tuple(unique.values())))
    return Disagreement(aspect=aspect, kind=kind, confidence=round(confidence, 2), positions=tuple(positions))


def date_conflicts(table: SentenceTable, topic_threshold: float) -> list[Disagreement]:
    mentions: dict[int, list[tuple[DateMention, str]]] = {}
    for i, sentence in enumerate(table.sentences):
        published = table.articles[sentence.article_id].published_at
        for mention in date_mentions(sentence.text, published):
            event = _event_of(sentence.text, mention)
            if event and event != "announcement":
                mentions.setdefault(i, []).append((mention, event))

    found: dict[str, tuple[float, dict[str, list[Support]]]] = {}
    indices = sorted(mentions)
    for x, i in enumerate(indices):
        for j in indices[x + 1 :]:
            if not _comparable(table, table.sentences[i], table.sentences[j]):
                continue
            if not _about_same_thing(table, i, j, topic_threshold):
                continue
            for mi, event_i in mentions[i]:
                for mj, event_j in mentions[j]:
                    if event_i != event_j or same_day(mi, mj) is not False:
                        continue
                    aspect = f"day of the {event_i}"
                    confidence = 0.6 + 0.3 * float(table.vectors[i] @ table.vectors[j])
                    best, sides = found.get(aspect, (0.0, {}))
                    for index, mention in ((i, mi), (j, mj)):
                        label = _day_label(mention)
                        sides.setdefault(label, []).append(support_of(table, table.sentences[index]))
                    found[aspect] = (max(best, confidence), sides)
    return [_merge("date", aspect, min(conf, 0.95), sides) for aspect, (conf, sides) in found.items()]


def _day_label(mention: DateMention) -> str:
    if mention.resolved is None:
        return mention.text.rstrip("’'s")
    day = mention.resolved.strftime("%A %d %B %Y").replace(" 0", " ")
    return day


def number_conflicts(table: SentenceTable, topic_threshold: float) -> list[Disagreement]:
    found: dict[str, tuple[float, dict[str, list[Support]]]] = {}
    per_sentence = {i: quantities(s.text) for i, s in enumerate(table.sentences)}
    for i, j in _cross_source_pairs(table):
        if not per_sentence[i] or not per_sentence[j]:
            continue
        if float(table.vectors[i] @ table.vectors[j]) < topic_threshold or not _about_same_thing(
            table, i, j, topic_threshold
        ):
            continue
        for qi in per_sentence[i]:
            for qj in per_sentence[j]:
                if qi.unit != qj.unit or compatible(qi, qj):
                    continue
                aspect = f"number of {qi.unit}s" if not qi.unit.endswith("s") else f"number of {qi.unit}"
                confidence = 0.55 + 0.4 * float(table.vectors[i] @ table.vectors[j])
                best, sides = found.get(aspect, (0.0, {}))
                sides.setdefault(qi.text, []).append(support_of(table, table.sentences[i]))
                sides.setdefault(qj.text, []).append(support_of(table, table.sentences[j]))
                found[aspect] = (max(best, confidence), sides)
    return [_merge("number", aspect, min(conf, 0.95), sides) for aspect, (conf, sides) in found.items()]


def _actor(name: str) -> str | None:
    words = name.lower().replace("’s", "").replace("'s", "").split()
    for size in (2, 1):
        for k in range(len(words) - size + 1):
            key = " ".join(words[k : k + size]).strip(".")
            if key in ACTOR_ALIASES:
                return ACTOR_ALIASES[key]
    return None


def _salient_entities(table: SentenceTable) -> set[str]:
    """Names that at least two independent sources mention: the story's participants."""
    by_source: dict[str, set[str]] = {}
    for sentence in table.sentences:
        by_source.setdefault(table.key_of(sentence), set()).update(entities(sentence.text))
    counts: dict[str, int] = {}
    for names in by_source.values():
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return {name for name, count in counts.items() if count >= 2}


def account_conflicts(table: SentenceTable) -> list[Disagreement]:
    """One source says a party gave no account of the event; another quotes that party's account of it."""
    salient = _salient_entities(table)
    results: list[Disagreement] = []
    for sentence in table.sentences:
        match = _NO_ACCOUNT.search(sentence.text)
        if not match:
            continue
        actor = _actor(sentence.text[: match.start()])
        if actor is None:
            continue
        tail = sentence.text[match.end() : match.end() + 60]
        event = next((k for k, v in EVENT_WORDS.items() if k != "announcement" and set(_tokens(tail)) & v), "event")
        counter: list[Support] = []
        for other in table.sentences:
            if not _comparable(table, other, sentence):
                continue
            for attributed in _ATTRIBUTED.finditer(other.text):
                name = attributed.group("a") or attributed.group("b") or attributed.group("c")
                # The account must be of this story: it names at least two of its participants.
                if _actor(name) == actor and len(entities(other.text) & salient) >= 2:
                    counter.append(support_of(table, other))
                    break
        if counter:
            results.append(
                _merge(
                    "attribution",
                    f"whether {actor.title()} gave its own account of the {event}",
                    0.7,
                    {
                        f"{actor.title()} has given no account of the {event}": [support_of(table, sentence)],
                        f"{actor.title()}'s own account of the {event} is reported": counter,
                    },
                )
            )
    return results


def polarity_conflicts(table: SentenceTable, align_threshold: float) -> list[Disagreement]:
    """Near-identical claims where exactly one side is negated ("X will attend" / "X will not attend")."""
    results: list[Disagreement] = []
    for i, j in _cross_source_pairs(table):
        similarity = float(table.vectors[i] @ table.vectors[j])
        if similarity < max(align_threshold, 0.75):
            continue
        a, b = table.sentences[i].text, table.sentences[j].text
        neg_a, neg_b = len(_NEGATION.findall(a)), len(_NEGATION.findall(b))
        if (neg_a > 0) == (neg_b > 0):
            continue
        stripped_a, stripped_b = _NEGATION.sub(" ", a), _NEGATION.sub(" ", b)
        if lexical_similarity(stripped_a, stripped_b) < 0.85:
            continue
        positive, negative = (i, j) if neg_a == 0 else (j, i)
        words = table.sentences[positive].text.split()
        claim = " ".join(words[:14]) + ("…" if len(words) > 14 else "")
        results.append(
            _merge(
                "polarity",
                f"whether {claim}",
                0.5 + 0.4 * similarity,
                {
                    "affirms": [support_of(table, table.sentences[positive])],
                    "denies": [support_of(table, table.sentences[negative])],
                },
            )
        )
    return results


def find_disagreements(
    table: SentenceTable, *, topic_threshold: float, align_threshold: float, min_confidence: float
) -> list[Disagreement]:
    if len(set(table.source_key.values())) < 2:
        return []
    found = (
        date_conflicts(table, topic_threshold)
        + number_conflicts(table, topic_threshold)
        + account_conflicts(table)
        + polarity_conflicts(table, align_threshold)
    )
    kept = [d for d in found if d.confidence >= min_confidence]
    return sorted(kept, key=lambda d: -d.confidence)
