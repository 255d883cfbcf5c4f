"""`python -m service summarize` as a user runs it: a real subprocess on files, with the tiny T5."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import SEEDS_DIR, seed_id, seed_paths

from service.api.schemas import SummariesResponse
from service.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def cli_env(tiny_t5_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFUSE_")}
    env.update({"HF_HUB_OFFLINE": "1", "NEWSFUSE_MODEL": str(tiny_t5_dir), "NEWSFUSE_NUM_BEAMS": "2"})
    return env


def run_cli(env: dict[str, str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "service", *map(str, args)],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def json_run(cli_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return run_cli(cli_env, "summarize", SEEDS_DIR)


def test_summarize_a_folder_prints_the_api_json(json_run: subprocess.CompletedProcess[str], tiny_t5_dir: Path) -> None:
    assert json_run.returncode == 0, json_run.stderr
    response = SummariesResponse.model_validate_json(json_run.stdout)
    stems = [p.stem for p in seed_paths()]
    assert [a.id for a in response.articles] == stems
    assert sorted(i for c in response.clusters for i in c.article_ids) == sorted(stems)
    assert response.model.name == str(tiny_t5_dir)
    assert response.model.mode == "abstractive"


def test_summarize_groups_the_seed_events_like_the_api(json_run: subprocess.CompletedProcess[str]) -> None:
    response = SummariesResponse.model_validate_json(json_run.stdout)
    (cluster,) = [c for c in response.clusters if seed_id("000") in c.article_ids]
    assert {seed_id("002"), seed_id("003")} <= set(cluster.article_ids)


def test_markdown_report(cli_env: dict[str, str]) -> None:
    files = [SEEDS_DIR / f"{seed_id('000')}.txt", SEEDS_DIR / f"{seed_id('003')}.txt"]
    result = run_cli(cli_env, "summarize", "--format", "markdown", *files)
    assert result.returncode == 0, result.stderr
    report = result.stdout
    assert report.startswith("# What the sources agree on, and where they disagree")
    assert "### Consensus" in report
    assert "### Disagreements" in report
    assert f"`{seed_id('000')}`" in report and f"`{seed_id('003')}`" in report


def test_an_empty_folder_is_an_error(cli_env: dict[str, str], tmp_path: Path) -> None:
    result = run_cli(cli_env, "summarize", tmp_path)
    assert result.returncode != 0
    assert f"no .txt or .html articles found in {tmp_path}" in result.stderr
    assert result.stdout == ""


def test_a_missing_path_is_an_error(cli_env: dict[str, str], tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = run_cli(cli_env, "summarize", missing)
    assert result.returncode != 0
    assert f"{missing} does not exist" in result.stderr
    assert result.stdout == ""


def test_a_file_that_is_not_utf8_is_an_error(cli_env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Der Außenminister sprach am Dienstag mit Lawrow.".encode("latin-1"))
    result = run_cli(cli_env, "summarize", bad)
    assert result.returncode != 0
    assert f"cannot read {bad} as UTF-8 text" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_all_boilerplate_file_is_an_error_naming_it(cli_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "chrome.txt").write_text("Related Articles\n\nShare this article\n\nBack to top button\n")
    result = run_cli(cli_env, "summarize", tmp_path)
    assert result.returncode == 2
    assert "article 'chrome': no story text left" in result.stderr
    assert "no article could be used" in result.stderr
    assert result.stdout == ""


def test_an_unusable_file_is_skipped_and_the_others_reported(cli_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "chrome.txt").write_text("Related Articles\n\nShare this article\n\nBack to top button\n")
    (tmp_path / "report.txt").write_text(seed_paths()[0].read_text(encoding="utf-8"), encoding="utf-8")
    result = run_cli(cli_env, "summarize", tmp_path, "--format", "markdown")
    assert result.returncode == 0
    assert "warning: skipped article 'chrome'" in result.stderr
    assert "Articles left out of the analysis" in result.stdout
    assert "`chrome`: no story text left after removing boilerplate" in result.stdout
