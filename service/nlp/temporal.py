"""Dates and weekdays in a sentence, resolved against the article's own publication date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH_SPELLINGS: dict[int, tuple[str, ...]] = {
    i + 1: names
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
}
"""Month number -> its name and abbreviations, lower case."""
MONTHS = {name: number for number, names in MONTH_SPELLINGS.items() for name in names}
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
"""Every month name and abbreviation as one regex alternation, the longest first."""
# Whole words only: "15 mark" is no "15 Mar", "Omar 15" no "Mar 15".
_MONTH = r"\b(?P<month>" + MONTH_NAMES + r")\b\.?"
_DATE_PATTERNS = (
    re.compile(_MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(?P<year>(?:19|20)\d{2}))?", re.I),
    re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r"(?:,?\s+(?P<year>(?:19|20)\d{2}))?", re.I),
)
# A month without a day: "in May", "mid-May", "early May 2013".
_MONTH_ONLY = re.compile(
    r"\b(?:(?P<part>early|mid|late)[- ]?|in\s+)" + _MONTH + r"(?!\s*\d{1,2}\b)(?:,?\s+(?P<year>(?:19|20)\d{2}))?\b",
    re.I,
)
# A year alone, after the prepositions that date an event ("in 1955", "since 2001"), not a span ("1966-1978",
# "from 1967 to 1979": compared as figures) nor a season ("2006-07").
_YEAR_ONLY = re.compile(
    r"\b(?:in|since|until|by|of|during)\s+(?P<year>(?:19|20)\d{2})\b(?!\s*(?:-|–|to\b|through\b|until\b)\s*\d)", re.I
)
_WEEKDAY = re.compile(r"\b(?P<weekday>" + "|".join(WEEKDAYS) + r")(?:['’]s)?\b", re.I)
_RELATIVE = re.compile(r"\b(?P<relative>today|yesterday|tonight)\b", re.I)


@dataclass(frozen=True)
class DateMention:
    text: str
    start: int
    end: int
    resolved: date | None
    """None when the article's date is unknown and the mention is relative (a bare weekday)."""
    weekday: str | None
    month: tuple[int, int] | None = None
    """(year, month) of a mention that names only a month ("in mid-May"); its ``resolved`` is None."""
    year: int | None = None
    """The year of a mention that names only a year ("in 1955"); its ``resolved`` is None."""


def _previous_weekday(anchor: date, weekday: int) -> date:
    # Reports describe what already happened: "on Monday" in a Tuesday paper is the day before.
    return anchor - timedelta(days=(anchor.weekday() - weekday) % 7)


def date_mentions(text: str, published: date | None) -> list[DateMention]:
    mentions: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            month, day = MONTHS[m.group("month").lower().rstrip(".")], int(m.group("day"))
            year = int(m.group("year")) if m.group("year") else (published.year if published else None)
            resolved: date | None = None
            if year is not None:
                try:
                    resolved = date(year, month, day)
                except ValueError:
                    continue
                if not m.group("year") and published and resolved > published + timedelta(days=31):
                    resolved = resolved.replace(year=year - 1)  # "December 20" in a January paper
            taken.append((m.start(), m.end()))
            mentions.append(DateMention(m.group(), m.start(), m.end(), resolved, None))
    for m in _MONTH_ONLY.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken) or (published is None and not m.group("year")):
            continue
        month = MONTHS[m.group("month").lower().rstrip(".")]
        year = int(m.group("year")) if m.group("year") else published.year if published else 0
        if not m.group("year") and published and date(year, month, 1) > published + timedelta(days=31):
            year -= 1
        taken.append((m.start(), m.end()))
        mentions.append(DateMention(m.group(), m.start(), m.end(), None, None, (year, month)))
    for m in _YEAR_ONLY.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        taken.append((m.start(), m.end()))
        mentions.append(DateMention(m.group(), m.start(), m.end(), None, None, year=int(m.group("year"))))
    for m in _WEEKDAY.finditer(text):
        if re.search(r"\b(?:last|this past|past|next|this)\s+$", text[max(0, m.start() - 12) : m.start()], re.I):
            continue  # "last Thursday", "next Friday": which week is meant varies by writer
        weekday = m.group("weekday").lower()
        resolved = _previous_weekday(published, WEEKDAYS.index(weekday)) if published else None
        mentions.append(DateMention(m.group(), m.start(), m.end(), resolved, weekday))
    for m in _RELATIVE.finditer(text):
        if published is None:
            continue
        word = m.group("relative").lower()
        resolved = published - timedelta(days=1) if word == "yesterday" else published
        mentions.append(DateMention(m.group(), m.start(), m.end(), resolved, None))
    return sorted(mentions, key=lambda d: d.start)


def year_of(mention: DateMention) -> int | None:
    """The year a mention names or falls in, if it says."""
    if mention.year:
        return mention.year
    if mention.month:
        return mention.month[0]
    return mention.resolved.year if mention.resolved else None


def same_day(a: DateMention, b: DateMention) -> bool | None:
    """True/False when comparable, None when neither absolute dates nor weekdays can be compared.

    A month-only mention agrees with any day of that month and differs from days of other months.
    """
    if a.year or b.year:
        years = [year_of(a), year_of(b)]
        if years[0] and years[1]:
            return None if years[0] == years[1] else False
        return None
    if a.weekday and a.weekday == b.weekday:
        # Both write the same weekday: they agree as written, whatever week each article's date puts it in (a
        # preview's "Wednesday" is the coming one, a report's the last).
        return True
    if a.resolved and b.resolved:
        return a.resolved == b.resolved
    months = [m.month or ((m.resolved.year, m.resolved.month) if m.resolved else None) for m in (a, b)]
    if (a.month or b.month) and months[0] and months[1]:
        return None if months[0] == months[1] else False
    if a.weekday and b.weekday:
        return a.weekday == b.weekday
    return None


def shifted(mention: DateMention, years: int) -> DateMention:
    """The same mention read in another year (a future event dated as if it were past, or the reverse)."""
    resolved = mention.resolved
    if resolved is not None:
        try:
            resolved = resolved.replace(year=resolved.year + years)
        except ValueError:  # 29 February
            resolved = resolved.replace(year=resolved.year + years, day=28)
    month = (mention.month[0] + years, mention.month[1]) if mention.month else None
    year = mention.year + years if mention.year else None
    return DateMention(mention.text, mention.start, mention.end, resolved, mention.weekday, month, year)
