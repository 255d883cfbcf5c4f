"""Read headline, publication date, outlet and URL from the top of a raw article file.

Raw files come from many outlets and crawlers, so every rule here is about the *shape* of a line
(a date with nothing else on it, a short title-case name next to a date, a wire-service dateline)
rather than about any one outlet. A field the text does not state is returned as None: a wrong date
or outlet is worse than none, because later stages count independent sources and order stories by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlparse

from service.pipeline.types import HeaderFields

# Only this many non-empty lines are considered header; a headline or metadata line further down
# would be indistinguishable from body text.
MAX_HEADER_LINES = 8
MAX_HEADLINE_WORDS = 30

_MONTHS: dict[str, int] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_WEEKDAY = r"(?i:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+"

_ISO = re.compile(r"(?<![\d-])(?P<y>(?:19|20)\d\d)(?P<sep>[-/.])(?P<m>\d\d)(?P=sep)(?P<d>\d\d)(?![\d/])")
# Month/day/year or day/month/year with slashes, as stamp lines write them ("12/16/08 1:30 AM EST"). Read only
# when the order cannot matter: one of the first two fields is over 12, or both are equal (see find_dates).
_NUMERIC = re.compile(r"(?<![\d/.])(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>(?:19|20)?\d\d)(?![\d/])")
_COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?!\d)")
_MONTH_FIRST = re.compile(
    rf"(?:{_WEEKDAY})?(?P<mon>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+|-)(?P<y>(?:19|20)\d\d)(?!\d)"
)
_DAY_FIRST = re.compile(
    rf"(?:{_WEEKDAY})?(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<mon>{_MONTH})\.?,?\s+"
    rf"(?P<y>(?:19|20)\d\d)(?!\d)"
)
_TIME = re.compile(r"(?i)\b\d{1,2}[:.]\d{2}(?::\d{2})?(?:\.\d+)?\s*(?:[ap]\.?m\.?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}))?")
# Time zones and offsets on stamp lines: "EST", "AKDT", "(GMT+05:00)", "UTC+1".
_ZONE = re.compile(r"\(?\b(?:GMT|UTC)(?:\s*[+-]\s*\d{1,2}(?::?\d{2})?)?\)?|\b[A-Z]{1,4}[SD]?T\b")
# Scraped text keeps the spaces a tokeniser put around separators ("12 / 16 / 08", "1: 00pm").
_SPACED_SLASH = re.compile(r"(?<=\d)\s+/\s+(?=\d)")
_SPACED_COLON = re.compile(r"(?<=\d):\s+(?=\d\d)")
_URL_LINE = re.compile(r"^(?:(?:url|source|link)\s*:\s*)?<?(?P<url>https?://[^\s<>]+)>?$", re.IGNORECASE)
_BYLINE = re.compile(r"^(?i:by)\s+[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&|,|de|van|von))*\s*$")

# Words that carry no story content on a stamp line ("Updated 3 Mar 2022, 00:36 GMT", "2022-06-12 0 By").
_STAMP_WORDS = frozenset(
    {
        "by", "on", "at", "updated", "update", "published", "posted", "last", "modified", "date", "time",
        "created", "gmt", "utc", "est", "edt", "et", "pt", "pst", "cet", "cest", "msk", "bst", "ist", "jst",
        "am", "pm", "a.m.", "p.m.", "z", "first", "originally", "story", "article", "hrs", "@",
        "mon", "tue", "wed", "thu", "fri", "sat", "sun", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday", "a", "p", "m",
    }
)  # fmt: skip
_NAME_CONNECTORS = frozenset({"of", "the", "and", "&", "for", "de", "la", "le", "el", "der", "die"})
_SEPARATORS = re.compile(r"\s*[|•·–—]\s*|\s+-\s+|^-\s*|\s*-$")

# A wire-service dateline: "Washington, February 1 (Xinhua) —", "WASHINGTON, March 3. /TASS/.",
# "KYIV, Ukraine, March 3, 2022 (Reuters) -". The tail after the date must look like a dateline
# (agency or dash) so that an ordinary first sentence such as "Moscow, March 3 was..." is not taken.
_PLACE = r"[A-Z][A-Za-z.'’ -]{1,40}?(?:,\s*[A-Z][A-Za-z.'’ -]{1,30}?)?"
_DATELINE_DATED = re.compile(
    rf"^(?P<place>{_PLACE}),\s+(?P<mon>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:,\s*(?P<y>(?:19|20)\d\d))?"
    r"(?:\s*\((?P<agency>[A-Z][^()\n]{0,30})\)|\s*[.,]?\s*/(?P<agency2>[A-Z][A-Za-z .-]{0,20})/"
    r"|\s*[—–]|\s+--?\s|\.\s)"
)
# AP style, no date: "WASHINGTON (AP) —". The place must be upper case, as in every wire style guide,
# so an opening sentence with a parenthesis ("Lavrov (pictured) — ...") is not read as a dateline.
_DATELINE_UNDATED = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’ -]{1,40}(?:,\s*[A-Z][A-Za-z.'’ -]{1,30})?)\s*"
    r"\((?P<agency>[A-Z][^()\n]{0,30})\)\s*(?:[—–]|--?)"
)
# "Copyright" alone opens ordinary sentences ("Copyright lawsuits rose..."), so a © or a year is required.
_YEARS = r"(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)\d\d)?"
_COPYRIGHT = re.compile(
    rf"^(?:(?:(?i:copyright)\s*)?(?:©|\((?i:c)\))\s*(?:{_YEARS})?|(?i:copyright)\s+{_YEARS})\s*,?\s*"
    r"(?P<name>[A-Z][\w&'’-]*(?:\.[\w&'’-]+)*(?:\s+(?:[A-Z&][\w&'’-]*(?:\.[\w&'’-]+)*|of|the|and|for|de))*)?"
)
_COMPANY_SUFFIX = re.compile(
    r"(?:,?\s+(?:LLC|L\.L\.C|Inc|Ltd|Limited|Corp|Corporation|Co|GmbH|plc|PLC|S\.A|AG|All rights.*))+$"
)


@dataclass(frozen=True)
class DateMatch:
    value: date
    start: int
    end: int


@dataclass(frozen=True)
class LineInfo:
    """What a single line says about the article, when it says nothing about the story."""

    kind: str
    """``date`` (stamp), ``outlet`` (name beside a stamp), ``url``, ``byline``, ``nav`` or ``copyright``."""
    published_at: date | None = None
    source: str | None = None
    url: str | None = None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str) -> list[DateMatch]:
    """Every unambiguous calendar date written in ``text``, in order of position.

    Numeric day/month orders such as 02/03/2022 are deliberately not read: they mean different
    dates in different countries and the outlet's convention is unknown.
    """
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_MONTH_FIRST, _DAY_FIRST, _ISO, _COMPACT, _NUMERIC):
        for m in pattern.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            value = _numeric_date(m) if pattern is _NUMERIC else _calendar_date(m)
            if value is not None:
                found.append(DateMatch(value, m.start(), m.end()))
                taken.append((m.start(), m.end()))
    return sorted(found, key=lambda d: d.start)


def _calendar_date(m: re.Match[str]) -> date | None:
    groups = m.groupdict()
    month = _month_number(groups["mon"]) if groups.get("mon") else int(groups["m"])
    return _safe_date(int(groups["y"]), month, int(groups["d"]))


def _numeric_date(m: re.Match[str]) -> date | None:
    """``a/b/y`` when the reading does not depend on the country's order: 12/16/08, 16/12/08, 6/6/13."""
    a, b, year = int(m.group("a")), int(m.group("b")), int(m.group("y"))
    if year < 100:
        year += 2000 if year < 50 else 1900
    if a > 12 >= b:
        return _safe_date(year, b, a)
    if b > 12 >= a or a == b:
        return _safe_date(year, a, b)
    return None


def _month_number(name: str) -> int:
    return _MONTHS[name[:3].lower()]


def _is_name(words: list[str]) -> bool:
    """A short title-case phrase such as an outlet name ("The Washington Times")."""
    if not 1 <= len(words) <= 6 or not words[0][:1].isupper():
        return False
    return all(w[:1].isupper() or w.lower() in _NAME_CONNECTORS for w in words)


def _is_nav(line: str) -> bool:
    """Menu and section labels ("All news", "World", "Latest") rather than a headline or sentence.

    Real headlines and sentences run longer than three words; the few that don't end in punctuation
    are rare enough that losing one as a title is cheaper than taking a menu label as the headline.
    """
    words = line.split()
    if not words or len(words) > 3 or len(line) > 40:
        return False
    return not re.search(r"[.!?:;,\"”’)]$", line) and not any(ch.isdigit() for ch in line)


def classify_line(line: str) -> LineInfo | None:
    """Classify a stripped line as pure metadata, or return None when it may carry story text."""
    if not line:
        return None
    url_match = _URL_LINE.match(line)
    if url_match:
        url = url_match.group("url").rstrip(".,;")
        host = (urlparse(url).hostname or "").removeprefix("www.")
        return LineInfo("url", url=url, source=host or None)
    if len(line.split()) > 25:
        return None
    if _COPYRIGHT.match(line):
        return LineInfo("copyright", source=copyright_owner(line))
    line = _SPACED_COLON.sub(":", _SPACED_SLASH.sub("/", line))
    dates = find_dates(line)
    if dates:
        rest = line
        for d in reversed(dates):
            rest = rest[: d.start] + " | " + rest[d.end :]
        rest = _TIME.sub(" ", _ZONE.sub(" ", rest))
        parts = [p.strip(" ,;:") for p in _SEPARATORS.split(rest)]
        parts = [p for p in parts if p and not all(_is_stamp_word(w) for w in p.split())]
        if not parts:
            return LineInfo("date", published_at=dates[0].value)
        if len(parts) == 1:
            words = parts[0].split()
            if words[0].lower() == "by" and len(words) <= 8:
                return LineInfo("date", published_at=dates[0].value)
            if _is_name(words):
                return LineInfo("outlet", published_at=dates[0].value, source=" ".join(words))
        return None
    if _BYLINE.match(line) and len(line.split()) <= 8:
        return LineInfo("byline")
    if _is_nav(line):
        return LineInfo("nav")
    return None


def _is_stamp_word(word: str) -> bool:
    w = word.strip(".,;:()[]-–—|").lower()
    return not w or w.isdigit() or w in _STAMP_WORDS or (w.endswith(":") and w[:-1] in _STAMP_WORDS)


def copyright_owner(line: str) -> str | None:
    """The rights holder named on a copyright line ("Copyright © 2024 The Washington Times, LLC...")."""
    m = _COPYRIGHT.match(line.strip())
    if not m or not m.group("name"):
        return None
    name = _COMPANY_SUFFIX.sub("", m.group("name")).strip(" .,")
    if not name or name.lower() in {"all", "all rights reserved"}:
        return None
    return name


@dataclass(frozen=True)
class Dateline:
    month: int | None
    day: int | None
    year: int | None
    agency: str | None


def parse_dateline(paragraph: str) -> Dateline | None:
    """Read a wire-style dateline at the very start of a paragraph."""
    m = _DATELINE_DATED.match(paragraph)
    if m:
        agency = m.group("agency") or m.group("agency2")
        year = int(m.group("y")) if m.group("y") else None
        return Dateline(_month_number(m.group("mon")), int(m.group("d")), year, agency.strip() if agency else None)
    m = _DATELINE_UNDATED.match(paragraph)
    if m:
        return Dateline(None, None, None, m.group("agency").strip())
    return None


def _reconcile(dateline: Dateline, header_date: date | None) -> date | None:
    """Combine a dateline's month/day with the year it lacks.

    A crawled copy's header stamp is often the crawl or last-update time (seed 000 carries
    "2022-06-12" over a story datelined "February 1"), while the dateline is written when the story is
    filed, so the dateline's month/day wins. Stamps are made at or after filing, so a dateline more
    than a time-zone shift (two days) *after* the stamp must be from the stamp's previous year
    (stamp 2022-01-03, dateline "December 31" -> 2021-12-31).
    """
    if dateline.month is None or dateline.day is None:
        return header_date
    if dateline.year is not None:
        return _safe_date(dateline.year, dateline.month, dateline.day) or header_date
    if header_date is None:
        return None  # a month and day alone do not say which year; never guess one
    candidate = _safe_date(header_date.year, dateline.month, dateline.day)
    if candidate is not None and candidate > header_date + timedelta(days=2):
        candidate = _safe_date(header_date.year - 1, dateline.month, dateline.day)
    return candidate or header_date


def _lines(raw: str) -> list[tuple[int, str]]:
    """(offset of the stripped text, stripped text) for every non-empty line."""
    out: list[tuple[int, str]] = []
    pos = 0
    for piece in raw.splitlines(keepends=True):
        stripped = piece.strip()
        if stripped:
            out.append((pos + piece.index(stripped[0]), stripped))
        pos += len(piece)
    return out


def _is_headline(line: str) -> bool:
    # Headlines carry no final full stop; a long first line ending in one is the story's lede.
    return len(line.split()) <= MAX_HEADLINE_WORDS and not line.endswith(".")


def parse_header(raw: str, *, headline: bool = True) -> HeaderFields:
    """Headline, publication date, outlet and URL from the top of ``raw``; None for what is not stated.

    With ``headline=False`` a first line that looks like a headline is taken as story text (the client gave
    the title, and the line does not repeat it).
    """
    lines = _lines(raw)
    title: str | None = None
    url: str | None = None
    header_date: date | None = None
    outlet: str | None = None
    domain: str | None = None
    copyright_source: str | None = None
    body_start = len(raw)
    body_index = len(lines)

    for index, (offset, line) in enumerate(lines):
        if index >= MAX_HEADER_LINES:
            body_start, body_index = offset, index
            break
        info = classify_line(line)
        if info is not None:
            if info.published_at is not None and header_date is None:
                header_date = info.published_at
            if info.kind == "outlet" and outlet is None:
                outlet = info.source
            elif info.kind == "url" and url is None:
                url, domain = info.url, info.source
            elif info.kind == "copyright" and copyright_source is None:
                copyright_source = info.source
            continue
        candidate = line[2:].strip() if line.startswith("- ") else line
        if headline and title is None and _is_headline(candidate):
            title = candidate
            continue
        body_start, body_index = offset, index
        break

    if header_date is None:
        # A stamp often sits under a subtitle or a one-line teaser ("Headline / Subtitle / 12/16/08 1:30 AM"):
        # the first stamp line within the header window dates the article (the body's copy is cut as boilerplate).
        for _, line in lines[body_index:MAX_HEADER_LINES]:
            info = classify_line(line)
            if info is not None and info.published_at is not None:
                header_date = info.published_at
                break

    dateline: Dateline | None = None
    for _, line in lines[body_index : body_index + 2]:
        dateline = parse_dateline(line)
        if dateline is not None:
            break

    # Copyright notices sit at the bottom of a page, so the whole text is searched for them.
    if copyright_source is None:
        for _, line in lines[body_index:]:
            info = classify_line(line)
            if info is not None and info.kind == "copyright" and info.source:
                copyright_source = info.source
                break

    published_at = _reconcile(dateline, header_date) if dateline is not None else header_date
    # The outlet that published the page is named over the wire agency it credits, and any name
    # over a bare domain, which may be an aggregator's.
    source = outlet or copyright_source or (dateline.agency if dateline else None) or domain
    return HeaderFields(title=title, published_at=published_at, source=source, url=url, body_start=body_start)
