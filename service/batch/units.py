"""The units of work both batch engines run, cut the same way: chunks of articles for the grouping signals,
chunks of stories for the analysis. Because every model call sees the same texts in the same company in
either engine, both give the same stories (batch composition changes a model's floats: MiniLM under
bfloat16 moves a vector by up to 1e-3 when its batch changes)."""

from __future__ import annotations

import os
import resource
from collections.abc import Sequence
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from service.models.base import Summarizer
from service.models.embeddings import Embedder, MemoEmbedder, load_embedder
from service.models.loader import load_summarizer
from service.nlp.linguist import Linguist, shared_linguist
from service.pipeline.clean import EmptyArticleError, clean_article
from service.pipeline.grouping import ArticleFeatures, article_features
from service.pipeline.sentences import split_sentences
from service.pipeline.types import ArticleInput, CleanArticle, Sentence, SkippedArticle
from service.settings import Settings

SKIPPED_REASON = "no story text left after removing boilerplate"
T = TypeVar("T")


def chunks_of(items: Sequence[T], size: int) -> list[list[T]]:
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def clean_chunk(inputs: Sequence[ArticleInput]) -> tuple[list[CleanArticle], list[SkippedArticle]]:
    """``clean_articles`` without its error on a chunk where nothing is usable (other chunks may be)."""
    articles: list[CleanArticle] = []
    skipped: list[SkippedArticle] = []
    for article in inputs:
        try:
            articles.append(clean_article(article))
        except EmptyArticleError:
            skipped.append(SkippedArticle(article.id, SKIPPED_REASON))
    return articles, skipped


def split_chunk(articles: Sequence[CleanArticle]) -> dict[str, list[Sentence]]:
    return {a.id: split_sentences(a) for a in articles}


def features_chunk(
    articles: Sequence[CleanArticle], sentences_of: dict[str, list[Sentence]], linguist: Linguist
) -> ArticleFeatures:
    """One chunk of kept reports' grouping features (leads from the full sentence split, as ``prepare`` has it)."""
    return article_features(articles, linguist, [sentences_of[a.id] for a in articles])


def embed_leads(embedder: Embedder, leads: Sequence[str]) -> NDArray[np.float32]:
    """One chunk's lead vectors, through a fresh memo (each distinct lead once, as ``analyze`` embeds them)."""
    return MemoEmbedder(embedder).encode(leads).astype(np.float32)


def story_models(settings: Settings) -> tuple[Embedder, Summarizer, Linguist]:
    """What the story stage needs loaded: the embedder (alignment), the summarizer and spaCy (disagreements
    read its parses). spaCy parses in the worker's own process (no ``parse_processes`` pool): the engine runs a
    worker per core already."""
    embedder = load_embedder(
        settings.embedding_backend,
        settings.embedding_model,
        batch_size=settings.embedding_batch_size,
        device=settings.device,
        dtype=settings.dtype,
    )
    return embedder, load_summarizer(settings), shared_linguist(settings.spacy_model)


def peak_rss_mb() -> tuple[int, float]:
    """(pid, peak resident memory of this process in MiB)."""
    return os.getpid(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
