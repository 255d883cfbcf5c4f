"""Stories of a batch: their deterministic keys, the plan made by grouping, and the unit of work that turns a
chunk of stories into output lines (the same function for every engine).

A story's key is a hash of the sorted ids of all its articles (copies included): the same articles give the
same key in any run and any engine, which is what makes the output resumable and comparable.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from service.api.convert import to_article_meta, to_cluster_out
from service.models.base import Summarizer
from service.models.embeddings import Embedder, MemoEmbedder
from service.nlp.linguist import Linguist
from service.pipeline.analyze import analyze_stories, assemble, describe_disagreements, summarize_stories
from service.pipeline.types import CleanArticle, DuplicateGroup, Sentence, SkippedArticle
from service.settings import Settings


def story_key(article_ids: Sequence[str]) -> str:
    """``s-`` and 20 hex digits of BLAKE2b over the sorted ids (order-free, stable across runs and engines)."""
    digest = hashlib.blake2b("\n".join(sorted(article_ids)).encode(), digest_size=10).hexdigest()
    return f"s-{digest}"


@dataclass(frozen=True)
class StorySpec:
    key: str
    members: tuple[str, ...]
    """The analysed reports (one per group of copies), in input order."""
    duplicates: tuple[DuplicateGroup, ...]
    """The groups of copies among the members (kept id = a member)."""

    @property
    def article_ids(self) -> list[str]:
        ids: list[str] = []
        copies = {g.kept: g for g in self.duplicates}
        for member in self.members:
            ids.append(member)
            if member in copies:
                ids.extend(copies[member].copies)
        return ids


@dataclass
class Plan:
    """What grouping decided: the stories (largest first) and everything left out, with the articles' metadata."""

    stories: list[StorySpec]
    skipped: list[SkippedArticle]
    meta: dict[str, dict[str, Any]]
    """Article id -> the API's article metadata (``ArticleMetaOut``) of every usable article."""

    def to_json(self) -> dict[str, Any]:
        return {
            "stories": [
                {"key": s.key, "members": list(s.members), "duplicates": [asdict(g) for g in s.duplicates]}
                for s in self.stories
            ],
            "skipped": [asdict(s) for s in self.skipped],
            "meta": self.meta,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(
            stories=[
                StorySpec(
                    key=s["key"],
                    members=tuple(s["members"]),
                    duplicates=tuple(
                        DuplicateGroup(kept=g["kept"], copies=tuple(g["copies"]), similarity=g["similarity"])
                        for g in s["duplicates"]
                    ),
                )
                for s in data["stories"]
            ],
            skipped=[SkippedArticle(**s) for s in data["skipped"]],
            meta=data["meta"],
        )


def make_plan(
    clusters: Sequence[Sequence[CleanArticle]],
    copies_of: dict[str, DuplicateGroup],
    articles: Sequence[CleanArticle],
    skipped: Sequence[SkippedArticle],
) -> Plan:
    """Stories from the clusters ``group`` made (largest first), keyed by their articles."""
    stories = []
    for cluster in clusters:
        members = tuple(a.id for a in cluster)
        duplicates = tuple(copies_of[m] for m in members if m in copies_of)
        spec = StorySpec(key="", members=members, duplicates=duplicates)
        stories.append(replace(spec, key=story_key(spec.article_ids)))
    meta = {a.id: to_article_meta(a).model_dump(mode="json") for a in articles}
    return Plan(stories=stories, skipped=list(skipped), meta=meta)


def story_chunks(plan: Plan, per_chunk: int) -> list[list[StorySpec]]:
    """The units of work, always cut the same way for one plan (a resumed run redoes whole chunks, so every
    story is analysed in the same company of stories in every run and engine)."""
    return [plan.stories[i : i + per_chunk] for i in range(0, len(plan.stories), per_chunk)]


@dataclass(frozen=True)
class StoryChunk:
    """A chunk of stories with what their analysis reads: the members' cleaned text and sentences."""

    stories: list[StorySpec]
    articles: dict[str, CleanArticle]
    sentences_of: dict[str, list[Sentence]]
    meta: dict[str, dict[str, Any]]


def build_chunk(
    specs: Sequence[StorySpec],
    articles: dict[str, CleanArticle],
    sentences_of: dict[str, list[Sentence]],
    meta: dict[str, dict[str, Any]],
) -> StoryChunk:
    members = [m for s in specs for m in s.members]
    return StoryChunk(
        stories=list(specs),
        articles={m: articles[m] for m in members},
        sentences_of={m: sentences_of[m] for m in members},
        meta={i: meta[i] for s in specs for i in s.article_ids},
    )


def _json_default(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def run_story_chunk(
    chunk: StoryChunk,
    embedder: Embedder,
    summarizer: Summarizer,
    linguist: Linguist,
    settings: Settings,
    max_summary_words: int,
) -> list[tuple[str, str]]:
    """``(key, JSON line)`` per story: the key, the API's cluster object (its id is the key) and its articles.

    The pipeline's own stage functions, in the order ``analyze`` runs them; one embedding memo per chunk.
    """
    memo = MemoEmbedder(embedder)
    analyses = analyze_stories(
        [[chunk.articles[m] for m in spec.members] for spec in chunk.stories],
        chunk.sentences_of,
        memo,
        linguist,
        settings,
        None,
        max_summary_words,
    )
    summaries = summarize_stories(analyses, summarizer, memo, settings, max_summary_words)
    if settings.describe_disagreements:
        analyses = describe_disagreements(analyses, summarizer)
    copies_of = {g.kept: g for spec in chunk.stories for g in spec.duplicates}
    reports = assemble(analyses, summaries, copies_of)
    lines = []
    for spec, report in zip(chunk.stories, reports, strict=True):
        if list(report.article_ids) != spec.article_ids:
            raise RuntimeError(f"story {spec.key}: assembled ids {report.article_ids} differ from the plan's")
        cluster = to_cluster_out(replace(report, id=spec.key)).model_dump(mode="json")
        line = {"key": spec.key, "cluster": cluster, "articles": [chunk.meta[i] for i in spec.article_ids]}
        lines.append((spec.key, json.dumps(line, ensure_ascii=False, default=_json_default)))
    return lines
