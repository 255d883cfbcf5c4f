"""Disagreements: two independent sources state incompatible values for the same slot of the same claim.

Precision comes first (a false conflict shown to a reader is worse than a missed one), so a conflict needs:

1. two sentences from independent sources that are about the same thing (close embeddings and, for
   figures, shared words or names around them), from reports of the same moment (dated at most
   ``MOMENT_DAYS`` apart, or undated); a figure that differs between reports of different days is kept
   as an *evolving* figure, with each side's date, not as a plain contradiction;
2. the same slot, read from spaCy's dependency parse (service/nlp/facts.py): a figure counting the same
   thing ("12 officers" / "18 officers"), a date of the same event and tense ("apologized on Saturday" /
   "apologized Friday"), the same claim with and without negation, or a party that "has not given its
   account" against another source quoting that party's account;
3. values that are incompatible once approximations are read as intervals ("about", "more than", "as
   many as") and relative dates are resolved against each article's own date.

Kinds: ``number``, ``date``, ``attribution``, ``polarity`` and ``reported_claim`` (a figure one source gives
as someone's claim, another as fact). ``confidence`` is the probability that the conflict is real, from a
logistic model fitted on the hand-labelled dev stories (service/data/disagreement_model.json).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from pathlib import Path

import numpy as np

from service.nlp.facts import DateFact, QuantityFact, SentenceFacts, same_party
from service.nlp.lexicon import content_words, rarity
from service.nlp.linguist import Linguist
from service.nlp.names import normalise_name
from service.nlp.numbers import Value
from service.nlp.synonyms import same_action
from service.nlp.temporal import MONTH_NAMES, MONTH_SPELLINGS, WEEKDAYS, DateMention, same_day, year_of
from service.pipeline.align import SentenceTable, lexical_similarity
from service.pipeline.consensus import support_of
from service.pipeline.types import Disagreement, Position, Sentence, Support

POLARITY_SIMILARITY = 0.75
"""Only near-identical sentences are compared for negation: a claim and its denial read alike otherwise."""
MOMENT_DAYS = 2
"""Reports dated further apart describe different moments of a story: what one says then is no conflict
with what another says later (a toll that rose, an account given since)."""

DEFAULT_MODEL_FILE = Path(__file__).resolve().parent.parent / "data" / "disagreement_model.json"

NEWS_DAYS = 31
"""A date this close to its article's publication is that article's news."""
BACKGROUND_DAYS = 90
"""Two dates of one kind of event this far apart, one of them news, are two events (the other background).
A season, not a year: reports of a quake or a shooting recall the region's earlier ones of the same year ("in
February, a quake hit ..."), while one event's date given months apart by two outlets is rarer. The cost: such a
conflict against this month's news is no longer reported (the dev labels hold one, arguable: a clothing line
launched "in September" or "in December", in reports without a publication date, which this rule never sees)."""

# A cheap test, before the parse, of whether a sentence can hold a figure or a date worth comparing (month
# names only capitalised: "may" is mostly the verb).
_CAPITALISED_MONTHS = "|".join(name.capitalize() for name in MONTH_NAMES.split("|"))
_FIGURE_OR_DAY = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|"
    r"thousand|million|billion|dozen|" + "|".join(WEEKDAYS) + r"|today|yesterday|"
    r"tonight)\b|\b(?-i:" + _CAPITALISED_MONTHS + r")\b",
    re.I,
)
# A party's own account of an event that one report says is missing. "Declined to comment" and "did not respond
# to requests for comment" are left out: another outlet quoting what that party said elsewhere does not
# contradict them.
_NO_ACCOUNT = re.compile(
    r"(?:has|have|had|did)\s*(?:not|n[’']t|yet to)\s+(?:yet\s+)?"
    r"(?:provide|give|release|issue|publish|offer)\w*"
    r"\s+(?:its|their|his|her|a|an|any)\s+(?:own\s+)?(?:version|readout|account)"
    r"|\bno\s+(?:official\s+)?(?:readout|account)\s+(?:was|has been)\s+(?:given|provided|issued)",
    re.I,
)
_QUOTE_MARKS = '"“”'
_CLOSING_QUOTES = "\"”’'"
NAMED_EVENT_FLOOR = 0.3
"""Similarity down to which two sentences dating one named party's one event are compared (below the topic
threshold); set on the dev sets' missed dates (one rehab check-in at 0.43), not fitted finely."""
_STATES = frozenset({"be", "have"})
"""Verbs that date a state, not an event ("was abroad in January" / "was abroad in November"): the same verb
alone does not make two such dates one event's."""
_DAY_WORD = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r"|yesterday|today|(?-i:" + _CAPITALISED_MONTHS + r"))\b", re.I)
"""A day or month named in a sentence (month names only capitalised), before the parse."""
# Units too general to name a slot on their own: the words around them must agree too.
_GENERIC_UNITS = frozenset(
    "people person time year day month week hour minute percent money tally thing way case one member man "
    "woman child".split()
)
_AMOUNTS = frozenset({"money", "percent"})
_GENERIC_COUNTS = _GENERIC_UNITS - _AMOUNTS - {"tally"}
# Figures that describe the party they belong to: the same named party's are one slot whatever the verbs.
_PERSONAL_UNITS = frozenset({"age", "year span"})


@dataclass(frozen=True)
class DisagreementModel:
    """Logistic calibration: P(conflict is real) = sigmoid(intercept + sum(weights[f] * f))."""

    weights: dict[str, float]
    intercept: float

    def confidence(self, features: dict[str, float]) -> float:
        logit = self.intercept + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-logit))


@lru_cache(maxsize=4)
def load_disagreement_model(path: Path = DEFAULT_MODEL_FILE) -> DisagreementModel:
    data = json.loads(path.read_text(encoding="utf-8"))
    weights = {name: float(weight) for name, weight in data["weights"].items()}
    return DisagreementModel(weights=weights, intercept=float(data["intercept"]))


@dataclass
class _Finding:
    """One pairwise conflict; findings of one slot merge into one disagreement."""

    kind: str
    slot: str
    aspect: str
    sides: list[tuple[str, Support]]
    features: dict[str, float]
    evolving: bool = False


@dataclass
class _Story:
    table: SentenceTable
    similarity: np.ndarray
    facts: dict[int, SentenceFacts] = field(default_factory=dict)


def _day(table: SentenceTable, sentence: Sentence) -> date | None:
    return table.articles[sentence.article_id].published_at


def _moment_gap(table: SentenceTable, a: Sentence, b: Sentence) -> int | None:
    """Days between the two sentences' articles; None when either is undated."""
    day_a, day_b = _day(table, a), _day(table, b)
    return None if day_a is None or day_b is None else abs((day_a - day_b).days)


def same_moment(table: SentenceTable, a: Sentence, b: Sentence) -> bool:
    """Whether two sentences' articles can describe the same moment (an undated one may)."""
    gap = _moment_gap(table, a, b)
    return gap is None or gap <= MOMENT_DAYS


def _is_quotation(text: str) -> bool:
    """Mostly a direct quote: a line of speech, whose wording other outlets cut differently."""
    inside, quoted, opening = False, 0, False
    for ch in text:
        if ch in _QUOTE_MARKS:
            inside = not inside
            opening = True
            continue
        if inside:
            quoted += 1
    return opening and quoted > 0.5 * len(text)


def _is_question(text: str) -> bool:
    """A question ("Should Portland go higher than $90 million a season?") asks; it states no figure, date or
    denial."""
    return text.rstrip().rstrip(_CLOSING_QUOTES).rstrip().endswith("?")


def _candidate_pairs(story: _Story, threshold: float, below: float | None = None) -> list[tuple[int, int]]:
    """Sentence pairs of different sources with similarity >= ``threshold`` (and < ``below`` when given); a
    question is in none (:func:`_is_question`)."""
    table = story.table
    keys = [table.key_of(s) for s in table.sentences]
    close = story.similarity >= threshold
    if below is not None:
        close &= story.similarity < below
    asked = np.array([_is_question(s.text) for s in table.sentences], dtype=bool)
    close &= ~asked[:, None] & ~asked[None, :]
    rows, cols = np.nonzero(np.triu(close, 1))
    return [(i, j) for i, j in zip(rows.tolist(), cols.tolist(), strict=True) if keys[i] != keys[j]]


def _parse(story: _Story, indices: Iterable[int], linguist: Linguist) -> None:
    """Read the facts of the sentences of ``indices`` not parsed yet."""
    todo = sorted(i for i in set(indices) if i not in story.facts)
    sentences = [story.table.sentences[i] for i in todo]
    facts = linguist.facts([s.text for s in sentences], [_day(story.table, s) for s in sentences])
    story.facts.update(zip(todo, facts, strict=True))


def _shared_context(a: QuantityFact, b: QuantityFact) -> int:
    """How many words of their clauses two figures share; two verbs of one action ("wounding 70" / "injuring
    80") are one shared word."""
    shared = len(a.context & b.context)
    if a.verb != b.verb and a.verb and b.verb and same_action(a.verb, b.verb):
        shared += 1
    return shared


def _number_label(fact: QuantityFact, other: QuantityFact) -> str:
    """The figure as written; with its bearing where the two bearings are what differs ("150 miles west")."""
    return f"{fact.text} {fact.bearing}" if _opposite_bearings(fact, other) else fact.text


def _opposite_bearings(a: QuantityFact, b: QuantityFact) -> bool:
    """Two distances point from their place in directions with no point of the compass in common."""
    return bool(a.bearing and b.bearing) and _compass_points(a.bearing).isdisjoint(_compass_points(b.bearing))


def _number_aspect(fact: QuantityFact, other: QuantityFact) -> str:
    shared = sorted(fact.context & other.context)
    if fact.unit == "money":
        return f"amount ({', '.join(shared[:2])})" if shared else "amount of money"
    if fact.unit == "percent":
        return f"share ({', '.join(shared[:2])})" if shared else "percentage"
    if fact.unit == "tally":
        return f"tally ({', '.join(shared[:2])})" if shared else "tally"
    if fact.unit == "age":
        return "age"
    if fact.unit == "year span":
        return "span of years"
    if fact.reference:  # "150 nautical miles west of Aden"
        return f"{'direction' if _opposite_bearings(fact, other) else 'distance'} from {fact.reference}"
    if not fact.unit:  # "wounding 70": what the verb did says what is counted
        return f"count ({', '.join(shared[:2] or [fact.verb])})" if shared or fact.verb else "count"
    unit = fact.unit if fact.unit.endswith("s") else f"{fact.unit}s"
    return f"number of {unit}"


RARE_WORD = 3.0
"""Rarity (service/nlp/lexicon.py) from which a word shared near two figures ties them to one thing."""


_FIGURE = re.compile(r"[$€£]?\d[\d,.:-]*")


def _masked_overlap(a: str, b: str) -> float:
    """How much two sentences say the same once their figures are masked: the share of the shorter one's
    content words (rarity-weighted) found in the other. A restated claim with another figure scores high."""
    words_a = {w for w in content_words(_FIGURE.sub(" ", a)) if not w[0].isdigit()}
    words_b = {w for w in content_words(_FIGURE.sub(" ", b)) if not w[0].isdigit()}
    if not words_a or not words_b:
        return 0.0
    shorter, longer = (words_a, words_b) if len(words_a) <= len(words_b) else (words_b, words_a)
    # Summed in sorted order: a set's order changes with Python's hash seed, and so would the last digits.
    total = sum(rarity(w) for w in sorted(shorter)) or 1.0
    return sum(rarity(w) for w in sorted(shorter & longer)) / total


def _local_overlap(a: QuantityFact, b: QuantityFact) -> float:
    smaller = min(len(a.local), len(b.local))
    return len(a.local & b.local) / smaller if smaller else 0.0


def _shared_rare(a: frozenset[str], b: frozenset[str]) -> int:
    return sum(1 for w in a & b if rarity(w) >= RARE_WORD)


def _same_slot(a: QuantityFact, b: QuantityFact) -> bool:
    """Two figures count the same thing: same unit, the same verb or rare words around them, and no modifier
    that sets them apart ("medical" vs "recreational" states)."""
    if a.part or b.part or a.cumulative != b.cumulative:
        return False
    if (a.unit != b.unit or not a.unit) and not _elliptic_pair(a, b):
        return False
    if a.modifiers and b.modifiers and not (a.modifiers & b.modifiers):
        return False
    if a.names and b.names and not same_party(a.names, b.names):
        return False  # the Orioles' offer and the Red Sox's offer
    if len(a.tally) != len(b.tally):
        return False  # "45-7-2" (with draws) and "10-8" (a round's score) or "45-7" (draws left out)
    if a.tally and bool(a.period) != bool(b.period):
        return False  # "a 5-19 start in 2006-07" / "the Sixers, at 9-14": a past season's record and this one's
    if a.period and b.period and not (a.period & b.period):
        return False  # "a 5-19 start in 2006-07" / "a 9-14 start this season": figures of two periods
    if a.tally and (bool(a.bounds) != bool(b.bounds) or (a.bounds and not a.bounds & b.bounds)):
        return False  # "a 135-156 record at the collegiate level" / "a 162-139 record": two coaches' or spans' records
    if a.scope != b.scope:
        return False  # "In the sixth, he landed one punch" / "he landed 178 punches": a round's count, the fight's
    if a.rate != b.rate:
        return False  # "$25 million a season" and "$240 million" over eight years
    if a.reference and b.reference and a.reference != b.reference:
        return False  # "13 miles from the warship" / "150 miles west of Aden": two distances
    if a.currency and b.currency and a.currency != b.currency:
        return False  # "$40 billion" and "euro30 billion": one sum converted, at some rate, or two sums
    if a.agent and b.agent and not same_party(a.agent, b.agent):
        return False  # "the Nationals made Teixeira a $160 million offer" / "the Red Sox made him a $200 million offer"
    if a.unit in _PERSONAL_UNITS and same_party(a.agent, b.agent):
        return True  # one named person has one age, served one span of years
    if a.unit not in _AMOUNTS and a.verb and b.verb and not same_action(a.verb, b.verb):
        return False  # "five boats were spotted" / "three boats were seized"; an amount is one sum whatever the verb
    if a.unit in _GENERIC_COUNTS:
        # "people", "times": what happened to them says which count it is ("died" / "were inside"), not a word
        # that happens to be near both.
        return _shared_context(a, b) >= 1
    return _shared_context(a, b) >= 1 or _shared_rare(a.local, b.local) >= 1


def _elliptic_pair(a: QuantityFact, b: QuantityFact) -> bool:
    """Two figures without a noun, of the same verb ("injuring 80" / "50 were injured"): what the verb did says
    what both count; their verbs may differ in words, not in action ("wounding 70" / "injuring 80"). Not one
    without a noun against one of people: in the dev stories that pair was mostly a background event's toll
    against this one's ("killing one" / "a gunman killed five people" in February); nor one dated to a period
    against one that is not: with no noun to tell them apart, the period may be all that says it is another
    event's."""
    if bool(a.period) != bool(b.period):
        return False  # "wounding 70" / "in February, a quake ... wounding around 1,400": that quake's, not this one's
    return not a.unit and not b.unit and bool(a.verb) and same_action(a.verb, b.verb)


def _log_ratio(a: QuantityFact, b: QuantityFact) -> float:
    """How far apart two figures are (0: alike; 1: one is e times the other); capped at 3."""
    if a.value is None or b.value is None or a.value.figure <= 0 or b.value.figure <= 0:
        return 0.0
    return min(3.0, abs(math.log(a.value.figure / b.value.figure)))


def _compass_points(bearing: str) -> set[str]:
    return set(re.findall(r"north|south|east|west", bearing))


def _incompatible(a: QuantityFact, b: QuantityFact) -> bool:
    if a.tally or b.tally:  # a record ("52-3"), a ratio, a span of years: compared number by number
        return a.tally != b.tally
    if _opposite_bearings(a, b):
        return True  # "150 miles west of Aden" / "150 miles east of Aden": one distance, two places
    return a.value is not None and b.value is not None and not a.value.compatible(b.value)


def _listed_figures(quantities: Sequence[QuantityFact]) -> set[int]:
    """The figures of one sentence that share their slot with another figure of it, with another value.

    One clause does not give two values for one quantity: such a sentence is a list or a comparison ("Romney
    leads with 21 percent, followed by Trump and Huckabee at 17 percent"; "$466.30 at CityZen and $5,587.75 at
    the Holistic Retreat") whose figures the slot reading has not told apart. A listed figure is compared only
    with a figure naming the same item (``QuantityFact.item``).
    """
    return {
        k
        for k, a in enumerate(quantities)
        for m, b in enumerate(quantities)
        if k != m and _same_slot(a, b) and _incompatible(a, b)
    }


def _agrees_with_an_elliptic_count(fact: QuantityFact, others: Sequence[QuantityFact]) -> bool:
    """Whether the other sentence gives ``fact``'s value as an elliptic count: a figure with no noun of its own,
    the object of a verb, beside a figure that has one ("shot four passers-by, killing three": three of them).
    Such a sentence gives two counts of one noun; a figure that agrees with one of them (and whose own verb, if
    any, is the elliptic count's) is that count, and the outlets count different things (the shot and the
    dead), not one thing differently."""
    return any(
        not other.unit
        and other.verb
        # "injured ... and arrested five" is no count of the injured
        and (not fact.verb or same_action(fact.verb, other.verb))
        and other.value is not None
        and fact.value is not None
        and other.value.compatible(fact.value)
        and any(q.unit for q in others)
        for other in others
    )


def _one_of_several_parties(unnamed: QuantityFact, facts: SentenceFacts, named: QuantityFact) -> bool:
    """Whether ``unnamed`` names no party while ``named`` is one named party's figure in a sentence where
    several named parties act ("Dayton matched the bid from Leeds, Portland has made a bid of $60 million"):
    which of them an unnamed "the club" is, nothing says."""
    return not unnamed.agent and bool(named.agent) and len(facts.parties) >= 2


def _period_and_day(dated: QuantityFact, other: QuantityFact, other_facts: SentenceFacts) -> bool:
    """Whether ``dated``'s clause is dated to a period ("a 6.3 tremor in March") and ``other``'s verb to a day
    outside it ("on Sunday a 5.4 tremor shook ..."): two moments, two events. A weekday the article's date does
    not resolve is taken as outside: nothing says it falls in the period."""
    if not dated.period or other.period or not other.verb:
        return False
    days = [
        d.mention
        for d in other_facts.dates
        if same_action(d.event, other.verb) and (d.mention.weekday or d.mention.resolved) and not d.mention.month
    ]
    if not days:
        return False
    return not any(_in_period(m.resolved, period) for m in days if m.resolved is not None for period in dated.period)


def _in_period(day: date, period: str) -> bool:
    """Whether a period as written ("march", "september 2005", "2008") may hold ``day``: it names the day's month
    or year (a season or a span says too little, and is taken as not holding it)."""
    words = set(re.findall(r"[a-z]+|\d{4}", period))
    return bool(words & set(MONTH_SPELLINGS[day.month])) or str(day.year) in words


def _aged_between(a: QuantityFact, b: QuantityFact, day_a: date | None, day_b: date | None) -> bool:
    """Whether two ages of one person differ by the years between their reports: a person is as many years
    older as whole years have passed, or one more once a birthday between the reports is the likelier case
    (at least half a year past the whole years). "38" in April 2007 and "39" in April 2008 agree; "38" and
    "39" on one day, or "38" and "41" a year apart, do not."""
    if day_a is None or day_b is None or a.value is None or b.value is None:
        return False
    years = (day_b - day_a).days / 365.25  # negative when a's report is the later one
    older = b.value.figure - a.value.figure
    if years < 0:
        years, older = -years, -older
    return older in (math.floor(years), round(years))


_LOWER_BOUNDS = frozenset({"atleast", "above"})
_UPPER_BOUNDS = frozenset({"upper", "atmost", "below"})


def _spanned(quantities: Sequence[QuantityFact]) -> list[QuantityFact]:
    """One sentence's figures, with a lower bound and an upper figure of one slot read as the one range they
    state: "worth at least $160 million and possibly as much as $180 million" is one figure, $160-180 million."""
    out: list[QuantityFact | None] = list(quantities)
    for k, low in enumerate(quantities):
        for m, high in enumerate(quantities):
            if k == m or out[k] is None or out[m] is None or low.value is None or high.value is None:
                continue
            if low.value.qualifier not in _LOWER_BOUNDS or high.value.qualifier not in _UPPER_BOUNDS:
                continue
            if low.value.figure > high.value.figure or not _same_slot(low, high):
                continue
            span = Value(low.value.low, high.value.high, "range", (low.value.figure + high.value.figure) / 2)
            out[k], out[m] = None, replace(high, value=span, text=f"{low.text}, {high.text}")
    return [q for q in out if q is not None]


def _number_findings(
    story: _Story, i: int, j: int, similarity: float, gap: int | None, described_only: bool = False
) -> list[_Finding]:
    """Conflicting figures of sentences ``i`` and ``j``; with ``described_only``, only figures that describe one
    named party in both (:func:`_describes_one_party`)."""
    table = story.table
    found: list[_Finding] = []
    quantities_i, quantities_j = _spanned(story.facts[i].quantities), _spanned(story.facts[j].quantities)
    listed_i, listed_j = _listed_figures(quantities_i), _listed_figures(quantities_j)
    for ka, qa in enumerate(quantities_i):
        for kb, qb in enumerate(quantities_j):
            if described_only and not _describes_one_party(qa, qb):
                continue
            if not _same_slot(qa, qb) or not _incompatible(qa, qb):
                continue
            if (ka in listed_i or kb in listed_j) and not qa.item & qb.item:
                continue  # an item of a list, and nothing says it is the other outlet's item
            if _agrees_with_an_elliptic_count(qb, quantities_i) or _agrees_with_an_elliptic_count(qa, quantities_j):
                continue
            if _one_of_several_parties(qa, story.facts[j], qb) or _one_of_several_parties(qb, story.facts[i], qa):
                continue
            if _period_and_day(qa, qb, story.facts[j]) or _period_and_day(qb, qa, story.facts[i]):
                continue
            if qa.unit == "age" and _aged_between(
                qa, qb, _day(table, table.sentences[i]), _day(table, table.sentences[j])
            ):
                continue
            one_claimed = (qa.attributed_to is None) != (qb.attributed_to is None)
            evolving = gap is not None and gap >= 1
            kind = "reported_claim" if one_claimed and not evolving else "number"
            features = {
                "similarity": similarity,
                "shared_context": min(3, _shared_context(qa, qb)),
                "shared_local": min(3, _shared_rare(qa.local, qb.local)),
                "generic_unit": float(qa.unit in _GENERIC_UNITS),
                "approximate": float(qa.value is not None and qa.value.qualifier != "exact")
                + float(qb.value is not None and qb.value.qualifier != "exact"),
                f"kind_{kind}": 1.0,
                "evolving": float(evolving),
                "log_ratio": _log_ratio(qa, qb),
                "masked_overlap": _masked_overlap(table.sentences[i].text, table.sentences[j].text),
                "local_overlap": _local_overlap(qa, qb),
            }
            found.append(
                _Finding(
                    kind=kind,
                    slot=f"number:{qa.unit}:{','.join(sorted((qa.context & qb.context) or (qa.local & qb.local)))}",
                    aspect=_number_aspect(qa, qb),
                    sides=[
                        (_number_label(qa, qb), support_of(table, table.sentences[i])),
                        (_number_label(qb, qa), support_of(table, table.sentences[j])),
                    ],
                    features=features,
                    evolving=evolving,
                )
            )
    return found


_DESCRIBING_UNITS = _PERSONAL_UNITS | {"tally"}
# A figure written beside a name, describing it: a record ("Smith (45-1)"), an age ("Smith, 36," / "36-year-old").
_DESCRIBING_FIGURE = re.compile(r"\b\d{1,3}-\d{1,3}\b|\b\d{1,3}-year-old\b|,\s*\d{1,3}\s*,")


def _describes_one_party(a: QuantityFact, b: QuantityFact) -> bool:
    """Both figures describe the same named party: its age, its span of years, its win-loss record."""
    return a.unit in _DESCRIBING_UNITS and bool(a.agent) and bool(b.agent) and same_party(a.agent, b.agent)


def _unlike_pairs(story: _Story, band: Sequence[tuple[int, int]], pattern: re.Pattern[str]) -> list[tuple[int, int]]:
    """The pairs of ``band`` (too unalike to be candidates) whose sentences both match ``pattern``. Each sentence
    is searched once (a sentence is in many pairs: searching per pair was 60,000 searches on 10 stories)."""
    sentences = story.table.sentences
    matching = {k for k in {k for pair in band for k in pair} if pattern.search(sentences[k].text)}
    return [(i, j) for i, j in band if i in matching and j in matching]


def _described_party_findings(story: _Story, linguist: Linguist, band: Sequence[tuple[int, int]]) -> list[_Finding]:
    """Figures that describe one named party (a record, an age) in sentences too unalike to be candidates (the
    pairs of ``band``): such a figure rides along wherever the name comes up ("Smith (45-1) had been training in
    Spain" / "On the undercard, Smith (43-1) won"), so the rest of the sentences need not be alike; down to the
    named-event floor, as for named events' dates."""
    table = story.table
    pairs = _unlike_pairs(story, band, _DESCRIBING_FIGURE)
    _parse(story, [k for pair in pairs for k in pair], linguist)
    found: list[_Finding] = []
    for i, j in pairs:
        gap = _moment_gap(table, table.sentences[i], table.sentences[j])
        found += _number_findings(story, i, j, float(story.similarity[i, j]), gap, described_only=True)
    return found


def _day_label(fact: DateFact) -> str:
    mention = fact.mention
    if mention.resolved is None:
        return mention.text.rstrip("’'s")
    return mention.resolved.strftime("%A %d %B %Y").replace(" 0", " ")


def _days_apart(a: DateFact, b: DateFact) -> float:
    if a.mention.resolved is None or b.mention.resolved is None:
        return 0.0
    return min(30.0, abs((a.mention.resolved - b.mention.resolved).days)) / 30.0


def _same_event(a: DateFact, b: DateFact, similarity: float) -> bool:
    if a.reporting or b.reporting or a.future != b.future:
        return False
    if a.agent and b.agent and not same_party(a.agent, b.agent):
        return False  # "O'Brien was hired on April 21" / "Cheeks was hired in 2005": two hirings
    if a.direction and b.direction and a.direction != b.direction:
        return False  # "checked out of the clinic on Thursday" / "checked into it in May": two events
    strict = similarity >= 0.75 and len(a.event_words & b.event_words) >= 2
    if a.mention.year or b.mention.year:
        # A year dates a life's many events ("won an Emmy in 2005", "won a Tony in 2004"): the same verb is not
        # enough; the sentences must tell the same event.
        return strict
    return (same_action(a.event, b.event) and a.event not in _STATES and b.event not in _STATES) or strict


def _first_day(mention: DateMention) -> date | None:
    """The day a mention names, or the first of its month, or the middle of its year; None for a bare weekday."""
    if mention.resolved is not None:
        return mention.resolved
    if mention.month and mention.month[0] > 0:
        return date(mention.month[0], mention.month[1], 1)
    return date(mention.year, 7, 1) if mention.year else None  # a year alone: its middle


def _news_and_background(a: DateFact, b: DateFact, published_a: date | None, published_b: date | None) -> bool:
    """One date is the article's news (within a month of its publication) and the other a year or more away
    from it: an earlier event of the same kind ("the 2003 quake razed Bam"), not another day for this one."""
    day_a, day_b = _first_day(a.mention), _first_day(b.mention)
    if day_a is None or day_b is None or abs((day_a - day_b).days) < BACKGROUND_DAYS:
        return False
    return any(
        published is not None and abs((day - published).days) <= NEWS_DAYS
        for day, published in ((day_a, published_a), (day_b, published_b))
    )


def _in_quotation(text: str, start: int) -> bool:
    """Whether position ``start`` of ``text`` is inside a direct quote: an odd number of quote marks before it."""
    return sum(1 for ch in text[:start] if ch in _QUOTE_MARKS) % 2 == 1


def _named_event_date_findings(story: _Story, linguist: Linguist, band: Sequence[tuple[int, int]]) -> list[_Finding]:
    """Dates of one named party's one event in sentences too unalike to be candidates (the pairs of ``band``:
    "Lind checked into a clinic on Tuesday" / "fans cheered as Lind checked in on Friday"): the same event word
    and a shared name in its subject make them one event however the rest of the sentences differ."""
    table = story.table
    pairs = _unlike_pairs(story, band, _DAY_WORD)
    _parse(story, [k for pair in pairs for k in pair], linguist)
    found: list[_Finding] = []
    for i, j in pairs:
        gap = _moment_gap(table, table.sentences[i], table.sentences[j])
        if gap is not None and gap > MOMENT_DAYS:
            continue
        found += _date_findings(story, i, j, float(story.similarity[i, j]), named_only=True)
    return found


def _agrees_with_one_of(fact: DateFact, others: Sequence[DateFact]) -> bool:
    """Whether one of ``others`` dates the same event word as ``fact`` on a day that agrees with it. A sentence that
    dates one event word twice ("killed 26,000 in 2003, and 600 were killed in February") tells two events of
    that kind: a date that agrees with one of them is that event's, not a conflicting date of the other."""
    return any(
        same_action(other.event, fact.event)
        and other.future == fact.future
        and _dates_agree(fact.mention, other.mention)
        for other in others
    )


def _dates_agree(a: DateMention, b: DateMention) -> bool:
    """Two mentions name one day or period as far as both say: the same day, or a year and a date in it ("in 2003",
    "in December 2003"). A bare weekday against a date says nothing either way (``same_day`` is None)."""
    verdict = same_day(a, b)
    if verdict is not None:
        return verdict
    year_a, year_b = year_of(a), year_of(b)
    return year_a is not None and year_a == year_b and bool(a.year or b.year)


def _date_findings(story: _Story, i: int, j: int, similarity: float, named_only: bool = False) -> list[_Finding]:
    table = story.table
    found: list[_Finding] = []
    text_i, text_j = table.sentences[i].text, table.sentences[j].text
    # A date inside a direct quote is the speaker's ("we can do it today", a chant's "today"): it is resolved
    # against the day the speaker spoke, which neither article states, not against the article's date.
    dates_i = [d for d in story.facts[i].dates if not _in_quotation(text_i, d.start)]
    dates_j = [d for d in story.facts[j].dates if not _in_quotation(text_j, d.start)]
    # A date that agrees with one the other sentence gives the same event word is that event's (see
    # _agrees_with_one_of): it is compared with nothing else there.
    dates_j_open = [db for db in dates_j if not _agrees_with_one_of(db, dates_i)]
    for da in dates_i:
        if _agrees_with_one_of(da, dates_j):
            continue
        for db in dates_j_open:
            if not _same_event(da, db, similarity) or same_day(da.mention, db.mention) is not False:
                continue
            if da.possessive and db.possessive:
                continue  # "Friday night's loss" / "Wednesday's home loss": each date names its own game
            if named_only and not (same_action(da.event, db.event) and same_party(da.agent, db.agent)):
                continue
            if _news_and_background(da, db, _day(table, table.sentences[i]), _day(table, table.sentences[j])):
                continue
            found.append(
                _Finding(
                    kind="date",
                    slot=f"date:{da.event}",
                    aspect=f"day of the {da.event_name}",
                    sides=[
                        (_day_label(da), support_of(table, table.sentences[i])),
                        (_day_label(db), support_of(table, table.sentences[j])),
                    ],
                    features={
                        "similarity": similarity,
                        "kind_date": 1.0,
                        "same_event_word": float(same_action(da.event, db.event)),
                        "weekday_only": float(da.mention.resolved is None or db.mention.resolved is None),
                        "days_apart": _days_apart(da, db),
                        "masked_overlap": _masked_overlap(table.sentences[i].text, table.sentences[j].text),
                    },
                )
            )
    return found


_NEGATIONS = frozenset({"not", "no", "never", "n't", "didn't", "don't", "doesn't", "won't", "couldn't", "can't"})


def _contains(a: str, b: str) -> bool:
    """A longer and a shorter version of one line: the shorter's words are (nearly) all in the longer, which
    adds a clause of its own (where its negation may sit), not just a negation."""
    words_a, words_b = set(a.lower().split()), set(b.lower().split())
    shorter, longer = (words_a, words_b) if len(words_a) <= len(words_b) else (words_b, words_a)
    extra = longer - shorter - _NEGATIONS
    return len(shorter & longer) >= 0.8 * len(shorter) and len(extra) >= 3


def _may_negate(a: str, b: str, similarity: float) -> bool:
    """What a polarity conflict needs before the parse: near-identical sentences, neither a quotation, neither
    a longer version of the other (the parse then tells whether exactly one denies the same verb)."""
    if similarity < POLARITY_SIMILARITY or _is_quotation(a) or _is_quotation(b):
        return False
    return lexical_similarity(a, b) >= 0.85 and not _contains(a, b)


def _polarity_findings(story: _Story, i: int, j: int, similarity: float) -> list[_Finding]:
    table = story.table
    fa, fb = story.facts.get(i), story.facts.get(j)
    if fa is None or fb is None or fa.negated_root == fb.negated_root or fa.root != fb.root:
        return []
    a, b = table.sentences[i].text, table.sentences[j].text
    if not _may_negate(a, b, similarity):
        return []
    positive, negative = (i, j) if not fa.negated_root else (j, i)
    words = table.sentences[positive].text.split()
    claim = " ".join(words[:14]) + ("…" if len(words) > 14 else "")
    return [
        _Finding(
            kind="polarity",
            slot=f"polarity:{min(i, j)}:{max(i, j)}",
            aspect=f"whether {claim}",
            sides=[
                ("affirms", support_of(table, table.sentences[positive])),
                ("denies", support_of(table, table.sentences[negative])),
            ],
            features={"similarity": similarity, "kind_polarity": 1.0},
        )
    ]


def _name_key(name: str) -> set[str]:
    """Keys under which a party can be named: the name, each capitalised word, and a demonym's stem
    ("Russian Foreign Ministry" -> russian, russ...; "Russia" -> russia, russ...)."""
    keys = {normalise_name(name)}
    for word in re.findall(r"[A-Z][\w’'-]+", name):
        stem = normalise_name(word)
        keys.add(stem)
        keys.add(stem[:4] if len(stem) >= 5 else stem)
    return {k for k in keys if len(k) >= 3}


_PARTY_WORDS = frozenset({"the", "a", "an", "its", "their", "his", "her"})


def _actor(text: str) -> str | None:
    """The party before a "has not given its account": its capitalised words (a name or an institution)."""
    words = re.findall(r"[A-Z][\w’'.-]*", text)
    return " ".join(words[-3:]) if words else None


def _account_findings(story: _Story, linguist: Linguist, threshold: float) -> list[_Finding]:
    """One source says a party gave no account (of the event); another quotes that party's account of it."""
    table = story.table
    found: list[_Finding] = []
    for i, sentence in enumerate(table.sentences):
        match = _NO_ACCOUNT.search(sentence.text)
        if not match:
            continue
        actor = _actor(sentence.text[: match.start()])
        if actor is None:
            continue
        of = re.match(r"\s+of\s+(?:the|its|their|this|that)\s+(?:\w+\s+)?(\w+)", sentence.text[match.end() :])
        about = f" of the {of.group(1)}" if of else ""
        keys = _name_key(actor)
        # Sentences of other sources, of the same moment and topic, that name the party: who do they quote?
        others = [
            j
            for j, other in enumerate(table.sentences)
            if table.key_of(other) != table.key_of(sentence)
            and same_moment(table, other, sentence)
            and story.similarity[i, j] >= threshold
            and keys & _name_key(other.text)
        ]
        _parse(story, others, linguist)
        counter: list[Support] = []
        best = 0.0
        for j in others:
            speaker = story.facts[j].speaker
            if speaker is None or not (_name_key(speaker) & keys):
                continue
            counter.append(support_of(table, table.sentences[j]))
            best = max(best, float(story.similarity[i, j]))
        if counter:
            found.append(
                _Finding(
                    kind="attribution",
                    slot=f"account:{normalise_name(actor)}",
                    aspect=f"whether {actor} gave its own account{about}",
                    sides=[(f"{actor} has given no account{about}", support_of(table, sentence))]
                    + [(f"{actor}'s own account{about} is reported", s) for s in counter],
                    features={"similarity": best, "kind_attribution": 1.0},
                )
            )
    return found


def _ambiguous(sides: dict[str, dict[tuple[str, int], Support]]) -> bool:
    """An article on two sides of one slot lists several figures of that kind (items of a list, a before and
    an after): the slot is not one fact, so no side can be said to contradict another."""
    seen: dict[str, str] = {}
    for label, supports in sides.items():
        for article_id, _ in supports:
            if seen.setdefault(article_id, label) != label:
                return True
    return False


def _merge(findings: Sequence[_Finding], model: DisagreementModel) -> list[Disagreement]:
    by_slot: dict[str, list[_Finding]] = {}
    for finding in findings:
        by_slot.setdefault(finding.slot, []).append(finding)
    merged: list[Disagreement] = []
    for group in by_slot.values():
        sides: dict[str, dict[tuple[str, int], Support]] = {}
        for finding in group:
            for label, support in finding.sides:
                sides.setdefault(label, {})[(support.article_id, support.start)] = support
        if len(sides) < 2 or _ambiguous(sides):
            continue
        best = max(group, key=lambda f: model.confidence(f.features))
        positions = tuple(Position(claim=label, support=tuple(s.values())) for label, s in sorted(sides.items()))
        merged.append(
            Disagreement(
                aspect=best.aspect,
                kind=best.kind,
                confidence=round(model.confidence(best.features), 2),
                positions=positions,
                evolving=best.evolving,
                features=tuple(sorted(best.features.items())),
            )
        )
    return merged


def find_disagreements(
    table: SentenceTable,
    linguist: Linguist,
    *,
    topic_threshold: float,
    min_confidence: float,
    model: DisagreementModel | None = None,
) -> list[Disagreement]:
    if len(set(table.source_key.values())) < 2 or not table.sentences:
        return []
    model = model or load_disagreement_model()
    story = _Story(table=table, similarity=table.similarity())
    pairs = _candidate_pairs(story, topic_threshold)
    # The parse is most of this stage's time: only pairs that can conflict are parsed.
    in_pairs = {k for pair in pairs for k in pair}
    figures = {k for k in in_pairs if _FIGURE_OR_DAY.search(table.sentences[k].text)}
    pairs = [
        (i, j)
        for i, j in pairs
        if (i in figures and j in figures)
        or _may_negate(table.sentences[i].text, table.sentences[j].text, story.similarity[i, j])
    ]
    _parse(story, [k for pair in pairs for k in pair], linguist)
    findings: list[_Finding] = []
    for i, j in pairs:
        if i not in story.facts or j not in story.facts:
            continue
        a, b = table.sentences[i], table.sentences[j]
        similarity = float(story.similarity[i, j])
        gap = _moment_gap(table, a, b)
        findings += _number_findings(story, i, j, similarity, gap)
        if gap is None or gap <= MOMENT_DAYS:
            findings += _date_findings(story, i, j, similarity)
            findings += _polarity_findings(story, i, j, similarity)
    # Pairs too unalike to be candidates, down to the named-event floor: compared only for what rides with a name.
    band = _candidate_pairs(story, NAMED_EVENT_FLOOR, below=topic_threshold)
    findings += _named_event_date_findings(story, linguist, band)
    findings += _described_party_findings(story, linguist, band)
    findings += _account_findings(story, linguist, topic_threshold)
    kept = [d for d in _merge(findings, model) if d.confidence >= min_confidence]
    return sorted(kept, key=lambda d: -d.confidence)
