"""``python -m service batch IN.jsonl --out OUT.jsonl``: a batch of any size, resumable, in-process or on Ray.

1. read and check the input (bad lines are reported and left out);
2. open the checkpoint (``OUT.jsonl.checkpoint/``): a new run, or the resumption of one cut short;
3. plan: clean, near-duplicates, grouping signals, event grouping -> stories (skipped when the checkpoint
   has the plan);
4. analyse and summarize the stories not yet in the output, chunk by chunk, appending one line per story;
5. write ``OUT.jsonl.summary.json``: counts, invalid lines, skipped articles, duplicates, models, timings,
   memory per worker.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from service.batch.checkpoint import Checkpoint, StoryOutput, settings_fingerprint
from service.batch.inputs import read_articles
from service.batch.stories import Plan, StorySpec, story_chunks
from service.pipeline.types import ArticleInput
from service.settings import Settings


class BatchEngine(Protocol):
    name: str

    def plan(self, inputs: list[ArticleInput], progress: Any) -> Plan: ...

    def run_stories(
        self, chunks: list[list[StorySpec]], plan: Plan, inputs: dict[str, ArticleInput], max_summary_words: int
    ) -> Iterator[list[tuple[str, str]]]: ...

    def describe_models(self) -> dict[str, object]: ...

    def worker_memory(self) -> dict[str, float]: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class BatchOptions:
    input: Path
    out: Path
    engine: Literal["inprocess", "ray"] = "inprocess"
    ray_address: str | None = None
    max_summary_words: int = 120
    checkpoint_dir: Path | None = None
    progress: bool | None = None


@dataclass
class BatchResult:
    stories: int
    written: int
    resumed: bool
    summary_path: Path
    summary: dict[str, Any]


class _Bar:
    def __init__(self, enabled: bool) -> None:
        from tqdm import tqdm

        self.stage_s: dict[str, float] = {}
        self._current: tuple[str, float] | None = None
        self.bar = tqdm(
            total=0,
            file=sys.stderr,
            disable=not enabled,
            unit="story",
            dynamic_ncols=True,
            mininterval=0.2 if sys.stderr.isatty() else 5.0,
        )

    def stage(self, description: str) -> None:
        """A stage starts (the one before it ends): its wall time is kept for the summary."""
        self.end_stage()
        self._current = (description, time.perf_counter())
        self.bar.set_description_str(description)
        self.bar.refresh()

    def end_stage(self) -> None:
        if self._current is not None:
            name, start = self._current
            self.stage_s[name] = round(self.stage_s.get(name, 0.0) + time.perf_counter() - start, 3)
            self._current = None

    def stories(self, total: int, done: int) -> None:
        self.bar.reset(total=total)
        self.bar.update(done)
        self.stage("stories")


@contextmanager
def _bar(enabled: bool) -> Iterator[_Bar]:
    bar = _Bar(enabled)
    try:
        yield bar
    finally:
        bar.bar.close()


def make_engine(options: BatchOptions, settings: Settings) -> BatchEngine:
    if options.engine == "ray":
        from service.batch.ray_engine import RayEngine

        return RayEngine(settings, options.ray_address)
    from service.batch.inprocess import InProcessEngine

    return InProcessEngine(settings)


def run_batch(options: BatchOptions, settings: Settings, engine: BatchEngine | None = None) -> BatchResult:
    started = time.perf_counter()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    batch = read_articles(options.input, settings)
    timings["read_s"] = round(time.perf_counter() - t0, 3)
    inputs = {a.id: a for a in batch.articles}

    checkpoint = Checkpoint(options.out, options.checkpoint_dir)
    manifest = {
        "input": str(options.input.resolve()),
        "input_sha256": batch.sha256,
        "max_summary_words": options.max_summary_words,
        "settings": settings_fingerprint(settings),
    }
    resumed = checkpoint.open(manifest)
    output = StoryOutput(options.out)
    done = output.recover()
    enabled = options.progress if options.progress is not None else sys.stderr.isatty()
    engine = engine or make_engine(options, settings)
    try:
        with _bar(enabled) as bar:
            plan = checkpoint.load_plan()
            if plan is None:
                t0 = time.perf_counter()
                plan = engine.plan(batch.articles, bar.stage)
                checkpoint.save_plan(plan)
                timings["plan_s"] = round(time.perf_counter() - t0, 3)
            chunks = story_chunks(plan, settings.batch_chunk_stories)
            todo = [c for c in chunks if any(s.key not in done for s in c)]
            written = 0
            bar.stories(len(plan.stories), len(done))
            t0 = time.perf_counter()
            for lines in engine.run_stories(todo, plan, inputs, options.max_summary_words):
                count = output.write(lines)
                written += count
                bar.bar.update(count)
            timings["stories_s"] = round(time.perf_counter() - t0, 3)
            bar.end_stage()
            timings.update({f"stage {name}": seconds for name, seconds in bar.stage_s.items()})
        missing = [s.key for s in plan.stories if s.key not in output.done]
        if missing:
            raise RuntimeError(f"{len(missing)} stories were not written (first: {missing[0]})")
        timings["total_s"] = round(time.perf_counter() - started, 3)
        summary = {
            "input": str(options.input),
            "output": str(options.out),
            "engine": engine.name,
            "engine_info": getattr(engine, "describe", lambda: {})(),
            "resumed": resumed,
            "lines": batch.lines,
            "articles": len(batch.articles),
            "stories": len(plan.stories),
            "stories_written_this_run": written,
            "truncated_partial_line_bytes": output.truncated_bytes,
            "duplicates": sum(len(g.copies) for s in plan.stories for g in s.duplicates),
            "invalid": [asdict(i) for i in batch.invalid],
            "skipped": [asdict(s) for s in plan.skipped],
            "model": engine.describe_models(),
            "timings": timings,
            "peak_memory_mb": engine.worker_memory(),
        }
    finally:
        engine.close()
    summary_path = options.out.with_name(options.out.name + ".summary.json")
    summary_path.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    return BatchResult(len(plan.stories), written, resumed, summary_path, summary)
