"""Asynchronous jobs end to end: real HTTP calls to the app, real SQLite file, real (tiny) models."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import app_settings, seed_paths

from service.api.app import create_app
from service.api.problems import PROBLEM_JSON
from service.engine import Engine
from service.models.base import Summarizer, SummaryRequest, SummaryResult

SHORT_REPORTS = (
    "Officials from both countries met in Geneva on Thursday to discuss the border dispute. "
    "The talks lasted three hours and ended without an agreement, according to the foreign ministry.",
    "Diplomats met in Geneva on Thursday for talks on the border dispute between the two countries. "
    "No agreement was reached after three hours of discussion, a ministry spokesperson said.",
)
SHORT_BODY: dict[str, Any] = {
    "articles": [{"id": f"r{k}", "source": f"Outlet {k}", "text": t} for k, t in enumerate(SHORT_REPORTS)]
}
WAIT = 30  # long-poll seconds per GET (the most the API allows): it answers as soon as the job finishes


class BlockingSummarizer:
    """The real summarizer, but ``summarize`` waits until the test releases it (and says when it started)."""

    def __init__(self, inner: Summarizer) -> None:
        self.inner = inner
        self.name, self.mode = inner.name, inner.mode
        self.entered = threading.Event()
        self.release = threading.Event()

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[SummaryResult]:
        self.entered.set()
        assert self.release.wait(120), "the test never released the summarizer"
        return self.inner.summarize(requests)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "jobs.sqlite3"


@pytest.fixture
def jobs_client(engine: Engine, tiny_t5_dir: Path, db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings(tiny_t5_dir, db), engine)) as client:
        yield client


def submit(client: TestClient, body: dict[str, Any]) -> str:
    response = client.post("/v1/jobs", json=body)
    assert response.status_code == 202, response.text
    job = response.json()
    assert job["status"] == "queued"
    assert job["result"] is None and job["error"] is None
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"
    return str(job["id"])


def finished(client: TestClient, job_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + 180
    while True:
        response = client.get(f"/v1/jobs/{job_id}", params={"wait": WAIT})
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        if job["status"] in ("succeeded", "failed"):
            return job
        assert time.monotonic() < deadline, f"job {job_id} did not finish: {job}"


def without_timings(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k != "timings_ms"}


def test_a_jobs_result_is_what_summaries_answers(jobs_client: TestClient) -> None:
    body = {
        "articles": [{"id": path.stem, "text": path.read_text(encoding="utf-8")} for path in seed_paths()],
        "max_summary_words": 60,
    }
    job_id = submit(jobs_client, body)
    direct = jobs_client.post("/v1/summaries", json=body)
    assert direct.status_code == 200, direct.text
    job = finished(jobs_client, job_id)
    assert job["status"] == "succeeded", job
    assert job["progress"] == {"stage": "done", "fraction": 1.0}
    assert job["attempts"] == 1
    assert job["started_at"] >= job["created_at"] and job["finished_at"] >= job["started_at"]
    assert job["expires_at"] > job["finished_at"]
    assert set(job["result"]["timings_ms"]) >= {"clean", "dedup", "group", "align", "summarize", "total"}
    assert without_timings(job["result"]) == without_timings(direct.json())
    # A real analysis ran: the seed call reports were grouped and their disagreements found.
    assert any(c["disagreements"] for c in job["result"]["clusters"])


def test_a_failed_job_carries_problem_details(jobs_client: TestClient) -> None:
    boilerplate = "Related Articles\n\nShare this article\n\n© 2023 Reuters\n\nBack to top button\n"
    body = {"articles": [{"id": "chrome", "text": boilerplate}]}
    direct = jobs_client.post("/v1/summaries", json=body)
    assert direct.status_code == 422
    job = finished(jobs_client, submit(jobs_client, body))
    assert job["status"] == "failed"
    assert job["result"] is None
    error = job["error"]
    assert error["status"] == 422 and error["type"].endswith("/no-usable-article")
    assert (
        error["errors"]
        == direct.json()["errors"]
        == [
            {
                "pointer": "/articles/0/text",
                "article_id": "chrome",
                "detail": "no story text left after removing boilerplate",
            }
        ]
    )


def test_invalid_job_requests_are_refused_at_once(jobs_client: TestClient) -> None:
    assert jobs_client.post("/v1/jobs", json={"articles": [], "x": 1}).status_code == 422
    malformed = jobs_client.post("/v1/jobs", content=b'{"articles": [', headers={"content-type": "application/json"})
    assert malformed.status_code == 400
    assert malformed.headers["content-type"] == PROBLEM_JSON
    assert jobs_client.post("/v1/jobs", content=b"hello", headers={"content-type": "text/plain"}).status_code == 415
    unknown = jobs_client.get("/v1/jobs/0123456789abcdef0123456789abcdef")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == PROBLEM_JSON
    assert unknown.json()["type"].endswith("/job-not-found")


def test_queued_jobs_survive_a_restart(engine: Engine, tiny_t5_dir: Path, db: Path) -> None:
    """App A has no workers: its jobs stay queued when it shuts down. App B, on the same file, runs them all."""
    bodies = [SHORT_BODY, {**SHORT_BODY, "group_events": False}, {"articles": [{"text": SHORT_REPORTS[1]}]}]
    with TestClient(create_app(app_settings(tiny_t5_dir, db, jobs_workers=0), engine)) as first:
        ids = [submit(first, body) for body in bodies]
        assert [first.get(f"/v1/jobs/{i}").json()["status"] for i in ids] == ["queued"] * 3
        metrics = first.get("/metrics").text
        assert 'newsfuse_jobs{state="queued"} 3.0' in metrics
        assert "newsfuse_jobs_queue_depth 3.0" in metrics
    assert db.exists()
    with TestClient(create_app(app_settings(tiny_t5_dir, db, jobs_workers=2), engine)) as second:
        jobs = [finished(second, i) for i in ids]
        assert [j["status"] for j in jobs] == ["succeeded"] * 3
        for job, body in zip(jobs, bodies, strict=True):
            direct = second.post("/v1/summaries", json=body)
            assert without_timings(job["result"]) == without_timings(direct.json())
        assert 'newsfuse_jobs{state="succeeded"} 3.0' in second.get("/metrics").text
    # A third start still reads the finished results (until the retention period ends).
    with TestClient(create_app(app_settings(tiny_t5_dir, db, jobs_workers=0), engine)) as third:
        assert [third.get(f"/v1/jobs/{i}").json()["status"] for i in ids] == ["succeeded"] * 3


@pytest.mark.parametrize("max_attempts", [3, 1])
def test_a_job_running_at_shutdown_runs_again_after_restart(
    engine: Engine, tiny_t5_dir: Path, db: Path, max_attempts: int
) -> None:
    """App A's worker is inside the model when A stops (grace 0.1 s): the job stays 'running' on disk,
    and app B queues it again (or fails it, once it has been started max_attempts times)."""
    blocking = BlockingSummarizer(engine.summarizer)
    stuck = dataclasses.replace(engine, summarizer=blocking)
    try:
        settings = app_settings(tiny_t5_dir, db, jobs_shutdown_grace_s=0.1, jobs_max_attempts=max_attempts)
        with TestClient(create_app(settings, stuck)) as first:
            job_id = submit(first, SHORT_BODY)
            assert blocking.entered.wait(120)
            running = first.get(f"/v1/jobs/{job_id}").json()
            assert running["status"] == "running"
            assert running["progress"] == {"stage": "summarize", "fraction": 0.6}
        with TestClient(create_app(app_settings(tiny_t5_dir, db, jobs_max_attempts=max_attempts), engine)) as second:
            job = finished(second, job_id)
            if max_attempts > 1:
                assert job["status"] == "succeeded", job
                assert job["attempts"] == 2
                direct = second.post("/v1/summaries", json=SHORT_BODY)
                assert without_timings(job["result"]) == without_timings(direct.json())
            else:
                assert job["status"] == "failed"
                assert job["error"]["type"].endswith("/job-interrupted")
    finally:
        blocking.release.set()  # app A's abandoned worker ends; its claim's token is stale, so it writes nothing


def test_a_full_queue_answers_503_with_retry_after(engine: Engine, tiny_t5_dir: Path, db: Path) -> None:
    settings = app_settings(tiny_t5_dir, db, jobs_workers=0, jobs_queue_size=2)
    with TestClient(create_app(settings, engine)) as client:
        submit(client, SHORT_BODY)
        submit(client, SHORT_BODY)
        full = client.post("/v1/jobs", json=SHORT_BODY)
        assert full.status_code == 503
        assert full.headers["content-type"] == PROBLEM_JSON
        assert int(full.headers["retry-after"]) > 0
        assert full.json()["type"].endswith("/queue-full")
        assert "NEWSFUSE_JOBS_QUEUE_SIZE" in full.json()["detail"]


def test_finished_jobs_are_purged_after_the_retention_period(jobs_client: TestClient) -> None:
    job_id = submit(jobs_client, SHORT_BODY)
    assert finished(jobs_client, job_id)["status"] == "succeeded"
    store = jobs_client.app.state.jobs  # type: ignore[attr-defined]
    assert store.purge() == 0  # within the retention period: kept
    assert jobs_client.get(f"/v1/jobs/{job_id}").status_code == 200
    assert store.purge(now=time.time() + store.retention_s + 1) == 1
    assert jobs_client.get(f"/v1/jobs/{job_id}").status_code == 404


def test_jobs_are_accepted_while_the_models_load(tiny_t5_dir: Path, db: Path) -> None:
    """Before the engine is loaded a job is queued (not refused); it runs once the models are in."""
    with TestClient(create_app(app_settings(tiny_t5_dir, db))) as client:
        job_id = submit(client, SHORT_BODY)
        job = finished(client, job_id)
        assert job["status"] == "succeeded", job
        assert job["result"]["model"]["mode"] == "abstractive"
