"""`python -m service batch` with the in-process engine: JSON lines in, one story per line out, bad lines
reported, and a run killed half way resumed to the same output (a real subprocess, a real SIGKILL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import generated_rows, read_stories, seed_rows, write_jsonl

from service.api.schemas import ArticleMetaOut, ClusterOut
from service.batch.checkpoint import CheckpointError
from service.batch.inprocess import InProcessEngine
from service.batch.runner import BatchOptions, run_batch
from service.batch.stories import story_key
from service.engine import Engine
from service.pipeline.analyze import analyze
from service.pipeline.types import ArticleInput
from service.settings import PROJECT_ROOT, Settings

CHROME = "Related Articles\n\nShare this article\n\nBack to top button\n"


@pytest.fixture(scope="module")
def seed_batch(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> tuple[Path, dict[str, Any]]:
    """The seeds plus one of every kind of bad line, through the shared engine (real MiniLM, tiny T5)."""
    folder = tmp_path_factory.mktemp("batch")
    rows: list[Any] = [
        *seed_rows(),
        "{not json",
        {"id": "empty", "text": "   "},
        {"id": "both", "text": "a", "html": "<p>b</p>"},
        {"id": "unknown-field", "text": "An article.", "author": "someone"},
        {"id": seed_rows()[0]["id"], "text": "The same id again."},
        {"id": "binary", "text": "\x00\x01\x02\x03\x04\x05 binary"},
        {"id": "chrome", "text": CHROME},
        {"text": seed_rows()[1]["text"].replace("Blinken", "Blinken", 1) + "\n\nA line of its own."},
        "",
    ]
    source = write_jsonl(folder / "in.jsonl", rows)
    out = folder / "out.jsonl"
    result = run_batch(BatchOptions(input=source, out=out), engine.settings, InProcessEngine(engine.settings, engine))
    return out, result.summary


def test_each_story_line_is_the_apis_cluster_with_its_articles(seed_batch: tuple[Path, dict[str, Any]]) -> None:
    out, summary = seed_batch
    stories = read_stories(out)
    assert len(stories) == summary["stories"] >= 1
    seen: list[str] = []
    for key, story in stories.items():
        cluster = ClusterOut.model_validate(story["cluster"])
        assert cluster.id == key == story_key(cluster.article_ids)
        metas = [ArticleMetaOut.model_validate(a) for a in story["articles"]]
        assert [m.id for m in metas] == cluster.article_ids
        assert cluster.consensus.summary
        seen += cluster.article_ids
    # Every usable article is in exactly one story: the seeds, and the id-less copy of seed 1 (line 13).
    assert sorted(seen) == sorted([r["id"] for r in seed_rows()] + ["article-13"])


def test_bad_lines_are_reported_with_their_line_and_reason(seed_batch: tuple[Path, dict[str, Any]]) -> None:
    _, summary = seed_batch
    invalid = {i["line"]: " ".join(i["errors"]) for i in summary["invalid"]}
    assert sorted(invalid) == [6, 7, 8, 9, 10, 11]
    assert "Invalid JSON" in invalid[6]
    assert "body is empty" in invalid[7]
    assert "exactly one of 'text' or 'html'" in invalid[8]
    assert "Extra inputs are not permitted" in invalid[9]
    assert "duplicate id (also used on line 1)" in invalid[10]
    assert "binary data" in invalid[11]
    assert summary["skipped"] == [{"article_id": "chrome", "reason": "no story text left after removing boilerplate"}]
    assert summary["articles"] == 7  # 5 seeds, chrome, the id-less copy; the blank line is no article
    assert summary["duplicates"] == 1  # the id-less line is a near copy of seed 1
    assert (summary["model"]["mode"], summary["model"]["device"]) == ("abstractive", "cpu")


def test_the_stories_are_the_apis_clusters(seed_batch: tuple[Path, dict[str, Any]], engine: Engine) -> None:
    out, _ = seed_batch
    inputs = [ArticleInput(id=r["id"], text=r["text"]) for r in seed_rows()]
    analysis = analyze(
        inputs,
        embedder=engine.embedder,
        summarizer=engine.summarizer,
        settings=engine.settings,
        linguist=engine.linguist,
    )
    expected = {frozenset(c.article_ids): c for c in analysis.clusters}
    stories = {
        frozenset(i for i in s["cluster"]["article_ids"] if i != "article-13"): s for s in read_stories(out).values()
    }
    assert set(stories) == set(expected)
    for ids, cluster in expected.items():
        story = stories[ids]["cluster"]
        assert [d["aspect"] for d in story["disagreements"]] == [d.aspect for d in cluster.disagreements]


def test_a_checkpoint_is_refused_for_another_input_or_settings(tmp_path: Path, engine: Engine) -> None:
    settings = Settings(embedding_backend="hashing", model=str(tmp_path / "none"))
    source = write_jsonl(tmp_path / "in.jsonl", seed_rows()[:2])
    out = tmp_path / "out.jsonl"
    run_batch(BatchOptions(input=source, out=out), settings, InProcessEngine(settings))
    write_jsonl(source, seed_rows()[:3])
    with pytest.raises(CheckpointError, match="input_sha256"):
        run_batch(BatchOptions(input=source, out=out), settings, InProcessEngine(settings))
    other = Settings(embedding_backend="hashing", model=str(tmp_path / "none"), max_points=3)
    write_jsonl(source, seed_rows()[:2])
    with pytest.raises(CheckpointError, match="settings"):
        run_batch(BatchOptions(input=source, out=out), other, InProcessEngine(other))
    stray = tmp_path / "stray.jsonl"
    stray.write_text('{"key": "s-1"}\n')
    with pytest.raises(CheckpointError, match="no checkpoint"):
        run_batch(BatchOptions(input=source, out=stray), settings, InProcessEngine(settings))


def _cli(env: dict[str, str], *args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "service", "batch", *map(str, args)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_killed_run_resumes_and_writes_every_story_once(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFUSE_")}
    # The stand-in embedder and the extractive summarizer keep this fast; one story per unit of work.
    env.update(
        HF_HUB_OFFLINE="1",
        NEWSFUSE_EMBEDDING_BACKEND="hashing",
        NEWSFUSE_MODEL=str(tmp_path / "no-model"),
        NEWSFUSE_BATCH_CHUNK_STORIES="1",
    )
    source = write_jsonl(tmp_path / "in.jsonl", generated_rows(150, seed=3))
    reference = tmp_path / "reference.jsonl"
    settings = Settings(embedding_backend="hashing", model=str(tmp_path / "no-model"), batch_chunk_stories=1)
    run_batch(BatchOptions(input=source, out=reference), settings, InProcessEngine(settings))
    expected = read_stories(reference)

    out = tmp_path / "out.jsonl"
    killed = _cli(env, source, "--out", out)
    deadline = time.monotonic() + 600
    while not (out.exists() and out.read_text(encoding="utf-8").count("\n") >= 5):
        assert killed.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    partial = out.read_text(encoding="utf-8").count("\n")
    assert 5 <= partial < len(expected)
    with out.open("a", encoding="utf-8") as f:  # as if the kill had cut a line in half
        f.write('{"key": "s-half-writ')

    resumed = _cli(env, source, "--out", out)
    assert resumed.wait(timeout=600) == 0, resumed.stderr.read() if resumed.stderr else ""
    assert read_stories(out) == expected  # every story once, the same as the run never killed
    summary = json.loads((tmp_path / "out.jsonl.summary.json").read_text())
    assert summary["resumed"] is True
    assert summary["stories_written_this_run"] == len(expected) - partial
    assert summary["truncated_partial_line_bytes"] == len('{"key": "s-half-writ')
    assert "plan_s" not in summary["timings"]  # the plan came from the checkpoint: no regrouping

    again = _cli(env, source, "--out", out)  # a finished run re-run: nothing to do
    assert again.wait(timeout=600) == 0
    assert read_stories(out) == expected
