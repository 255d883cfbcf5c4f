"""Request limits as RFC 9457 problem details: total tokens (413), the request deadline (504)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from helpers import app_settings, assert_problem

from service.api.app import create_app
from service.engine import Engine
from service.models.base import Summarizer, SummaryRequest, SummaryResult

REPORTS = (
    "Officials from both countries met in Geneva on Thursday to discuss the border dispute. "
    "The talks lasted three hours and ended without an agreement, according to the foreign ministry.",
    "Diplomats met in Geneva on Thursday for talks on the border dispute between the two countries. "
    "No agreement was reached after three hours of discussion, a ministry spokesperson said.",
)
BODY: dict[str, Any] = {"articles": [{"id": f"r{k}", "text": text} for k, text in enumerate(REPORTS)]}
STAGES = ["clean", "dedup", "sentences", "group", "align", "summarize"]
"""Stages as ``analyze`` reports them to its progress callback ("align" covers each cluster's disagreements)."""
WORDS = sum(len(text.split()) for text in REPORTS)


class GatedSummarizer:
    """The real summarizer, held at the gate until the test opens it."""

    def __init__(self, inner: Summarizer) -> None:
        self.inner = inner
        self.name, self.mode = inner.name, inner.mode
        self.gate = threading.Event()
        self.calls = 0
        self.finished = threading.Event()

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[SummaryResult]:
        self.calls += 1
        assert self.gate.wait(120), "the test never opened the gate"
        try:
            return self.inner.summarize(requests)
        finally:
            self.finished.set()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_too_many_tokens_is_413_with_the_figure(engine: Engine, tiny_t5_dir: Path, tmp_path: Path) -> None:
    settings = app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3", max_total_tokens=WORDS - 1)
    with TestClient(create_app(settings, engine)) as client:
        for path in ("/v1/summaries", "/v1/jobs"):
            body = assert_problem(client.post(path, json=BODY), 413, "too-many-tokens")
            assert body["tokens"] == WORDS and body["max_tokens"] == WORDS - 1
            assert f"{WORDS} tokens" in body["detail"] and "NEWSFUSE_MAX_TOTAL_TOKENS" in body["detail"]
            assert body["errors"][0]["pointer"] == "/articles"
        metrics = client.get("/metrics").text
        for route in ("/v1/summaries", "/v1/jobs"):
            assert f'newsfuse_http_requests_total{{method="POST",route="{route}",status="413"}} 1.0' in metrics
    # At the limit exactly, the same batch is analysed.
    at_limit = app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3", max_total_tokens=WORDS)
    with TestClient(create_app(at_limit, engine)) as client:
        assert client.post("/v1/summaries", json=BODY).status_code == 200


def test_html_words_count_too(engine: Engine, tiny_t5_dir: Path, tmp_path: Path) -> None:
    html = "<html><body><p>" + " ".join(["word"] * 40) + "</p></body></html>"
    settings = app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3", max_total_tokens=30)
    with TestClient(create_app(settings, engine)) as client:
        body = assert_problem(client.post("/v1/summaries", json={"articles": [{"html": html}]}), 413, "too-many-tokens")
        assert body["tokens"] == 40


def test_the_request_deadline_is_504_with_the_stages_done(engine: Engine, tiny_t5_dir: Path, tmp_path: Path) -> None:
    """The summarizer is held, so the deadline always passes; by then the stages before it are normally done
    (the 5 s are for a loaded CI machine: the whole request takes 0.2 s to 1 s, by CPU)."""
    gated = GatedSummarizer(engine.summarizer)
    slow_engine = dataclasses.replace(engine, summarizer=gated)
    settings = app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3", request_timeout_s=5.0)
    with TestClient(create_app(settings, slow_engine)) as client:
        try:  # the gate opens before the app shuts down, which waits for the abandoned analysis
            response = client.post("/v1/summaries", json=BODY)
            body = assert_problem(response, 504, "timeout")
            assert body["timeout_s"] == 5.0
            done = body["stages_completed"]
            assert done == STAGES[: len(done)] and body["stage"] == STAGES[len(done)]
            if gated.calls:  # the analysis reached the model: every stage before it was done
                assert body["stage"] == "summarize" and done == STAGES[:-1]
            assert f"stages completed: {', '.join(done)}" in body["detail"]
            assert "NEWSFUSE_REQUEST_TIMEOUT_S" in body["detail"] and "/v1/jobs" in body["detail"]
            # The next request, with the model released, is answered in full. The abandoned analysis finishes
            # first, so that on a loaded machine the two do not share the deadline.
            gated.gate.set()
            if gated.calls:
                assert gated.finished.wait(60), "the abandoned analysis never finished"
            assert client.post("/v1/summaries", json=BODY).status_code == 200
            assert 'route="/v1/summaries",status="504"} 1.0' in client.get("/metrics").text
        finally:
            gated.gate.set()


def test_a_deadline_of_a_microsecond_is_504_too(engine: Engine, tiny_t5_dir: Path, tmp_path: Path) -> None:
    gated = GatedSummarizer(engine.summarizer)
    settings = app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3", request_timeout_s=1e-6)
    with TestClient(create_app(settings, dataclasses.replace(engine, summarizer=gated))) as client:
        try:
            body = assert_problem(client.post("/v1/summaries", json=BODY), 504, "timeout")
            done = body["stages_completed"]
            assert done == STAGES[: len(done)]
            if body["stage"] is None:  # the worker thread had not even started
                assert done == [] and "stages completed: none" in body["detail"]
            else:
                assert body["stage"] == STAGES[len(done)]
        finally:
            gated.gate.set()


def test_existing_size_limits_still_answer_413(engine: Engine, tiny_t5_dir: Path, tmp_path: Path) -> None:
    settings = app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3", max_request_bytes=1_000)
    with TestClient(create_app(settings, engine)) as client:
        big = {"articles": [{"text": "word " * 400}]}
        for path in ("/v1/summaries", "/v1/jobs"):
            assert_problem(client.post(path, json=big), 413, "body-too-large")


def test_a_summary_longer_than_the_servers_limit_is_422(engine: Engine, tiny_t5_dir: Path, tmp_path: Path) -> None:
    """NEWSFUSE_MAX_SUMMARY_WORDS bounds what a request may ask the model to write (a 582-word summary from a
    model that writes to the limit takes a minute on a CPU)."""
    settings = app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3", max_summary_words=50)
    with TestClient(create_app(settings, engine)) as client:
        for path in ("/v1/summaries", "/v1/jobs"):
            body = assert_problem(client.post(path, json={**BODY, "max_summary_words": 51}), 422, "summary-too-long")
            assert "NEWSFUSE_MAX_SUMMARY_WORDS" in body["detail"] and "51" in body["detail"]
            assert body["errors"] == [{"pointer": "/max_summary_words", "detail": "at most 50"}]
        assert client.post("/v1/summaries", json={**BODY, "max_summary_words": 50}).status_code == 200


def test_malformed_requests_are_4xx_never_500(engine: Engine, tiny_t5_dir: Path, tmp_path: Path) -> None:
    with TestClient(create_app(app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3"), engine)) as client:
        for path in ("/v1/summaries", "/v1/jobs"):
            json_headers = {"content-type": "application/json"}
            assert_problem(client.post(path, content=b"{not json", headers=json_headers), 400, "malformed-json")
            assert_problem(
                client.post(path, content=b"a=b", headers={"content-type": "text/plain"}), 415, "unsupported-media-type"
            )
            unknown = assert_problem(client.post(path, json={**BODY, "fetch": True}), 422, "validation-error")
            assert unknown["errors"][0]["pointer"] == "/fetch"
        assert client.get("/v1/jobs/x", params={"wait": 99}).status_code == 422
