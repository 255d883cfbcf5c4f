"""Sentence splitting with exact character spans, so every quote is a verbatim slice of its article."""

from __future__ import annotations

import re
import threading

import pysbd

from service.pipeline.types import CleanArticle, Sentence

# Scraped copy often loses the space between sentences ("...in Ukraine.Blinken said"); pysbd then sees
# one sentence. A sentence end glued to a capitalised word is a boundary.
_GLUED_BOUNDARY = re.compile(r"(?<=[a-z0-9”\"’)\]])[.!?](?=[A-Z“\"][a-z])")
_PARAGRAPH = re.compile(r"[^\n]+")
MIN_SENTENCE_CHARS = 12
# Fewer words carry no claim: datelines ("WASHINGTON, March 3."), bylines, stray fragments.
MIN_SENTENCE_WORDS = 4


_LOCAL = threading.local()


def _segmenter() -> pysbd.Segmenter:
    """One segmenter per thread: ``Segmenter.segment`` keeps the text it works on in the instance, so two
    threads sharing one (concurrent requests, job workers) would split each other's text."""
    segmenter: pysbd.Segmenter | None = getattr(_LOCAL, "segmenter", None)
    if segmenter is None:
        segmenter = _LOCAL.segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    return segmenter


def _split_glued(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    cursor = start
    for match in _GLUED_BOUNDARY.finditer(text, start, end):
        spans.append((cursor, match.end()))
        cursor = match.end()
    spans.append((cursor, end))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_text(text: str) -> list[str]:
    """Sentences of free text (a generated summary), stripped."""
    return [span.sent.strip() for span in _segmenter().segment(text) if span.sent.strip()]


def split_sentences(article: CleanArticle) -> list[Sentence]:
    """Sentences of the cleaned body in order; fragments too short to carry a claim are dropped."""
    text = article.text
    sentences: list[Sentence] = []
    for paragraph in _PARAGRAPH.finditer(text):
        base = paragraph.start()
        for span in _segmenter().segment(paragraph.group()):
            for start, end in _split_glued(text, base + span.start, base + span.end):
                start, end = _trim(text, start, end)
                if end - start < MIN_SENTENCE_CHARS or len(text[start:end].split()) < MIN_SENTENCE_WORDS:
                    continue
                sentences.append(Sentence(article.id, len(sentences), start, end, text[start:end]))
    return sentences
