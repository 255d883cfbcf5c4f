"""The checkable facts of a parsed sentence: figures (what they count) and dates (what they date).

Read from spaCy's dependency parse and named entities, so a figure is tied to the noun it counts ("12 police
officers", "$5,687.75 spent at the retreat") and a date to the event it dates ("apologized on Saturday"), and
two reports are compared slot by slot, not by the unit word they happen to share.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from service.nlp.numbers import QUALIFIER_PHRASES, Value, currency, parse_value
from service.nlp.synonyms import same_action
from service.nlp.temporal import MONTH_NAMES, WEEKDAYS, DateMention, date_mentions, shifted

# A fact is weighed by what surrounds it: content words of these parts of speech.
_CONTENT = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "NUM"})
_ARGUMENTS = frozenset({"dobj", "nsubj", "nsubjpass", "attr", "prt", "pobj", "compound", "amod", "xcomp"})
# Verbs that report a statement rather than an event ("said on Tuesday", "told reporters").
REPORTING_VERBS = frozenset(
    "say tell report announce state confirm reveal add note claim insist argue acknowledge write tweet post "
    "explain declare deny admit estimate predict warn suggest testify respond".split()
)
# Verbs whose object names the event: "held a call on Monday" dates the call.
_LIGHT_VERBS = frozenset("hold have make take give conduct stage host attend".split())
_FUTURE_AUX = frozenset({"will", "shall", "'ll", "wo", "would"})
# An infinitive is ahead of its head verb only after these: "is to meet", "going to vote" (and the planning verbs
# below), not after "had to apologize" or "was forced to resign".
_FUTURE_INFINITIVE_HEADS = frozenset({"be", "go"})
_FUTURE_VERBS = frozenset({"schedule", "plan", "expect", "set", "due", "intend", "aim", "prepare"})
_RANK_MARKERS = frozenset({"no", "no.", "number", "#", "rank", "ranked", "top"})
_TALLY = re.compile(r"(?<![\d.,-])(\d{1,3})-(\d{1,3})(?:-(\d{1,3}))?(?![\d-]|\s*-?\s*(?:year|month|week|day|hour))")
_AGE = re.compile(r"\b(\d{1,3})-year-old\b")
_SPELLED = r"\d+|one|two|three|four|five|six|seven|eight|nine|ten"
# "a 2-in-3 chance", "one in three", "3 out of 4": one figure, a ratio.
_RATIO = re.compile(rf"\b({_SPELLED})[- ](?:in|out[- ]of)[- ]({_SPELLED})\b", re.I)
# "from 1967 to 1979", "1966-1978": a span of years.
_YEAR_SPAN = re.compile(r"\b(?:from\s+)?((?:19|20)\d\d)\s*(?:to|-|–|until|through)\s*((?:19|20)\d\d)\b")
LOCAL_WINDOW = 6
"""Tokens either side of a figure whose content words say what it is about (a list of amounts, each with its
item: "$466.30 dinner at CityZen and a $5,587.75 vacation at the Martha's Vineyard retreat")."""
NUMBER_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY"})


@dataclass(frozen=True)
class QuantityFact:
    start: int
    end: int
    text: str
    value: Value | None
    """None for a tally ("396-9"), compared by ``tally`` instead."""
    unit: str
    """What is counted: the lemma of the counted noun, "money", "percent", "age", "tally"; "" when unknown."""
    context: frozenset[str]
    """Content lemmas of the counted noun's modifiers and of the verb and arguments around the figure."""
    local: frozenset[str] = frozenset()
    """Content lemmas within ``LOCAL_WINDOW`` tokens of the figure."""
    names: frozenset[str] = frozenset()
    """Proper names within ``LOCAL_WINDOW`` tokens of the figure (whose offer, which team, which town)."""
    agent: frozenset[str] = frozenset()
    """Whose figure it is: the proper names in the subject of its clause (who made the offer, fired the rockets,
    won the share); for an age, the named person it describes."""
    cumulative: bool = False
    """A running total ("so far", "in total", "this season"), not the figure of one event."""
    modifiers: frozenset[str] = frozenset()
    """Adjectives and compounds on the counted noun ("recreational" in "four states legalized recreational ...")."""
    part: bool = False
    """A part of a whole ("12 of the 20 victims"): not comparable with the whole."""
    attributed_to: str | None = None
    """Who the sentence says states this figure ("X said ..."), if anyone."""
    tally: tuple[int, ...] = ()
    period: frozenset[str] = frozenset()
    """The period the figure's clause is dated to, when it names one longer than a day ("in 2006-07", "last
    spring", "early November", "in his first season"): a figure of another period is background."""
    rate: str | None = None
    """What the figure is counted per ("$25 million a season": season; "15.5 points per game": game): a rate
    is not comparable with a total, nor with a rate per something else."""
    item: frozenset[str] = frozenset()
    """Proper names in the figure's own phrase ("$5,687.75 on Martha's Vineyard Holistic Retreat") or of the
    name it stands beside ("Huckabee (14 percent)"): which item of a list the figure is."""
    currency: str | None = None
    """The currency of an amount of money, where it is written ("$", "euros"): different currencies are no
    conflict."""
    reference: str | None = None
    """What a distance is measured from ("150 nautical miles west of Aden": aden; "13 miles from the warship":
    warship): two distances from different places are two figures."""
    bearing: str = ""
    """The compass direction a distance points from its reference, as written ("150 nautical miles west of Aden":
    west; "20 km north-east of the town": north-east): one distance from one place in two directions is two
    places."""
    verb: str = ""
    """What happened to what is counted: the lemma of the verb whose subject or object the counted noun is
    ("three people died": die; "had been inside": be); "" where the figure sits further from its verb, and for a
    distance."""
    scope: frozenset[str] = frozenset()
    """A numbered part of the whole the count's event happened in ("In the sixth, he landed one punch":
    sixth; "in the third quarter"): a count within one part is not the count over the whole, nor another
    part's."""
    bounds: frozenset[str] = frozenset()
    """For a win-loss record, what it is bounded to ("at the collegiate level", "as a head coach", "in three
    seasons": level, coach, season): records with no shared bound are two records."""


@dataclass(frozen=True)
class DateFact:
    start: int
    end: int
    text: str
    mention: DateMention
    event: str
    """Lemma of what the date dates: the verb it attaches to, or a light verb's object ("held a call")."""
    event_name: str
    """The event as a reader would name it: the object with its compounds ("telephone conversation")."""
    event_words: frozenset[str]
    future: bool
    reporting: bool
    """The date is when something was said or reported, not when the event happened."""
    agent: frozenset[str] = frozenset()
    """Proper names in the subject of the dated verb: who did what the date dates ("O'Brien was hired")."""
    direction: str = ""
    """The dated verb's particle of direction ("checked *out* of", "checked *into*", "stepped *down*"): one verb
    with opposite particles names opposite events (checking into a clinic and checking out of it)."""
    possessive: bool = False
    """The date is written as the event's possessor ("Wednesday's home loss", "Tuesday's call"): it names which
    event is meant more than it states when it happened."""


@dataclass(frozen=True)
class SentenceFacts:
    quantities: tuple[QuantityFact, ...]
    dates: tuple[DateFact, ...]
    negated_root: bool
    root: str
    speaker: str | None
    """The subject of the main reporting verb ("Peskov said ..."), or "according to X"'s X."""
    parties: tuple[frozenset[str], ...] = ()
    """The named subjects of the sentence's verbs other than reporting verbs, one entry a party (its name
    phrases): "Dayton matched the bid ..., Portland has made one ...": dayton, portland."""


def _lemma(token: Any) -> str:
    return str(token.lemma_).lower()


def _governor(token: Any) -> Any:
    """The nearest verb above ``token`` (or the sentence root)."""
    node = token
    while node.head.i != node.i and node.pos_ not in ("VERB", "AUX"):
        node = node.head
    return node


def _arguments(verb: Any) -> set[str]:
    words = {_lemma(verb)} if verb.pos_ in ("VERB", "AUX", "NOUN") else set()
    for child in verb.children:
        if child.dep_ in _ARGUMENTS and child.pos_ in _CONTENT and not child.like_num:
            words.add(_lemma(child))
        if child.dep_ == "prep":
            words |= {_lemma(g) for g in child.children if g.dep_ == "pobj" and g.pos_ in _CONTENT}
    if verb.dep_ == "acl" and verb.head.pos_ in _CONTENT:
        words.add(_lemma(verb.head))  # "a lawsuit involving 1.5 million women": the clause describes the lawsuit
    return words


def _speaker(token: Any) -> str | None:
    """Who a token's clause is attributed to: "X said (that) ..." or "according to X"."""
    node = token
    while node.head.i != node.i:
        head = node.head
        if node.dep_ in ("ccomp", "parataxis", "dobj") and _lemma(head) in REPORTING_VERBS:
            subjects = [c for c in head.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subjects:
                return " ".join(t.text for t in subjects[0].subtree)
        node = head
    for tok in token.sent:
        if tok.lower_ == "according" and tok.i + 1 < len(tok.doc) and tok.doc[tok.i + 1].lower_ == "to":
            objects = [c for c in tok.doc[tok.i + 1].children if c.dep_ == "pobj"]
            if objects:
                return " ".join(t.text for t in objects[0].subtree)
    return None


_CURRENCY_SIGNS = frozenset("$€£¥₹")


def _qualified_text(doc: Any, start: int, end: int) -> tuple[int, str]:
    """The entity's text with an approximation just before it ("nearly", "more than") included, and a currency
    sign the entity recognizer left out ("$" of "$5,587.75")."""
    if start > 0 and doc[start - 1].text in _CURRENCY_SIGNS:
        start -= 1
    for size in (3, 2, 1):
        if start - size >= 0 and doc[start - size : start].text.lower() in QUALIFIER_PHRASES:
            return start - size, doc[start - size : end].text
    return start, doc[start:end].text


def _window(doc: Any, start: int, end: int) -> Any:
    return doc[max(0, start - LOCAL_WINDOW) : min(len(doc), end + LOCAL_WINDOW)]


def _local(doc: Any, start: int, end: int) -> frozenset[str]:
    return frozenset(
        _lemma(t)
        for t in _window(doc, start, end)
        if t.pos_ in ("NOUN", "PROPN", "VERB", "ADJ") and not t.like_num and not t.is_stop
    )


def _names(doc: Any, start: int, end: int) -> frozenset[str]:
    """Proper names near the figure and the subject of its clause (whose offer, which team)."""
    near = _name_phrases(t for t in _window(doc, start, end) if _is_name(t))
    return near | _subject_names(_governor(doc[start]))


def _name_phrases(tokens: Iterable[Any]) -> frozenset[str]:
    """The whole names that name tokens are parts of ("Navy" in "the British Royal Navy": "british royal navy",
    even where only "Navy" is near the figure), a person's name reduced to its last word ("President Obama",
    "Barack Obama": "obama"). Names are compared as wholes (:func:`same_party`): "Indian Navy" and "British
    Royal Navy" share a word, not a party."""
    phrases = set()
    for token in tokens:
        root = token
        while root.dep_ == "compound" and root.head.i != root.i and _is_name_part(root.head):
            root = root.head
        if root.ent_type_ == "PERSON" and _is_name(root):
            phrases.add(root.lower_)
            continue
        words = [root]
        frontier = [root]
        while frontier:
            parts = [c for t in frontier for c in t.children if c.dep_ == "compound" and _is_name_part(c)]
            words += parts
            frontier = parts
        phrases.add(" ".join(w.lower_ for w in sorted(words, key=lambda w: w.i)))
    return frozenset(phrases)


def _is_name_part(token: Any) -> bool:
    return _is_name(token) or _is_origin(token)


def same_party(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two sets of names (:func:`_name_phrases`) share a party: one name is the other or a part of it
    ("Red Sox" and "Boston Red Sox"; "obama" and "obama")."""
    return any(set(x.split()) <= set(y.split()) or set(y.split()) <= set(x.split()) for x in a for y in b)


def _described_names(noun: Any) -> frozenset[str]:
    """The name of the person a description is attached to: "23-year-old Vishwanand Subryan" (subryan), "Raj
    Chohan, a 59-year-old grandmother" (chohan), "the 36-year-old champion Klitschko" (the
    title's name, in apposition or compound); none for an unnamed "the 39-year-old man"."""
    if noun.pos_ != "PROPN" and noun.dep_ in ("appos", "compound") and noun.head.pos_ == "PROPN":
        noun = noun.head
    elif noun.pos_ != "PROPN":
        named = [c for c in noun.rights if c.dep_ == "appos" and c.pos_ == "PROPN" and c.i == noun.i + 1]
        noun = named[0] if named else noun
    if noun.pos_ != "PROPN":
        return frozenset()
    parts = [c for c in noun.children if c.dep_ == "compound" and c.pos_ == "PROPN"] + [noun]
    return _name_phrases(t for t in parts if _is_name(t))


def _possessor_names(root: Any) -> frozenset[str]:
    """The named owner of the thing a figure sizes ("President Obama's $716 billion raid": obama): whose figure
    it is, before the subject of the clause around it."""
    if root.dep_ not in ("nummod", "compound", "nmod", "quantmod", "amod"):
        return frozenset()
    owners = [c for c in root.head.children if c.dep_ == "poss"]
    return _name_phrases(t for owner in owners for t in owner.subtree if _is_name_part(t))


_THIRD_PERSON = frozenset({"it", "they", "he", "she"})


def _subject_names(verb: Any) -> frozenset[str]:
    """Proper names in the subject of ``verb`` ("the Boston Red Sox have made ...": boston red sox); in a
    relative clause whose subject is "who" or "which", those of the noun it describes ("Smith, who improved his
    record to ...": smith); in a clause reported by a named party whose own subject is a third-person pronoun,
    the reporter's ("the Indian Navy said it had captured ...": indian navy), which is what such a pronoun
    mostly stands for."""
    subjects = [child for child in verb.children if child.dep_ in ("nsubj", "nsubjpass")]
    if verb.dep_ == "relcl" and any(s.tag_ in ("WP", "WDT") for s in subjects):
        return _described_names(verb.head)
    if verb.dep_ == "ccomp" and subjects and all(s.lower_ in _THIRD_PERSON for s in subjects):
        return _subject_names(verb.head)
    return _name_phrases(t for child in subjects for t in child.subtree if _is_name_part(t))


def _is_origin(token: Any) -> bool:
    """A nationality or group ("the Indian navy", "Pakistani troops"): it tells parties apart like a name."""
    return bool(token.ent_type_ == "NORP" and len(token.text) > 2)


def _is_name(token: Any) -> bool:
    """A proper-name token long enough to tell parties apart (not an initial or "U."), and not a date's ("May",
    "Thursday": a month or a weekday names no party)."""
    return bool(token.pos_ == "PROPN" and len(token.text) > 2 and token.ent_type_ not in ("DATE", "TIME"))


# Adjectives that make a figure a part of some other total ("two other victims", "the remaining three").
_PARTITIVE = frozenset("other remaining additional another more further extra last first rest".split())


_CUMULATIVE = re.compile(
    r"\b(?:so far|thus far|to date|at this point|as of now|up to now|until now|in total|a total of|in all|"
    r"altogether|overall|this season|this year|"
    r"since (?:(?:19|20)\d\d|the (?:start|beginning|outbreak)|then|last \w+|(?:that|this|his|her|their|its) \w+|"
    + "|".join([MONTH_NAMES, *WEEKDAYS])
    + r")|career|lifetime|cumulative|combined|running total)\b",
    re.I,
)


def _pattern_facts(doc: Any, pattern: re.Pattern[str], unit: str, taken: list[tuple[int, int]]) -> list[QuantityFact]:
    """Figures a pattern reads as one (tallies, ratios, spans of years), compared by their numbers."""
    facts = []
    for match in pattern.finditer(doc.text):
        if any(s < match.end() and match.start() < e for s, e in taken):
            continue
        numbers = tuple(_small_number(g) for g in match.groups() if g)
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        if span is None:
            continue
        context = _arguments(_governor(span.root))
        first = span[0]
        described = _described_names(first.head) if first.dep_ == "appos" else _bracketed_after_name(first)
        facts.append(
            QuantityFact(
                match.start(),
                match.end(),
                match.group(),
                None,
                unit,
                frozenset(context),
                local=_local(doc, span.start, span.end),
                names=_names(doc, span.start, span.end),
                # Whose record ("Smith (58-3) floored Jones", "Jones fell to 36-3") and of what ("a 19-7 run",
                # "a 38-44 mark", "a record of 9-14"): a run of games is not the season's record.
                agent=described or _subject_names(_governor(span.root)),
                modifiers=_described_noun(first),
                # A record set beside a name describes the name; the clause's period or running count ("had
                # trained since March") is the clause's, not the record's.
                period=frozenset() if described else _period(doc, span.start, span.end),
                cumulative=not described and bool(_CUMULATIVE.search(doc.text)),
                attributed_to=_speaker(span.root),
                tally=numbers,
                bounds=_record_bounds(first) if unit == "tally" else frozenset(),
            )
        )
        taken.append((match.start(), match.end()))
    return facts


def _bracketed_after_name(first: Any) -> frozenset[str]:
    """The names of the proper noun a figure is bracketed or set off right after ("Bowe (45-1, 33 KOs) had
    trained ...", "Bowe, 43-1, returned"), however the parser attached it; empty when it follows no name."""
    doc = first.doc
    if first.i < 2 or doc[first.i - 1].text not in ("(", ","):
        return frozenset()
    name = doc[first.i - 2]
    return _described_names(name) if name.pos_ == "PROPN" else frozenset()


# Prepositions that bound a record to a span, a level or a role ("a 135-156 record at the collegiate level in 10
# seasons", "his record as an NBA head coach with both teams", "a 162-139 record in Portland").
_RECORD_BOUNDS = frozenset({"in", "at", "as", "with", "over", "during"})


def _record_bounds(number: Any) -> frozenset[str]:
    """What a record is bounded to: the head nouns of the phrases that bound the noun it is the value of ("a
    135-156 record at the collegiate level": level; "his record as an NBA head coach stands at 284-286": coach;
    "a 162-139 record in Portland": portland), and a span of its verb's ("compiled a mark in three-plus seasons",
    "is 122-147 in three-plus seasons": season). Records with no shared bound, or one bounded and one not, are
    two records: a career's and a season's, a college's and a team's."""
    noun = _record_noun(number)
    phrases = []
    verb = None
    if noun is not None:
        phrases = [c for c in noun.children if c.dep_ == "prep" and c.lower_ in _RECORD_BOUNDS]
        if noun.dep_ in ("dobj", "nsubj") and noun.head.pos_ in ("VERB", "AUX"):
            verb = noun.head
    elif number.head.pos_ in ("VERB", "AUX"):
        verb = number.head  # "Cheeks is 122-147 in three-plus seasons"
    if verb is not None:
        phrases += [
            c
            for c in verb.children
            if c.dep_ == "prep"
            and c.lower_ in ("in", "over")
            and any(o.dep_ == "pobj" and any(n.dep_ == "nummod" for n in o.children) for o in c.children)
        ]
    return frozenset(_lemma(obj) for phrase in phrases for obj in phrase.children if obj.dep_ == "pobj")


def _record_noun(number: Any) -> Any:
    """The noun a record is the value of: "a 19-7 run" (run), "a record of 9-14", "his record stands at 284-286",
    "improved their record to 7-6" (record); None when there is none."""
    head = number.head
    if head.i != number.i and (head.pos_ == "NUM" or head.like_num or head.text.startswith(".")):
        number, head = head, head.head  # "at 284-286 (.498)": the parser hangs the record on its percentage
    if number.dep_ in ("compound", "amod") and head.pos_ == "NOUN":
        return head
    noun = _valued_noun(number)
    if noun is not None:
        return noun
    if number.dep_ == "pobj" and head.lower_ in ("at", "to") and head.head.pos_ in ("VERB", "AUX"):
        # "improved their record to 7-6" (the object), "his record stands at 284-286" (the subject)
        nouns = sorted(
            (c for c in head.head.children if c.dep_ in ("dobj", "nsubj") and c.pos_ == "NOUN"),
            key=lambda c: c.dep_ != "dobj",
        )
        return nouns[0] if nouns else None
    return None


def _described_noun(number: Any) -> frozenset[str]:
    """The noun a figure stands before or after as its value: "a 19-7 run" (run), "a record of 9-14" (record)."""
    noun = _valued_noun(number)
    return frozenset({_lemma(noun)}) if noun is not None else frozenset()


def _valued_noun(number: Any) -> Any:
    """The noun ``number`` is the value of, before it ("a 19-7 run") or after "of" ("a record of 9-14"); or None."""
    head = number.head
    if number.dep_ == "nummod" and head.pos_ == "NOUN":
        return head
    if number.dep_ == "pobj" and head.lower_ == "of" and head.head.pos_ == "NOUN":
        return head.head
    return None


# A date that names a period (a year, a month without its day, a season) rather than the day of the news.
_PERIOD_WORDS = re.compile(
    r"\b(?:(?:19|20)\d\d|spring|summer|autumn|fall|winter|year|season|decade|century|" + MONTH_NAMES + r")\b",
    re.I,
)


_YEARS = re.compile(r"(?:19|20)\d\d(?:\s*[-–/]\s*(?:19|20)?\d\d)?")


_TEMPORAL_MARKS = frozenset({"as", "when", "while", "before", "after", "until", "since"})


def _temporal_clause(verb: Any) -> bool:
    """A clause that says when its head's clause happened ("as December started", "when the season began")."""
    return bool(verb.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _TEMPORAL_MARKS for c in verb.children))


def _period(doc: Any, first: int, end: int) -> frozenset[str]:
    """The periods that date the clause of the figure at tokens [first, end): DATE entities naming a period
    that modify the figure or a word above it as adverbials ("In 2006-07, he rallied the team from a 5-19
    start", "a 19-7 run last spring") or in a clause of time ("as December started, improving to 7-6"); not a
    period inside a noun phrase ("the 2003 quake"), a duration ("three seasons"), or a day ("on Tuesday")."""
    path = {doc[first].i}
    node = doc[first]
    while node.head.i != node.i:
        node = node.head
        path.add(node.i)
    found = set()
    for ent in doc.ents:
        if ent.label_ != "DATE" or (ent.start < end and first < ent.end) or not _PERIOD_WORDS.search(ent.text):
            continue
        if re.search(r"\d", _YEARS.sub("", ent.text)) or any(t.pos_ == "NUM" and not t.text[0].isdigit() for t in ent):
            continue  # "three seasons", "May 2": a duration or a day
        root = ent.root
        if root.dep_ == "pobj" and root.head.dep_ == "prep":
            attached = root.head.head
        elif root.dep_ in ("npadvmod", "advmod", "tmod", "obl"):
            attached = root.head
        elif _temporal_clause(root.head):
            # "as December started, improving their record to 7-6": the clause sets the time of the one it modifies
            attached = _governor(root.head.head)
        else:
            continue
        if attached.i in path:
            found.add(" ".join(t.lower_ for t in ent if t.pos_ not in ("DET", "ADP")))
    return frozenset(found)


_SCOPE_PREPOSITIONS = frozenset({"in", "during"})


def _ordinal_scope(verb: Any) -> frozenset[str]:
    """Numbered parts of a whole that scope the event ``verb`` of a count: "In the sixth, he landed one punch",
    "landed 40 punches in the third round", "died in the first blast": a count within one round or attack, not
    over the whole."""
    found = set()
    for prep in (c for c in verb.children if c.dep_ == "prep" and c.lower_ in _SCOPE_PREPOSITIONS):
        for node in (c for c in prep.children if c.dep_ == "pobj"):
            if any(t.ent_type_ == "ORDINAL" for t in node.subtree):
                found.add(" ".join(t.lower_ for t in node.subtree if t.pos_ not in ("DET", "ADP", "PUNCT")))
    return frozenset(found)


def _small_number(text: str) -> int:
    value = parse_value(text)
    return int(value.figure) if value is not None else -1


def quantity_facts(doc: Any) -> list[QuantityFact]:
    taken: list[tuple[int, int]] = []
    facts = _pattern_facts(doc, _YEAR_SPAN, "year span", taken)
    facts += _pattern_facts(doc, _RATIO, "ratio", taken)
    facts += _pattern_facts(doc, _TALLY, "tally", taken)
    text = doc.text
    for match in _AGE.finditer(text):
        value = parse_value(match.group(1))
        span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
        context = {_lemma(span.root.head)} if span is not None else set()
        facts.append(
            QuantityFact(
                match.start(),
                match.end(),
                match.group(),
                value,
                "age",
                frozenset(context),
                local=_local(doc, span.start, span.end) if span is not None else frozenset(),
                agent=_described_names(span.root.head) if span is not None else frozenset(),
            )
        )
        taken.append((match.start(), match.end()))
    facts += _adverb_counts(doc, taken)
    for ent in doc.ents:
        if (ent.label_ not in NUMBER_LABELS and not _misread_count(ent)) or any(
            s < ent.end_char and ent.start_char < e for s, e in taken
        ):
            continue
        if any(t.lower_.rstrip(".") in _RANK_MARKERS for t in doc[max(0, ent.start - 2) : ent.start]):
            continue  # a rank ("No. 2"), not a count
        if _is_multiple(doc, ent):
            continue  # "five times the legal limit": a ratio to something else, not a count
        first, phrase = _qualified_text(doc, ent.start, ent.end)
        value = parse_value(phrase)
        if value is None:
            continue
        if _is_conversion(doc, ent):
            value = parse_value(f"about {ent.text}") or value  # "about 58km (36 miles)": rounded from the first
        root = ent.root
        if ent.label_ == "CARDINAL" and not root.like_num:
            # "An estimated 100,000 people": the span's root may be "estimated"; the figure is what counts.
            root = next((t for t in reversed(ent) if t.like_num), root)
        unit, counted = _unit(ent, root)
        if unit and not unit.isalpha():
            continue  # "3:33 a.": a clock time, not a count
        if ent.end < len(doc) and doc[ent.end - 1].whitespace_ == "" and doc[ent.end].text == "-":
            continue  # "a 30-homer season", "an eight-year deal": a description, not a count of the event
        if ent.label_ == "MONEY" and ent.start > 0 and doc[ent.start - 1].text == "(":
            continue  # "$US1 million ($1.52 million)": the same sum converted
        if (
            unit == ""
            and 1900 <= value.figure <= 2100
            and value.qualifier in ("exact", "rounded")
            and "," not in ent.text
        ):
            continue  # a year written alone
        modifiers: set[str] = set()
        if counted is not None:
            modifiers = {_lemma(c) for c in counted.children if c.dep_ in ("compound", "amod") and not c.like_num}
            modifiers |= _of_complements(counted)
        before = doc[first - 1].lower_ if first > 0 else ""
        part = _is_part(doc, ent) or bool(modifiers & _PARTITIVE)
        governor = _governor(root)
        participle = _participle(root) if counted is None and unit == "" else None
        if participle is not None:
            governor = participle  # "at least 50 injured", "the 80 wounded": the participle says what they are
        if counted is None or (
            counted.dep_ == "pobj" and counted.head.lower_ == "of" and counted.head.head.i == root.i
        ):
            counted = root  # "seven of its villages were affected": the number itself is the subject
        # A distance is where something is, whatever verb placed it ("struck" / "was centred" 20 km away).
        aside = _set_off_with(counted)
        if unit in _DISTANCE_UNITS or aside:
            event = ""
        else:
            event = _lemma(participle) if participle else _event_of(counted, governor)
        if before in _PARTITIVE and not _set_apart(event, doc[first].idx, facts):
            part = True  # "another five people died": more of a total told elsewhere
        context = modifiers | (set() if aside else _arguments(governor))
        context.discard(unit)
        facts.append(
            QuantityFact(
                start=doc[first].idx,
                end=ent.end_char,
                text=phrase,
                value=value,
                unit=unit,
                context=frozenset(w for w in context if w),
                local=_local(doc, first, ent.end) - {unit},
                names=_names(doc, first, ent.end),
                agent=_described_names(root.head)
                if unit == "age"
                else _possessor_names(root) or _subject_names(_governor(root)),
                # An age describes its person; the clause's running count or period is the clause's.
                cumulative=unit != "age" and bool(_CUMULATIVE.search(doc.text)),
                modifiers=frozenset(modifiers),
                part=part,
                attributed_to=_speaker(root),
                period=frozenset() if unit == "age" else _period(doc, first, ent.end),
                rate=_rate(doc, first, ent.end),
                item=_item_names(root, ent.end),
                # The words either side too: "5 million euros", "€ 5 million" may leave it outside the entity.
                currency=_currency(doc, first, ent) if unit == "money" else None,
                verb=event,
                scope=_ordinal_scope(governor) if event else frozenset(),
                reference=_reference(doc, ent.end) if unit in _DISTANCE_UNITS else None,
                bearing=_bearing(doc, ent.end) if unit in _DISTANCE_UNITS else "",
            )
        )
    return sorted(facts, key=lambda f: f.start)


def _set_apart(event: str, start: int, earlier: Sequence[QuantityFact]) -> bool:
    """Whether "another" or "other" before a figure sets it apart from an earlier figure of the sentence that
    another action befell ("killing 10 and wounding another 70": all 70 wounded, none of the 10), rather than
    adding to a total ("another five people died"): then the figure is a whole count of its own action."""
    return bool(event) and any(
        fact.start < start and fact.verb and not same_action(fact.verb, event) for fact in earlier
    )


def _set_off_with(noun: Any) -> bool:
    """Whether a counted noun is the object of a "with" set off by a comma ("taking the ships to pirate-held ports,
    with an estimated 1,500 pirates"): the phrase describes a circumstance of the clause, and the clause's verb
    and words say nothing about what the figure counts."""
    prep = noun.head
    return bool(noun.dep_ == "pobj" and prep.lower_ == "with" and prep.i > 0 and noun.doc[prep.i - 1].text == ",")


def _misread_count(ent: Any) -> bool:
    """A bare figure the NER labels a date though no date reads it: one number, not a year, that a verb takes
    as its subject or object ("killing 10 people and injuring 80.": the 80 is a count of the injured).

    Not an age set beside a name ("Anthony Smith, 36,"), which the NER labels a date too: read as ages, they
    gave more false conflicts than right ones on the dev stories (one person's age in reports years apart,
    undated; an unnamed age against a named one)."""
    if ent.label_ != "DATE" or len(ent) != 1:
        return False
    token = ent[0]
    if not token.like_num or token.dep_ not in _EVENT_ROLES or token.head.pos_ not in ("VERB", "AUX"):
        return False
    value = parse_value(token.text)
    return value is not None and not (1900 <= value.figure <= 2100)


def _participle(number: Any) -> Any:
    """The participle a figure without a noun is described by ("at least 50 injured", "the 80 wounded"), or
    None."""
    return next((c for c in number.children if c.dep_ == "acl" and c.tag_ == "VBN"), None)


# Adverbs that count times ("married twice"); "once" is left out: it mostly means "formerly" ("once a star").
_TIMES_ADVERBS = {"twice": 2, "thrice": 3}
# Words after "twice" that make it a ratio or a rate ("twice as many", "twice the size", "twice a week").
_NOT_A_COUNT_AFTER = frozenset({"as", "the", "that", "a", "an", "per", "this", "his", "her", "its", "their"})


def _adverb_counts(doc: Any, taken: list[tuple[int, int]]) -> list[QuantityFact]:
    """ "Married twice": a count of times, as "married three times" is, with the verb it counts."""
    facts = []
    for token in doc:
        times = _TIMES_ADVERBS.get(token.lower_)
        if times is None or token.dep_ != "advmod" or token.head.pos_ not in ("VERB", "AUX"):
            continue
        if token.i + 1 < len(doc) and doc[token.i + 1].lower_ in _NOT_A_COUNT_AFTER:
            continue
        verb = token.head
        start, end = token.idx, token.idx + len(token.text)
        facts.append(
            QuantityFact(
                start=start,
                end=end,
                text=token.text,
                value=parse_value(str(times)),
                unit="time",
                context=frozenset(w for w in _arguments(verb) - {"time"} if w),
                local=_local(doc, token.i, token.i + 1),
                names=_names(doc, token.i, token.i + 1),
                agent=_subject_names(verb),
                cumulative=bool(_CUMULATIVE.search(doc.text)),
                attributed_to=_speaker(token),
                period=_period(doc, token.i, token.i + 1),
                verb=_lemma(verb),
            )
        )
        taken.append((start, end))
    return facts


_OWN_PHRASE_DEPS = frozenset({"nummod", "compound", "quantmod", "amod", "nmod"})
_OTHER_ITEMS = frozenset({"conj", "cc", "punct", "appos", "relcl", "acl", "advcl"})


def _item_names(root: Any, end: int) -> frozenset[str]:
    """Proper names of the phrase a figure heads or modifies, not descending into coordinated items; of a proper
    name the figure is in apposition to; and of a prepositional phrase right after the figure ("$3,400.25 at the
    Lakeview Marina Club", however the parser attached it), up to the next punctuation, conjunction or figure."""
    doc = root.doc
    names: set[str] = set()
    if end < len(doc) and doc[end].pos_ == "ADP":
        for token in doc[end + 1 :]:
            if token.is_punct or token.pos_ in ("CCONJ", "VERB", "AUX", "ADP") or token.like_num:
                break
            if _is_name(token):
                names.add(token.lower_)
    node = root
    while node.dep_ in _OWN_PHRASE_DEPS and node.head.i != node.i and node.head.pos_ in ("NOUN", "PROPN", "SYM"):
        node = node.head
    stack = [node]
    while stack:
        token = stack.pop()
        if _is_name(token):
            names.add(token.lower_)
        stack.extend(c for c in token.children if c.dep_ not in _OTHER_ITEMS)
    if node.dep_ == "appos" and node.head.pos_ == "PROPN":
        head = node.head
        names |= {t.lower_ for t in [*head.children, head] if _is_name(t) and (t is head or t.dep_ == "compound")}
    return frozenset(names)


def _of_complements(noun: Any) -> set[str]:
    """What a counted noun is "of", as one phrase: "two counts of murder" and "one count of attempted murder"
    count different charges."""
    phrases = set()
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ == "of":
            for obj in prep.children:
                if obj.dep_ == "pobj" and obj.pos_ in ("NOUN", "PROPN"):
                    words = [_lemma(t) for t in obj.children if t.dep_ in ("compound", "amod") and t.i < obj.i]
                    phrases.add("of " + " ".join([*words, _lemma(obj)]))
    return phrases


_EVENT_ROLES = frozenset({"nsubj", "nsubjpass", "dobj", "npadvmod"})
_DISTANCE_UNITS = frozenset("mile kilometer kilometre km metre meter foot feet yard".split())
_FROM = frozenset({"from", "of", "off"})


def _after_distance(doc: Any, end: int) -> Iterator[Any]:
    """The tokens of the ten after a distance ending at token ``end`` that are outside brackets: a conversion
    ("150 nautical miles (277km) west of Aden") says nothing of where the distance points from."""
    depth = 0
    for token in doc[end : min(len(doc), end + 10)]:
        if token.text in ("(", ")"):
            depth += 1 if token.text == "(" else -1
        elif depth <= 0:
            yield token


def _reference(doc: Any, end: int) -> str | None:
    """The place a distance ending at token ``end`` is measured from: the object of the first "from", "of" or
    "off" within a few words, past a conversion in brackets ("150 nautical miles (277km) west of Aden", "13 miles
    away from the merchant vessel")."""
    for seen, token in enumerate(_after_distance(doc, end), start=1):
        if token.is_punct or seen > 4:
            return None
        if token.lower_ in _FROM:
            place = next((c for c in token.children if c.dep_ == "pobj"), None)
            return _lemma(place) if place is not None else None
    return None


_COMPASS = re.compile(r"^(?:north|south|east|west)(?:-?(?:north|south|east|west)){0,2}(?:ward|erly|ern)?$")


def _bearing(doc: Any, end: int) -> str:
    """The compass direction written between a distance ending at token ``end`` and the place it is measured from
    ("150 nautical miles (277km) west of Aden": west); "" where none is."""
    for token in _after_distance(doc, end):
        if (token.is_punct and token.text != "-") or token.lower_ in _FROM:
            return ""
        if _COMPASS.match(token.lower_):
            rest = doc[token.i + 1 : token.i + 3]
            if len(rest) == 2 and rest[0].text == "-" and _COMPASS.match(rest[1].lower_):
                return f"{token.lower_}-{rest[1].lower_}"  # "south-west", which the tokenizer splits
            return str(token.lower_)
    return ""


def _event_of(counted: Any, governor: Any) -> str:
    """The verb that says what happened to what is counted, when the counted noun (or the group it is "of") is
    its subject or object ("three people died", "shot eleven times"); "" when the figure sits further from it
    ("struck the island, home to 120,000 people"): the verb there is another event's."""
    while counted.dep_ == "pobj" and counted.head.lower_ == "of" and counted.head.head.pos_ == "NOUN":
        counted = counted.head.head  # "spotted a group of five boats": the group was spotted
    if governor.pos_ in ("VERB", "AUX") and counted.head.i == governor.i and counted.dep_ in _EVENT_ROLES:
        return _action(governor)
    return ""


def _action(verb: Any) -> str:
    """What a verb says was done: its lemma, or "kill" for a verb with "to death" ("shot one person to death",
    "was beaten to death"): the phrase says what became of them, and that is what the figure counts, not the shot."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ == "to" and any(g.lower_ == "death" for g in child.children):
            return "kill"
    return _lemma(verb)


def _unit(ent: Any, root: Any) -> tuple[str, Any]:
    """What a number entity counts, and the token that names it."""
    if ent.label_ == "MONEY":
        return "money", None
    if ent.label_ == "PERCENT" or root.lower_ in ("percent", "%"):
        return "percent", None
    if ent.label_ == "QUANTITY":
        return _lemma(ent[-1]), ent[-1]
    if root.dep_ == "nummod" and root.head.pos_ in ("NOUN", "PROPN"):
        head = root.head
        if head.lower_ in ("percent", "%"):
            return "percent", None
        counted = _lemma(head)
        if counted == "other":
            return "", head  # "wounding two others": others of what the sentence counts, a count without a noun
        return ("people" if counted == "person" else counted), head  # "ten persons", "ten people": one thing
    doc = ent.doc
    set_off = ent.end == len(doc) or doc[ent.end].is_punct  # "the driver, 23, was ...", not "51 by knockout"
    after_comma = ent.start > 0 and doc[ent.start - 1].text in (",", "(")  # "Smith, 36": not "seven bullets, three to"
    # Ages are written in figures: "Williams, one of the stars" gives no age.
    if ent.text.isdigit() and (
        (
            root.dep_ == "appos"
            and after_comma
            and (set_off or root.head.pos_ == "PROPN" or root.head.ent_type_ == "PERSON")
        )
        or (root.dep_ == "npadvmod" and root.head.ent_type_ == "PERSON")
    ):
        return "age", None  # "Smith, 36, ...": not "its 58th victory, 51 by knockout"
    nxt = ent.end
    if nxt + 2 < len(doc) and doc[nxt].lower_ == "of":
        after = doc[nxt + 1 : nxt + 4]
        noun = next((t for t in after if t.pos_ in ("NOUN", "PROPN")), None)
        if noun is not None:
            return _lemma(noun), noun
    return "", None


_TIME_UNITS = frozenset("year season month week day hour minute game night".split())
_PERIODIC = {
    "annual": "year", "yearly": "year", "annually": "year", "monthly": "month", "weekly": "week", "daily": "day"
}  # fmt: skip


def _rate(doc: Any, first: int, end: int) -> str | None:
    """The unit a figure at tokens [first, end) is a rate of: "15.5 points per game", "$25 million a season",
    "an annual value of $21 million"."""
    after = list(doc[end : end + 3])
    for word, noun in itertools.pairwise(after):
        if word.lower_ in ("per", "each", "every") and noun.pos_ in ("NOUN", "PROPN"):
            return _lemma(noun)
        if word.lower_ in ("a", "an") and _lemma(noun) in _TIME_UNITS:
            return _lemma(noun)
    if after and after[0].lower_ in ("per", "apiece") and (len(after) < 2 or after[1].pos_ not in ("NOUN", "PROPN")):
        return "per"  # "$20MM per on Teixeira", "$5 million apiece": a rate whose unit is left unsaid
    around = [*doc[max(0, first - 4) : first], *after[:1]]
    periodic = next((_PERIODIC[t.lower_] for t in around if t.lower_ in _PERIODIC), None)
    return periodic or _periodic_owner(doc[end - 1])


def _periodic_owner(token: Any) -> str | None:
    """ "an average annual value of more than the $21 million": the figure is "of" a noun described as annual."""
    node = token
    for _ in range(8):  # up through "of more than the $21 million"'s prepositions, to the noun it is "of"
        if node.head.i == node.i or node.dep_ in ("dobj", "nsubj", "nsubjpass", "attr"):
            return None
        if node.dep_ == "pobj" and node.head.lower_ == "of":
            owner = node.head.head
            return next(
                (_PERIODIC[c.lower_] for c in owner.children if c.dep_ == "amod" and c.lower_ in _PERIODIC), None
            )
        node = node.head
    return None


def _is_multiple(doc: Any, ent: Any) -> bool:
    """ "five times the legal limit", "three times as many": a multiple of another figure."""
    words = [t.lower_ for t in doc[ent.start : min(len(doc), ent.end + 2)]]
    return any(w == "times" and nxt in _MULTIPLE_FOLLOWERS for w, nxt in itertools.pairwise(words))


_MULTIPLE_FOLLOWERS = frozenset({"the", "as", "more", "higher", "larger", "greater", "bigger", "that", "what"})


def _currency(doc: Any, first: int, ent: Any) -> str | None:
    """The currency of the amount at tokens [first, ent.end): written beside it ("$40 billion", "5 million
    euros", the words either side too, since the entity may leave them out); else, where a conversion in brackets
    follows ("110 billion ($158 billion)"), not that one's currency, whatever mangled sign it was written with."""
    written = currency(doc[max(0, first - 1) : ent.end + 1].text)
    if written is not None:
        return written
    if ent.end + 1 < len(doc) and doc[ent.end].text == "(":
        converted = currency(doc[ent.end + 1 : ent.end + 4].text)
        if converted is not None:
            return f"other than {converted}"
    return None


def _is_conversion(doc: Any, ent: Any) -> bool:
    """ "58km (36 miles)": a figure in brackets right after another one restates it in other units."""
    return ent.start >= 2 and doc[ent.start - 1].text == "(" and doc[ent.start - 2].ent_type_ in NUMBER_LABELS


_WHOLE_DETERMINERS = frozenset({"the", "these", "those", "its", "their", "his", "her"})


def _is_part(doc: Any, ent: Any) -> bool:
    """ "12 of the 20 victims", "three of them": a part, not the total; and "the 20" of it is the whole, not a
    count of what the part did ("two of the three victims died": three did not die)."""
    nxt = ent.end
    if nxt < len(doc) and doc[nxt].lower_ == "of" and any(t.like_num for t in doc[nxt + 1 : nxt + 4]):
        return True
    k = ent.start - 1
    if k >= 0 and doc[k].lower_ in _WHOLE_DETERMINERS:
        k -= 1
    return k >= 1 and doc[k].lower_ == "of" and bool(doc[k - 1].like_num)  # "two of the three": "three" is the whole


def date_facts(doc: Any, published: date | None) -> list[DateFact]:
    facts: list[DateFact] = []
    for mention in date_mentions(doc.text, published):
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None:
            continue
        head, event_token = _dated(span.root)
        if _after_an_event_between(head, span.start):
            continue  # "charged with murder after a shooting at a party on Friday": which one Friday dates is unsure
        event = _lemma(event_token)
        words = _arguments(head) | ({_lemma(event_token)} if event_token.i != head.i else set())
        future = _future(head) or any(t.lower_ in {"next", "coming", "upcoming"} for t in span)
        mention = _in_tense(mention, future, published)
        facts.append(
            DateFact(
                start=mention.start,
                end=mention.end,
                text=mention.text,
                mention=mention,
                event=event,
                event_name=_event_name(event_token),
                event_words=frozenset(words),
                future=future,
                reporting=_lemma(head) in REPORTING_VERBS,
                agent=_subject_names(head),
                direction=_direction(head),
                possessive=_possessive_date(span.root),
            )
        )
    return facts


# Prepositions that set another event beside the verb's ("charged after a shooting", "resigned following the
# vote"): a date after such a phrase may date either event.
_SEQUENCE_PREPOSITIONS = frozenset({"after", "before", "following"})


def _after_an_event_between(head: Any, date_start: int) -> bool:
    """Whether a date written after ``head`` follows a phrase that names another event of the verb ("after a
    shooting ... on Friday"): the parser attaches such a date to the verb, but it reads as well with the event
    of the phrase, and the claim is left uncompared."""
    if head.i >= date_start:
        return False
    return any(
        child.dep_ == "prep"
        and child.lower_ in _SEQUENCE_PREPOSITIONS
        and head.i < child.i < date_start
        and any(obj.dep_ in ("pobj", "pcomp") and obj.ent_type_ not in ("DATE", "TIME") for obj in child.children)
        for child in head.children
    )


# Particles that turn a verb into its own event ("check in" / "check out", "step up" / "step down"). "in" and "on"
# count only as particles: as prepositions they mostly introduce a place or a time ("killed in a quake").
_PARTICLES = frozenset({"in", "out", "up", "down", "off", "on", "away", "back", "over"})
_DIRECTED_PREPOSITIONS = {"into": "in", "onto": "on", "out": "out"}


def _direction(verb: Any) -> str:
    """The particle of direction right after ``verb`` ("checked out of", "checked into", "checked in"), or ""."""
    nxt = verb.i + 1
    if verb.pos_ not in ("VERB", "AUX") or nxt >= len(verb.doc) or verb.doc[nxt].head.i != verb.i:
        return ""
    word, dep = str(verb.doc[nxt].lower_), str(verb.doc[nxt].dep_)
    if dep in ("prt", "advmod") and word in _PARTICLES:
        return word
    return _DIRECTED_PREPOSITIONS.get(word, "") if dep == "prep" else ""


def _future(verb: Any) -> bool:
    """ "will hold", "would be held", "is scheduled to meet", "plans to vote": not yet happened."""
    if any(c.dep_ in ("aux", "auxpass") and c.lower_ in _FUTURE_AUX for c in verb.children):
        return True
    infinitive = any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
    if infinitive and verb.dep_ == "xcomp" and _lemma(verb.head) in _FUTURE_INFINITIVE_HEADS:
        return True
    node = verb
    # Up through complements, and through a gerund's preposition ("is expected to plead guilty to filing ... on
    # Wednesday": the date sits in what is expected).
    while node.dep_ in ("xcomp", "ccomp", "pcomp", "prep", "acomp") and node.head.i != node.i:
        node = node.head
        if _lemma(node) in _FUTURE_VERBS:
            return True
    return _lemma(verb) in _FUTURE_VERBS


def _in_tense(mention: DateMention, future: bool, published: date | None) -> DateMention:
    """A date without a year read in the tense of its verb: "will hold primaries in May" in a January paper is
    this May, "apologized on Saturday" the last Saturday (date_mentions reads yearless dates as past)."""
    if not future or published is None or mention.weekday is not None:
        return mention
    if mention.resolved is not None and mention.resolved < published - timedelta(days=2):
        return shifted(mention, 1)
    if mention.month is not None and mention.month < (published.year, published.month):
        return shifted(mention, 1)
    return mention


def _event_name(token: Any) -> str:
    if token.pos_ != "NOUN":
        return _lemma(token)
    compounds = [c.lower_ for c in token.children if c.dep_ == "compound" and c.i < token.i]
    return " ".join([*compounds, token.lower_])


_TIMES_OF_DAY = frozenset({"morning", "afternoon", "evening", "night", "noon", "midday", "midnight", "dawn", "dusk"})


def _with_time_of_day(token: Any) -> Any:
    """The date's word with the time of day it names ("on Saturday night", "Monday morning": night, morning): the
    time of day is part of the date, not its event."""
    node = token
    while node.head.i != node.i and node.head.lower_ in _TIMES_OF_DAY:
        node = node.head
    return node


def _possessive_date(token: Any) -> bool:
    """Whether a date is written as its event's possessor ("Wednesday's loss", "Friday night's loss")."""
    return bool(_with_time_of_day(token).dep_ == "poss")


def _dated(token: Any) -> tuple[Any, Any]:
    """(the word a date modifies, the event it names): "apologized on Saturday" -> apologize; "held a call
    on Monday" -> (hold, call); "Tuesday's conversation" -> conversation."""
    node = _with_time_of_day(token)
    if node.dep_ == "poss" or (node.dep_ in ("compound", "nmod", "amod") and node.head.pos_ == "NOUN"):
        return node.head, node.head
    while node.head.i != node.i and node.dep_ in ("pobj", "prep", "npadvmod", "tmod", "nummod", "compound"):
        node = node.head
        if node.pos_ in ("VERB", "AUX"):
            break
    head = node if node.pos_ in ("VERB", "AUX", "NOUN") else _governor(node)
    if head.pos_ == "NOUN" and head.dep_ in ("nsubj", "nsubjpass"):
        head = head.head  # "A staffer on Friday apologized": the date goes with the verb, not its subject
    if _lemma(head) in _LIGHT_VERBS:
        objects = [c for c in head.children if c.dep_ in ("dobj", "nsubjpass")]
        if objects:
            return head, objects[0]
    return head, head


def sentence_facts(doc: Any, published: date | None) -> SentenceFacts:
    root = next((t for t in doc if t.dep_ == "ROOT"), doc[0])
    return SentenceFacts(
        quantities=tuple(quantity_facts(doc)),
        dates=tuple(date_facts(doc, published)),
        negated_root=any(c.dep_ == "neg" for c in root.children),
        root=_lemma(root),
        speaker=_speaker(root) if _lemma(root) not in REPORTING_VERBS else _subject_text(root),
        parties=_parties(doc),
    )


def _parties(doc: Any) -> tuple[frozenset[str], ...]:
    """The distinct named subjects of the sentence's verbs, reporting verbs left out (:attr:`SentenceFacts.parties`)."""
    found: list[frozenset[str]] = []
    for verb in doc:
        if verb.pos_ not in ("VERB", "AUX") or _lemma(verb) in REPORTING_VERBS:
            continue
        names = _subject_names(verb)
        if names and not any(same_party(names, seen) for seen in found):
            found.append(names)
    return tuple(found)


def _subject_text(verb: Any) -> str | None:
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    return " ".join(t.text for t in subjects[0].subtree) if subjects else None
