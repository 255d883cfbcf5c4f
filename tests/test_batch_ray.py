"""The Ray engine of `python -m service batch` against the in-process one, on a local Ray cluster of 2 CPUs:
the same stories, line for line, on the seeds (real MiniLM, tiny T5) and on 2,000 generated articles
(candidate-pair grouping; the hashing stand-in embedder and the extractive summarizer keep it quick); and a
run cut short resumed by the Ray engine."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import generated_rows, read_stories, seed_rows, write_jsonl

from service.batch.inprocess import InProcessEngine
from service.batch.runner import BatchOptions, run_batch
from service.engine import Engine
from service.settings import Settings

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING)
    yield
    ray.shutdown()


def _ray(settings: Settings, source: Path, out: Path) -> dict[str, object]:
    from service.batch.ray_engine import RayEngine

    return run_batch(BatchOptions(input=source, out=out, engine="ray"), settings, RayEngine(settings)).summary


def test_the_seeds_give_the_same_stories_on_both_engines(local_ray: None, engine: Engine, tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "seeds.jsonl", seed_rows())
    inprocess = InProcessEngine(engine.settings, engine)
    run_batch(BatchOptions(input=source, out=tmp_path / "in.jsonl"), engine.settings, inprocess)
    summary = _ray(engine.settings, source, tmp_path / "ray.jsonl")
    expected = read_stories(tmp_path / "in.jsonl")
    assert read_stories(tmp_path / "ray.jsonl") == expected
    assert summary["engine_info"] == {"address": "local", "cpus": 2, "gpus": 0.0, "actors": 2, "gpus_per_actor": 0.0}
    assert summary["model"]["mode"] == "abstractive"  # type: ignore[index]
    assert any(s["cluster"]["disagreements"] for s in expected.values())


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Path, Path]:
    """2,000 generated articles through the in-process engine: the reference."""
    folder = tmp_path_factory.mktemp("generated")
    settings = Settings(
        embedding_backend="hashing",
        model=str(folder / "no-model"),
        group_exact_max_articles=300,  # the candidate-pair path, as above 2,000 reports
        batch_chunk_articles=256,
        batch_chunk_stories=50,
    )
    source = write_jsonl(folder / "in.jsonl", generated_rows(2000, seed=1))
    out = folder / "inprocess.jsonl"
    run_batch(BatchOptions(input=source, out=out), settings, InProcessEngine(settings))
    return settings, source, out


def test_generated_articles_give_the_same_stories_on_both_engines(
    local_ray: None, generated: tuple[Settings, Path, Path], tmp_path: Path
) -> None:
    settings, source, reference = generated
    summary = _ray(settings, source, tmp_path / "ray.jsonl")
    expected = read_stories(reference)
    assert read_stories(tmp_path / "ray.jsonl") == expected
    assert len(expected) > 300 and summary["duplicates"]  # many stories, copies folded in
    assert max(len(s["cluster"]["article_ids"]) for s in expected.values()) > 1


def test_the_ray_engine_resumes_a_run_cut_short(
    local_ray: None, generated: tuple[Settings, Path, Path], tmp_path: Path
) -> None:
    settings, source, reference = generated
    out = tmp_path / "out.jsonl"
    lines = reference.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = len(lines) - 80  # the last two chunks of stories (and a line cut in half) are missing
    out.write_text("".join(lines[:kept]) + lines[kept][:40], encoding="utf-8")
    shutil.copytree(reference.with_name(reference.name + ".checkpoint"), out.with_name(out.name + ".checkpoint"))
    summary = _ray(settings, source, out)
    assert summary["resumed"] is True and summary["stories_written_this_run"] == 80
    assert read_stories(out) == read_stories(reference)
