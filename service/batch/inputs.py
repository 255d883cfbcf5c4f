"""Articles of a batch as JSON lines, checked line by line as the API checks a request's articles.

A bad line (not JSON, not an article, an empty body, binary data, an article over the size limit, an id
already used above) is reported with its line number and why, and left out; the rest of the batch goes on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from service.api.schemas import ArticleIn, looks_binary
from service.pipeline.types import ArticleInput
from service.settings import Settings


@dataclass(frozen=True)
class InvalidLine:
    line: int
    """1-based line number in the input file."""
    article_id: str | None
    errors: tuple[str, ...]


@dataclass
class InputBatch:
    articles: list[ArticleInput] = field(default_factory=list)
    invalid: list[InvalidLine] = field(default_factory=list)
    lines: int = 0
    sha256: str = ""


def _errors(exc: ValidationError) -> tuple[str, ...]:
    out = []
    for error in exc.errors():
        where = "/".join(str(part) for part in error["loc"])
        out.append(f"{where or 'article'}: {error['msg']}")
    return tuple(out)


def read_articles(path: Path, settings: Settings) -> InputBatch:
    """Every valid article of ``path`` in order; an article without ``id`` gets ``article-<line>``."""
    batch = InputBatch()
    digest = hashlib.sha256()
    seen: dict[str, int] = {}
    with path.open("rb") as f:
        for number, raw in enumerate(f, start=1):
            digest.update(raw)
            batch.lines = number
            if not raw.strip():
                continue
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                batch.invalid.append(InvalidLine(number, None, (f"not UTF-8: {exc}",)))
                continue
            try:
                article = ArticleIn.model_validate_json(text)
            except ValidationError as exc:
                batch.invalid.append(InvalidLine(number, _id_of(text), _errors(exc)))
                continue
            article_id = article.id or f"article-{number}"
            body = article.text if article.text is not None else article.html or ""
            problems = []
            if article_id in seen:
                problems.append(f"id: duplicate id (also used on line {seen[article_id]})")
            if len(body) > settings.max_article_chars:
                problems.append(
                    f"{'text' if article.text is not None else 'html'}: {len(body)} characters; the limit is "
                    f"{settings.max_article_chars} (setting NEWSFUSE_MAX_ARTICLE_CHARS)"
                )
            if looks_binary(body):
                problems.append(f"{'text' if article.text is not None else 'html'}: looks like binary data, not text")
            if problems:
                batch.invalid.append(InvalidLine(number, article_id, tuple(problems)))
                continue
            seen[article_id] = number
            batch.articles.append(article.to_input(article_id))
    batch.sha256 = digest.hexdigest()
    return batch


def _id_of(text: str) -> str | None:
    """The line's ``id`` when it is a JSON object with a string id (to name it in the report)."""
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return str(value["id"])
    return None
