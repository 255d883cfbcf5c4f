"""The in-process batch engine: the pipeline's stage functions (``service/pipeline/analyze.py``) in one
process, over the same units of work as the Ray engine (``service/batch/units.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from service.batch.stories import Plan, StorySpec, build_chunk, make_plan, run_story_chunk
from service.batch.units import chunks_of, clean_chunk, embed_leads, features_chunk, peak_rss_mb, split_chunk
from service.engine import Engine
from service.pipeline.analyze import group, prepare
from service.pipeline.clean import NoUsableArticlesError
from service.pipeline.grouping import signals_from
from service.pipeline.types import ArticleInput, CleanArticle, Sentence
from service.settings import Settings

Progress = Callable[[str], None]


class InProcessEngine:
    name = "inprocess"

    def __init__(self, settings: Settings, engine: Engine | None = None) -> None:
        self.settings = settings
        self._engine = engine
        self._articles: dict[str, CleanArticle] | None = None
        self._sentences: dict[str, list[Sentence]] | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = Engine.load(self.settings)
        return self._engine

    def describe_models(self) -> dict[str, object]:
        from service.api.convert import model_out

        return model_out(self.engine).model_dump()

    def plan(self, inputs: Sequence[ArticleInput], progress: Progress) -> Plan:
        engine, settings = self.engine, self.settings
        progress("clean, dedup, sentences")
        try:
            prepared = prepare(inputs, settings, linguist=engine.linguist)
        except NoUsableArticlesError as exc:
            return Plan(stories=[], skipped=list(exc.skipped), meta={})
        features, vectors = [], []
        for chunk in chunks_of(prepared.kept, settings.batch_chunk_articles):
            progress("grouping signals")
            part = features_chunk(chunk, prepared.sentences_of, engine.linguist)
            features.append(part)
            vectors.append(embed_leads(engine.embedder, part.leads))
        signals = signals_from(features, np.concatenate(vectors)) if vectors else None
        progress("group")
        clusters = group(prepared, engine.embedder, engine.linguist, settings, signals=signals)
        self._articles = {a.id: a for a in prepared.kept}
        self._sentences = prepared.sentences_of
        return make_plan(clusters, prepared.copies_of, prepared.articles, prepared.skipped)

    def run_stories(
        self, chunks: Sequence[Sequence[StorySpec]], plan: Plan, inputs: dict[str, ArticleInput], max_summary_words: int
    ) -> Iterator[list[tuple[str, str]]]:
        """Lines of each chunk, in order. A resumed run (no plan made here) cleans and splits only the members."""
        engine = self.engine
        articles, sentences = self._articles, self._sentences
        if articles is None or sentences is None:
            needed = [inputs[m] for specs in chunks for s in specs for m in s.members]
            cleaned, _ = clean_chunk(needed)
            articles, sentences = {a.id: a for a in cleaned}, split_chunk(cleaned)
        for specs in chunks:
            chunk = build_chunk(specs, articles, sentences, plan.meta)
            yield run_story_chunk(
                chunk, engine.embedder, engine.summarizer, engine.linguist, self.settings, max_summary_words
            )

    def worker_memory(self) -> dict[str, float]:
        pid, peak = peak_rss_mb()
        return {f"this process ({pid})": peak}

    def close(self) -> None:
        pass
