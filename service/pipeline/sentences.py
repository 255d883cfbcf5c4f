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


def _segment_spans(text: str) -> list[tuple[int, int]]:
    """pysbd's sentences of ``text`` as ``(start, end)`` offsets, trailing whitespace included.

    ``Segmenter.segment`` finds each sentence back in the text with a regular expression compiled from that
    sentence: one compile per sentence, and enough of them to push pysbd's own rules out of Python's regex
    cache, so they are compiled again too (half the time of splitting the ECB+ dev set). Its sentences are
    slices of the text (``clean=False``), so a plain ``str.find`` from the previous sentence's end locates
    them; the rare sentence not found that way gets pysbd's own search.
    """
    segmenter = _segmenter()
    spans: list[tuple[int, int]] = []
    cursor = 0
    for sentence in segmenter.processor(text).process():
        start = text.find(sentence, cursor)
        if start < 0:
            segmenter.original_text = text
            found = segmenter.sentences_with_char_spans([sentence])
            if not found:
                continue
            start = found[0].start
        end = start + len(sentence)
        while end < len(text) and text[end].isspace():
            end += 1
        spans.append((start, end))
        cursor = end
    return spans


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
        for span_start, span_end in _segment_spans(paragraph.group()):
            for start, end in _split_glued(text, base + span_start, base + span_end):
                start, end = _trim(text, start, end)
                if end - start < MIN_SENTENCE_CHARS or len(text[start:end].split()) < MIN_SENTENCE_WORDS:
                    continue
                sentences.append(Sentence(article.id, len(sentences), start, end, text[start:end]))
    return sentences
