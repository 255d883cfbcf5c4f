"""API keys, rate limits, CORS, request ids, access logs and /metrics: real HTTP calls to the app."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import app_settings, assert_problem

from service.api.access import TokenBucketLimiter
from service.api.app import create_app
from service.engine import Engine
from service.settings import Settings

BODY: dict[str, Any] = {
    "articles": [
        {"text": "Officials from both countries met in Geneva on Thursday to discuss the border dispute."},
        {"text": "Diplomats met in Geneva on Thursday for talks on the border dispute between the two countries."},
    ]
}
UNKNOWN_JOB = "/v1/jobs/0123456789abcdef0123456789abcdef"
OPEN_PATHS = ("/healthz", "/readyz", "/metrics", "/openapi.json")


@pytest.fixture
def keyed(engine: Engine, tiny_t5_dir: Path, tmp_path: Path) -> Any:
    settings = app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3", api_keys=["key-one", "key-two"], jobs_workers=0)
    with TestClient(create_app(settings, engine)) as client:
        yield client


def test_api_keys_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSFUSE_API_KEYS", "alpha, beta,")
    assert Settings().api_keys == ["alpha", "beta"]
    monkeypatch.setenv("NEWSFUSE_API_KEYS", '["alpha", "be,ta"]')
    assert Settings().api_keys == ["alpha", "be,ta"]
    assert "alpha" not in repr(Settings())
    monkeypatch.delenv("NEWSFUSE_API_KEYS")
    assert Settings().api_keys == []


def test_a_missing_key_is_401_with_www_authenticate(keyed: TestClient) -> None:
    for response in (keyed.post("/v1/summaries", json=BODY), keyed.get(UNKNOWN_JOB), keyed.get("/v1/nowhere")):
        assert_problem(response, 401, "unauthorized")
        assert response.headers["www-authenticate"] == 'Bearer realm="newsfuse"'
    assert_problem(keyed.get(UNKNOWN_JOB, headers={"Authorization": "Basic a2V5LW9uZQ=="}), 401, "unauthorized")


def test_a_wrong_key_is_403(keyed: TestClient) -> None:
    for headers in ({"Authorization": "Bearer key-three"}, {"X-API-Key": "key-on"}, {"X-API-Key": "key-one-"}):
        response = keyed.post("/v1/summaries", json=BODY, headers=headers)
        assert_problem(response, 403, "forbidden")
        assert "www-authenticate" not in response.headers


def test_a_valid_key_is_served(keyed: TestClient) -> None:
    response = keyed.post("/v1/summaries", json=BODY, headers={"Authorization": "Bearer key-one"})
    assert response.status_code == 200, response.text
    assert response.json()["clusters"]
    assert_problem(keyed.get(UNKNOWN_JOB, headers={"X-API-Key": "key-two"}), 404, "job-not-found")


def test_health_readiness_metrics_and_docs_stay_open(keyed: TestClient) -> None:
    for path in OPEN_PATHS:
        assert keyed.get(path).status_code == 200, path


def test_a_job_is_visible_only_to_its_key(keyed: TestClient) -> None:
    created = keyed.post("/v1/jobs", json=BODY, headers={"X-API-Key": "key-one"})
    assert created.status_code == 202, created.text
    location = created.headers["location"]
    assert keyed.get(location, headers={"Authorization": "Bearer key-one"}).json()["status"] == "queued"
    assert_problem(keyed.get(location, headers={"X-API-Key": "key-two"}), 404, "job-not-found")


def test_rate_limit_is_429_with_retry_after_per_key(engine: Engine, tiny_t5_dir: Path, tmp_path: Path) -> None:
    settings = app_settings(
        tiny_t5_dir, tmp_path / "jobs.sqlite3", api_keys=["k1", "k2"], rate_limit_per_minute=1, rate_limit_burst=2
    )
    with TestClient(create_app(settings, engine)) as client:
        one, two = {"X-API-Key": "k1"}, {"X-API-Key": "k2"}
        assert [client.get(UNKNOWN_JOB, headers=one).status_code for _ in range(2)] == [404, 404]
        limited = client.get(UNKNOWN_JOB, headers=one)
        body = assert_problem(limited, 429, "rate-limited")
        assert 50 <= int(limited.headers["retry-after"]) <= 60  # one request a minute
        assert "NEWSFUSE_RATE_LIMIT_PER_MINUTE" in body["detail"]
        assert_problem(client.post("/v1/summaries", json=BODY, headers=one), 429, "rate-limited")
        assert client.get(UNKNOWN_JOB, headers=two).status_code == 404  # another key has its own bucket
        for path in OPEN_PATHS:  # never limited
            assert client.get(path).status_code == 200
        assert_problem(client.get(UNKNOWN_JOB), 401, "unauthorized")  # no key: refused before any bucket


def test_without_keys_the_limit_is_per_client_ip(engine: Engine, tiny_t5_dir: Path, tmp_path: Path) -> None:
    settings = app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3", rate_limit_per_minute=6, rate_limit_burst=1)
    app = create_app(settings, engine)
    with TestClient(app, client=("10.0.0.1", 1234)) as first, TestClient(app, client=("10.0.0.2", 1234)) as second:
        assert first.get(UNKNOWN_JOB).status_code == 404
        limited = first.get(UNKNOWN_JOB)
        assert_problem(limited, 429, "rate-limited")
        assert limited.headers["retry-after"] == "10"  # 6 a minute: a token every 10 s
        assert second.get(UNKNOWN_JOB).status_code == 404


def test_token_bucket_refills_at_the_rate() -> None:
    now = [1000.0]
    limiter = TokenBucketLimiter(per_minute=60, burst=3, clock=lambda: now[0], max_identities=2)
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.take("a") == pytest.approx(1.0)
    now[0] += 0.5
    assert limiter.take("a") == pytest.approx(0.5)
    now[0] += 0.5
    assert limiter.take("a") == 0.0
    now[0] += 100  # refilled to the burst, never above it
    assert [limiter.take("a") for _ in range(4)][-1] == pytest.approx(1.0)
    # Memory stays bounded: full buckets are forgotten when the table is full.
    limiter.take("b")
    now[0] += 100
    limiter.take("c")
    assert len(limiter._buckets) <= 2


def test_cors_is_off_by_default_and_on_for_listed_origins(engine: Engine, tiny_t5_dir: Path, tmp_path: Path) -> None:
    preflight = {"Origin": "https://reader.example", "Access-Control-Request-Method": "POST"}
    with TestClient(create_app(app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3"), engine)) as client:
        response = client.options("/v1/summaries", headers=preflight)
        assert "access-control-allow-origin" not in response.headers
        assert "access-control-allow-origin" not in client.get("/healthz", headers=preflight).headers
    settings = app_settings(
        tiny_t5_dir, tmp_path / "jobs.sqlite3", cors_allow_origins=["https://reader.example"], api_keys=["k"]
    )
    with TestClient(create_app(settings, engine)) as client:
        response = client.options("/v1/summaries", headers=preflight)  # preflight needs no key
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == "https://reader.example"
        denied = client.options("/v1/summaries", headers={**preflight, "Origin": "https://evil.example"})
        assert denied.status_code == 400
        unauthorized = client.get(UNKNOWN_JOB, headers={"Origin": "https://reader.example"})
        assert unauthorized.status_code == 401  # CORS headers on errors too, so the page can read them
        assert unauthorized.headers["access-control-allow-origin"] == "https://reader.example"


def test_request_ids_and_one_access_line_per_request(
    engine: Engine, tiny_t5_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with TestClient(create_app(app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3", jobs_workers=0), engine)) as client:
        capsys.readouterr()
        given = client.get("/healthz", headers={"X-Request-ID": "req-123"})
        assert given.headers["x-request-id"] == "req-123"
        generated = client.get(UNKNOWN_JOB)
        assert len(generated.headers["x-request-id"]) == 32
        replaced = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
        assert replaced.headers["x-request-id"] != "bad id\twith spaces"
        created = client.post("/v1/jobs", json=BODY, headers={"X-Request-ID": "job-req-1"})
        assert created.headers["x-request-id"] == "job-req-1"
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line["event"] == "request"]
    assert [(a["request_id"], a["route"], a["status"]) for a in access] == [
        ("req-123", "/healthz", 200),
        (generated.headers["x-request-id"], "/v1/jobs/{job_id}", 404),
        (replaced.headers["x-request-id"], "/healthz", 200),
        ("job-req-1", "/v1/jobs", 202),
    ]
    assert all(a["duration_ms"] >= 0 and a["method"] in ("GET", "POST") for a in access)
    queued = [line for line in lines if line["event"] == "job_queued"]
    assert [q["request_id"] for q in queued] == ["job-req-1"]  # the request id reaches logs inside the route


def test_metrics_by_route_template_stage_and_model(client_with_metrics: TestClient) -> None:
    text = client_with_metrics.get("/metrics").text
    assert 'newsfuse_http_requests_total{method="POST",route="/v1/summaries",status="200"} 1.0' in text
    assert 'newsfuse_http_requests_total{method="GET",route="/v1/jobs/{job_id}",status="404"} 2.0' in text
    assert 'route="<unmatched>",status="404"' in text  # unknown paths share one label value
    assert "/v1/jobs/0123" not in text
    for stage in ("clean", "dedup", "group", "align", "summarize", "total"):
        assert f'newsfuse_pipeline_stage_duration_seconds_count{{stage="{stage}"}} 1.0' in text
    assert 'newsfuse_model_generation_duration_seconds_count{task="summarize"} 1.0' in text
    assert "newsfuse_jobs_queue_depth 0.0" in text
    assert 'newsfuse_jobs{state="queued"} 0.0' in text
    # Where each model runs: the CPU in float32 (the tiny T5) and the embedder's own resolved precision.
    summarizer = [line for line in text.splitlines() if line.startswith('newsfuse_model_info{component="summarizer"')]
    assert len(summarizer) == 1 and 'device="cpu",dtype="float32"' in summarizer[0]
    assert summarizer[0].endswith(" 1.0")
    assert 'newsfuse_model_info{component="embedder",' in text and 'name="all-MiniLM-L6-v2"' in text


@pytest.fixture
def client_with_metrics(engine: Engine, tiny_t5_dir: Path, tmp_path: Path) -> Any:
    with TestClient(create_app(app_settings(tiny_t5_dir, tmp_path / "jobs.sqlite3"), engine)) as client:
        assert client.post("/v1/summaries", json=BODY).status_code == 200
        assert client.get(UNKNOWN_JOB).status_code == 404
        assert client.get(UNKNOWN_JOB.replace("0123", "4567")).status_code == 404
        assert client.get("/no/such/path").status_code == 404
        yield client
