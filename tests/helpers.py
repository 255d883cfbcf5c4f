"""Small helpers shared by the API and CLI tests (fixtures live in conftest.py)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from service.api.problems import PROBLEM_JSON
from service.settings import Settings

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"


def seed_paths() -> list[Path]:
    return sorted(SEEDS_DIR.glob("*.txt"))


def seed_id(prefix: str) -> str:
    """The file stem (article id) of the seed whose name starts with ``prefix``, e.g. ``"003"``."""
    (path,) = SEEDS_DIR.glob(f"{prefix}_*.txt")
    return path.stem


def wait_until_ready(client: TestClient, timeout: float = 180.0) -> dict[str, object]:
    """Poll /readyz until the background model load has finished; return its body."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get("/readyz")
        if response.status_code == 200:
            body: dict[str, object] = response.json()
            return body
        assert response.status_code == 503, response.text
        assert time.monotonic() < deadline, "the engine did not finish loading"
        time.sleep(0.1)


def assert_problem(response: Any, status: int, slug: str | None = None) -> dict[str, Any]:
    """An RFC 9457 problem-details body with the given status (and type slug, when given); returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    if slug is not None:
        assert body["type"].endswith("/" + slug)
    return body


def app_settings(model_dir: Path, jobs_db: Path, **extra: Any) -> Settings:
    """Settings of a test app: the tiny model, two beams, its own jobs file."""
    return Settings(model=str(model_dir), num_beams=2, jobs_db=jobs_db, **extra)


def write_jsonl(path: Path, rows: list[dict[str, Any]] | list[str]) -> Path:
    """A batch input: one JSON object (or a raw line, given as a string) per line."""
    import json

    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def seed_rows() -> list[dict[str, Any]]:
    return [{"id": p.stem, "text": p.read_text(encoding="utf-8")} for p in seed_paths()]


def generated_rows(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """``n`` synthetic articles from benchmarks/scale.py's generator (events, reports, syndicated copies)."""
    import sys

    sys.path.insert(0, str(SEEDS_DIR.parent / "benchmarks"))
    from scale import build_corpus

    rows = []
    for item in build_corpus(n, seed):
        a = item.article
        row: dict[str, Any] = {"id": a.id, "source": a.source, "title": a.title, "text": a.text}
        if a.published_at is not None:
            row["published_at"] = a.published_at.isoformat()
        rows.append(row)
    return rows


def read_stories(path: Path) -> dict[str, dict[str, Any]]:
    """Story lines by key; fails on a key written twice."""
    import json

    stories: dict[str, dict[str, Any]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        story = json.loads(line)
        assert story["key"] not in stories, f"story {story['key']} written twice"
        stories[story["key"]] = story
    return stories
