"""Sentence splitting: every sentence is a verbatim, in-order, non-overlapping slice of the cleaned text."""

from __future__ import annotations

from itertools import pairwise

import pysbd

from service.pipeline.clean import clean_article
from service.pipeline.sentences import _segment_spans, split_sentences
from service.pipeline.types import ArticleInput


def _article(text: str):  # type: ignore[no-untyped-def]
    return clean_article(ArticleInput(id="a", title="A headline given by the client", text=text))


def test_sentences_are_verbatim_slices_in_order() -> None:
    text = (
        "The council voted 7-2 on Tuesday to approve the plan. Mr. Smith, who chairs it, said the vote was "
        '"long overdue." The plan costs $4.5 million.\n'
        "Critics said it was wrong. Critics said it was wrong. Then the meeting ended at 9 p.m. and everyone went home."
    )
    article = _article(text)
    sentences = split_sentences(article)
    assert [s.text for s in sentences] == [
        "The council voted 7-2 on Tuesday to approve the plan.",
        'Mr. Smith, who chairs it, said the vote was "long overdue."',
        "The plan costs $4.5 million.",
        "Critics said it was wrong.",
        "Critics said it was wrong.",
        "Then the meeting ended at 9 p.m. and everyone went home.",
    ]
    previous_end = 0
    for index, sentence in enumerate(sentences):
        assert sentence.index == index
        assert article.text[sentence.start : sentence.end] == sentence.text
        assert sentence.start >= previous_end  # repeated sentences get their own, later span
        previous_end = sentence.end


def test_spans_match_pysbd_and_never_overlap() -> None:
    # pysbd's own char_span search is the reference; ours must give the same offsets (and never overlap
    # where pysbd's search would find an earlier copy of a short sentence).
    paragraphs = [
        "U.S. officials met on Jan. 5 in Geneva. They talked for 3.5 hours. No deal was reached.",
        'He said: "We will win." Then he left. Then he left.',
        "An unfinished teaser that stops mid-sentence without a full stop",
    ]
    reference = pysbd.Segmenter(language="en", clean=False, char_span=True)
    for paragraph in paragraphs:
        spans = _segment_spans(paragraph)
        assert spans == [(s.start, s.end) for s in reference.segment(paragraph)]
        assert all(a_end <= b_start for (_, a_end), (b_start, _) in pairwise(spans))
        assert "".join(paragraph[a:b] for a, b in spans) == paragraph
