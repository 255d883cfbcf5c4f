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
