"""Every real article and excerpt in ../shared/eval goes through the cleaning stage as an article.

Real clients send one-line texts, teasers and excerpts cut off mid-sentence (the NeuS/AllSides excerpts
are such); none of them may be refused as "no text left". Skipped (not failed) where the eval data is
absent, e.g. a clone without ../shared.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.pipeline.clean import clean_articles
from service.pipeline.types import ArticleInput

ROOT = Path(__file__).resolve().parent.parent
EVAL = Path(os.environ.get("NEWSFUSE_EVAL_DIR") or ROOT.parent / "shared" / "eval")

pytestmark = pytest.mark.skipif(
    not (EVAL / "README.md").is_file(), reason="no evaluation data (../shared/eval or $NEWSFUSE_EVAL_DIR)"
)


def _rows(name: str) -> Iterator[dict[str, object]]:
    with (EVAL / name).open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            # NeuS rows are stories of several outlets' excerpts; BASIL and ECB+ rows are articles.
            yield from row.get("articles", [row])


def _input(row: dict[str, object]) -> ArticleInput:
    return ArticleInput(
        id=str(row["id"]),
        text=str(row["text"]),
        title=str(row["title"]) if row.get("title") else None,
        source=str(row["source"]) if row.get("source") else None,
    )


@pytest.mark.parametrize("name", ["basil.jsonl", "ecbplus.jsonl", "neus-train.jsonl", "neus-val.jsonl"])
def test_every_eval_article_is_kept_by_cleaning(name: str) -> None:
    inputs = [_input(row) for row in _rows(name)]
    articles, skipped = clean_articles(inputs)
    assert not skipped, f"{len(skipped)} of {len(inputs)} refused, e.g. {skipped[:3]}"
    assert len(articles) == len(inputs)
    assert all(article.text.strip() for article in articles)
    # Cleaning removes boilerplate, never the story: most of each text survives.
    kept = sum(len(a.text) for a in articles) / sum(len(i.text) for i in inputs)
    assert kept > 0.8, f"only {kept:.0%} of the characters survive cleaning"
