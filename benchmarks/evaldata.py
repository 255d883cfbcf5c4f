"""The real dev sets in ../shared/eval (read in place: their texts are never copied into this repository)."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.pipeline.types import ArticleInput  # noqa: E402


def eval_dir() -> Path | None:
    """``$NEWSFUSE_EVAL_DIR``, else ``../shared/eval`` beside the checkout; None when absent."""
    configured = os.environ.get("NEWSFUSE_EVAL_DIR")
    candidate = Path(configured) if configured else ROOT.parent / "shared" / "eval"
    return candidate if (candidate / "README.md").is_file() else None


def require_eval_dir(script: str) -> Path:
    """The eval folder, or exit 0 with a clear message (CI without the data skips, it does not fail)."""
    found = eval_dir()
    if found is None:
        print(f"{script}: SKIPPED: no evaluation data (../shared/eval or $NEWSFUSE_EVAL_DIR) on this machine")
        sys.exit(0)
    return found


@dataclass(frozen=True)
class EvalArticle:
    id: str
    gold_event: str
    topic: str
    """Grouping for cross-validation: ECB+'s topic (two events of one kind), else the event itself."""
    source: str | None
    title: str | None
    url: str | None
    published_at: date | None
    text: str


def load_articles(name: str, directory: Path | None = None) -> list[EvalArticle]:
    """``basil`` or ``ecbplus``: one article per row, with its gold event."""
    folder = directory or eval_dir()
    if folder is None:
        raise FileNotFoundError("no evaluation data folder")
    rows = []
    with (folder / f"{name}.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            row = json.loads(line)
            rows.append(
                EvalArticle(
                    id=row["id"],
                    gold_event=row["gold_event"],
                    topic=str(row.get("gold_topic", row["gold_event"])),
                    source=row.get("source"),
                    title=row.get("title"),
                    url=row.get("url"),
                    published_at=date.fromisoformat(row["published_at"]) if row.get("published_at") else None,
                    text=row["text"],
                )
            )
    return rows


def to_input(article: EvalArticle) -> ArticleInput:
    return ArticleInput(
        id=article.id,
        text=article.text,
        source=article.source,
        title=article.title,
        url=article.url,
        published_at=article.published_at,
    )


def bcubed(predicted: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering (item -> cluster label) against gold labels."""
    by_predicted: dict[str, set[str]] = {}
    by_gold: dict[str, set[str]] = {}
    for item in gold:
        by_predicted.setdefault(predicted[item], set()).add(item)
        by_gold.setdefault(gold[item], set()).add(item)
    precision = recall = 0.0
    for item in gold:
        shared = len(by_predicted[predicted[item]] & by_gold[gold[item]])
        precision += shared / len(by_predicted[predicted[item]])
        recall += shared / len(by_gold[gold[item]])
    precision, recall = precision / len(gold), recall / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def pairwise(predicted: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """Precision, recall and F1 over pairs of items put in one cluster."""
    items = sorted(gold)
    together = both = truth = 0
    for a_index, a in enumerate(items):
        for b in items[a_index + 1 :]:
            same_predicted = predicted[a] == predicted[b]
            same_gold = gold[a] == gold[b]
            together += same_predicted
            truth += same_gold
            both += same_predicted and same_gold
    precision = both / together if together else 1.0
    recall = both / truth if truth else 1.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0
