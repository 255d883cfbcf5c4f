"""Strip page furniture (share prompts, credits, copyright, contact lines, menus) from article text.

The cleaned text is built only from verbatim pieces of the input joined by blank lines, and every piece
is recorded as a :class:`Segment`, so a quote found in the cleaned text can always be shown at its exact
place in what the client sent. Rules describe kinds of lines, not particular outlets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from html.parser import HTMLParser
from itertools import pairwise
from typing import Any

import trafilatura

from service.pipeline.ingest import classify_line, find_dates, parse_header
from service.pipeline.types import ArticleInput, CleanArticle, CleanedText, Segment, SkippedArticle

PARAGRAPH_SEPARATOR = "\n\n"
# Boilerplate phrases are only recognised on short pieces: a long paragraph that happens to contain
# "subscribe" or an e-mail address is story text.
MAX_BOILERPLATE_WORDS = 30


class EmptyArticleError(ValueError):
    """Nothing of the story is left once boilerplate is removed."""

    def __init__(self, article_id: str) -> None:
        super().__init__(f"article {article_id!r} has no text left after removing boilerplate")
        self.article_id = article_id


class NoUsableArticlesError(ValueError):
    """Every article of a batch was unusable: there is nothing to analyse."""

    def __init__(self, skipped: Sequence[SkippedArticle]) -> None:
        super().__init__(f"none of the {len(skipped)} article(s) has story text left after removing boilerplate")
        self.skipped = tuple(skipped)


def clean_articles(inputs: Sequence[ArticleInput]) -> tuple[list[CleanArticle], list[SkippedArticle]]:
    """Clean every article; an unusable one is listed as skipped instead of failing the batch.

    Raises :class:`NoUsableArticlesError` when no article is left.
    """
    articles: list[CleanArticle] = []
    skipped: list[SkippedArticle] = []
    for article in inputs:
        try:
            articles.append(clean_article(article))
        except EmptyArticleError:
            skipped.append(SkippedArticle(article.id, "no story text left after removing boilerplate"))
    if inputs and not articles:
        raise NoUsableArticlesError(skipped)
    return articles, skipped


_PROMPT = re.compile(
    r"""^(?:
        (?:please\s+)?read\s+our\s+comment\s+policy.*
      | click\s+(?:here\s+)?to\s+(?:read|hide|view|show|expand|comment|share|subscribe|print|see).*
      | click\s+here\b.*
      | (?:view|show|hide|load|read|post|leave|add)\s+(?:all\s+|more\s+)?comments?.*
      | (?:\d+\s+)?comments?\s*(?:\(\d+\))?
      | share(?:\s+(?:this|the)\s+(?:article|story|page|post))?(?:\s+(?:on|via)\s+[\w ,]+)?:?
      | (?:tweet|print|e-?mail)(?:\s+(?:this|the)\s+(?:article|story|page))?
      | follow\s+(?:us|@\w+)\b.*
      | like\s+us\s+on\s+\w+.*
      | (?:sign\s+up|subscribe|register)\b.*
      | (?:get|receive)\s+(?:our|the)\s+.*newsletter.*
      | related(?:\s+(?:articles?|stories|news|content|posts?|coverage|topics))?:?
      | (?:read|see)\s+(?:more|also)\b.*
      | also\s+read\b.*
      | (?:recommended|trending|most\s+(?:read|popular|viewed))(?:\s+\w+)?:?
      | (?:back\s+to\s+top|scroll\s+to\s+top|skip\s+to\s+(?:main\s+)?content)(?:\s+button)?
      | (?:story\s+continues\s+below\s+)?advertisement
      | (?:tags?|topics?|filed\s+under|categories|keywords)\s*:.*
      | (?:photo|image|video|picture|file\s+photo)\s*(?:credit)?\s*:.*
      | we\s+use\s+cookies\b.*
      | this\s+(?:article|story)\s+(?:was\s+)?(?:first\s+)?(?:published|appeared)\b.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
_RIGHTS = re.compile(
    r"all\s+rights\s+reserved|reprint\s+permission"
    r"|may\s+not\s+be\s+(?:re)?(?:published|produced|printed|copied|distributed|broadcast)",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_CONTACT = re.compile(
    r"can\s+be\s+reached\s+(?:at|on|by)|^(?:contact|e-?mail|write\s+to|reach)\b|@\w{2,}\.?$",
    re.IGNORECASE,
)
_CREDIT_WORDS = (
    r"(?:edit(?:ed|ing|or|ors)?(?:\s+by)?|(?:additional\s+)?reporting(?:\s+by)?|writing\s+by|compiled\s+by"
    r"|translated\s+by|translation|responsible\s+editor|source|produced\s+by)"
)
_CREDIT = re.compile(
    rf"^\(?{_CREDIT_WORDS}\s*[:：]\s*\S.*$"
    r"|^\(?(?:edited|editing|(?:additional\s+)?reporting|writing|compiled|translated|produced)\s+by\s+[A-Z].*$",
    re.IGNORECASE,
)
# Calls to action are short; a longer line starting "Share" or "Register" is a story sentence.
MAX_PROMPT_WORDS = 15
# An editor credit glued to the end of the last paragraph ("...were achieved.Edit: Hao Chen Tang") or a
# wire service's "(Reporting by ...; Editing by ...)" after the final sentence.
_TRAILING_CREDIT = re.compile(
    rf"(?<=[.!?\"”’])\s*(?P<credit>\(\s*{_CREDIT_WORDS}\b[^()]*\)|{_CREDIT_WORDS}\s*[:：]\s*[^.!?]{{1,60}})\s*$",
    re.IGNORECASE,
)
# Sentences glued without a space by a careless scraper ("...in Ukraine.Blinken said..."). Cuts after a
# single letter ("U.S.", initials) or a known abbreviation ("Mr.") are skipped in _pieces.
_GLUED = re.compile(r"(?<=[\w”’\")][.!?])(?:[”’\"])?(?=[A-Z][a-z])")
_ABBREVIATIONS = frozenset(
    {
        "mr", "mrs", "ms", "dr", "st", "jr", "sr", "gen", "sen", "rep", "gov", "lt", "col", "maj", "capt",
        "sgt", "prof", "rev", "no", "vs", "inc", "corp", "co", "ltd", "mt", "ft",
    }
)  # fmt: skip


def _pieces(raw: str) -> list[tuple[int, int]]:
    """(start, end) of every stripped non-empty line of ``raw``, split again at glued sentences."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in raw.splitlines(keepends=True):
        cuts = [0]
        for m in _GLUED.finditer(line):
            word = re.search(r"(\w+)[”’\")]?[.!?][”’\"]?$", line[max(0, m.end() - 40) : m.end()])
            token = word.group(1) if word else ""
            if len(token) > 1 and token.lower() not in _ABBREVIATIONS:
                cuts.append(m.end())
        cuts.append(len(line))
        for a, b in pairwise(cuts):
            text = line[a:b]
            stripped = text.strip()
            if stripped:
                start = pos + a + text.index(stripped[0])
                spans.append((start, start + len(stripped)))
        pos += len(line)
    return spans


def _split_trailing_credit(raw: str, start: int, end: int) -> list[tuple[int, int]]:
    m = _TRAILING_CREDIT.search(raw[start:end])
    if m is None or m.start("credit") == 0:
        return [(start, end)]
    body_end = start + len(raw[start : start + m.start("credit")].rstrip())
    return [(start, body_end), (start + m.start("credit"), end)]


def is_boilerplate(piece: str) -> bool:
    """Whether a stripped line or sentence-run is page furniture rather than story text."""
    words = piece.split()
    if len(words) > MAX_BOILERPLATE_WORDS:
        return False
    if (len(words) <= MAX_PROMPT_WORDS and _PROMPT.match(piece)) or _RIGHTS.search(piece) or _CREDIT.match(piece):
        return True
    has_email = _EMAIL.search(piece) is not None
    if _CONTACT.search(piece) and (has_email or len(words) <= 12):
        return True
    if has_email and len(words) <= 12:
        return True
    info = classify_line(piece)
    return info is not None


def _is_continuation(raw: str, prev: tuple[int, int], nxt: tuple[int, int]) -> bool:
    """A hard-wrapped line continuing the previous one's sentence (one line break, lower-case start)."""
    gap = raw[prev[1] : nxt[0]]
    if gap.count("\n") != 1 or gap.strip():
        return False
    return not re.search(r"[.!?:\"”’]$", raw[prev[0] : prev[1]]) and raw[nxt[0]].islower()


def clean_text(raw: str) -> CleanedText:
    """Drop boilerplate lines and glued-on credits from ``raw``, keeping the story verbatim."""
    kept: list[tuple[int, int]] = []
    removed: list[str] = []
    for start, end in _pieces(raw):
        for a, b in _split_trailing_credit(raw, start, end):
            piece = raw[a:b]
            if is_boilerplate(piece):
                removed.append(piece.strip())
            elif kept and _is_continuation(raw, kept[-1], (a, b)):
                kept[-1] = (kept[-1][0], b)
            else:
                kept.append((a, b))

    parts: list[str] = []
    segments: list[Segment] = []
    cursor = 0
    for a, b in kept:
        if parts:
            parts.append(PARAGRAPH_SEPARATOR)
            cursor += len(PARAGRAPH_SEPARATOR)
        parts.append(raw[a:b])
        segments.append(Segment(clean_start=cursor, raw_start=a, length=b - a))
        cursor += b - a
    return CleanedText(text="".join(parts), segments=tuple(segments), removed=tuple(removed))


class _TextOnly(HTMLParser):
    """Tag stripper used only when trafilatura finds no main content; block tags become line breaks."""

    _BLOCK = frozenset(
        {
            "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "section",
            "article", "header", "footer", "blockquote",
        }
    )  # fmt: skip
    _SKIP = frozenset({"script", "style", "noscript", "template", "svg", "head"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.chunks.append(data)


def html_to_text(html: str) -> str:
    """Main text of an HTML page: trafilatura's extraction, or every visible text node as a fallback."""
    extracted = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    if extracted and extracted.strip():
        return str(extracted)
    parser = _TextOnly()
    parser.feed(html)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.chunks).splitlines()]
    return "\n".join(line for line in lines if line)


def clean_html(html: str) -> CleanedText:
    """Clean an HTML page. Segments point into the *extracted* text: for HTML that text is the "raw"."""
    return clean_text(html_to_text(html))


def _html_metadata(html: str) -> dict[str, Any]:
    # Only dates the page states in its markup: htmldate's extensive search would otherwise guess one
    # from any number on the page, and a wrong date is worse than none.
    document = trafilatura.extract_metadata(html, extensive=False)
    if document is None:
        return {}
    return {
        "title": document.title or None,
        "date": document.date or None,
        "sitename": document.sitename or None,
        "hostname": document.hostname or None,
        "url": document.url or None,
    }


def _clean_from(raw: str, start: int) -> CleanedText:
    """Clean ``raw[start:]`` with segment offsets that still refer to the whole of ``raw``."""
    body = clean_text(raw[start:])
    shifted = tuple(replace(s, raw_start=s.raw_start + start) for s in body.segments)
    return CleanedText(text=body.text, segments=shifted, removed=body.removed)


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _after_title(raw: str, title: str | None) -> int:
    """Offset just past a first line that repeats the page title (trafilatura keeps the <h1>)."""
    first = raw.lstrip()
    line_end = first.find("\n")
    line = first if line_end < 0 else first[:line_end]
    if not title or not _same_words(line, title):
        return 0
    return len(raw) - len(first) + len(line)


def clean_article(article: ArticleInput) -> CleanArticle:
    """Clean one submitted article; fields the client gave win over anything detected in the text."""
    if article.html is not None and article.text is None:
        raw = html_to_text(article.html)
        meta = _html_metadata(article.html)
        cleaned = _clean_from(raw, _after_title(raw, article.title or meta.get("title")))
        # The extracted text can still open with a wire dateline or end with a copyright line.
        header = parse_header(raw)
        stated = find_dates(str(meta.get("date") or ""))
        title = article.title or meta.get("title")
        source = article.source or meta.get("sitename") or header.source or meta.get("hostname")
        url = article.url or meta.get("url")
        published_at = article.published_at or (stated[0].value if stated else None) or header.published_at
    else:
        raw = article.text or ""
        if not raw.strip() and article.title:
            # A headline-only item (a wire flash, a feed entry with no description): the headline is what the
            # client sent about the story, so it is the text that quotes point into.
            raw = article.title
        header = parse_header(raw)
        if article.title and header.title and not _same_words(header.title, article.title):
            # The client named the title and the first line is not it: that line is story text (a teaser or
            # a one-line wire item without a full stop), not a headline to cut.
            header = parse_header(raw, headline=False)
        cleaned = _clean_from(raw, header.body_start)
        if not cleaned.text.strip() and header.title is not None:
            # Only a headline-like line was left (a one-line text, a teaser cut off mid-sentence): it is the
            # article, never a reason to drop it.
            cleaned = _clean_from(raw, 0)
        title = article.title or header.title
        source = article.source or header.source
        url = article.url or header.url
        published_at = article.published_at or header.published_at

    if not cleaned.text.strip():
        raise EmptyArticleError(article.id)
    return CleanArticle(
        id=article.id,
        source=source,
        title=title,
        url=url,
        published_at=published_at,
        text=cleaned.text,
        raw=raw,
        cleaned=cleaned,
    )
