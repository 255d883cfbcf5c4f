"""Small helpers shared by the API and CLI tests (fixtures live in conftest.py)."""

from __future__ import annotations

import time
from pathlib import Path

from fastapi.testclient import TestClient

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
