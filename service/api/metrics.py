"""Prometheus metrics of one app instance (its own registry, so several apps in one process never clash)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from service.models.base import DisagreementPrompt, Summarizer, SummaryRequest, SummaryResult

__all__ = ["CONTENT_TYPE_LATEST", "Metrics", "TimedSummarizer"]

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0)


class _JobsCollector(Collector):
    """Queue depth and jobs by state, read from the job store at scrape time."""

    def __init__(self, counts: Callable[[], Mapping[str, int]]) -> None:
        self._counts = counts

    def collect(self) -> Iterable[Metric]:
        counts = self._counts()
        by_state = GaugeMetricFamily("newsfuse_jobs", "Jobs in the store by state.", labels=["state"])
        for state, count in counts.items():
            by_state.add_metric([state], count)
        yield by_state
        depth = counts.get("queued", 0)
        yield GaugeMetricFamily("newsfuse_jobs_queue_depth", "Jobs waiting for a worker.", value=depth)


class _ModelsCollector(Collector):
    """Which models are loaded, where they run and in which precision (an info-style gauge, 1 per model)."""

    def __init__(self, describe: Callable[[], Iterable[Mapping[str, object]]]) -> None:
        self._describe = describe

    def collect(self) -> Iterable[Metric]:
        info = GaugeMetricFamily(
            "newsfuse_model_info",
            "Loaded models: component (summarizer, embedder), name, mode, device and dtype; value 1.",
            labels=["component", "name", "mode", "device", "dtype"],
        )
        for model in self._describe():
            labels = [str(model.get(key) or "") for key in ("component", "name", "mode", "device", "dtype")]
            info.add_metric(labels, 1)
        yield info


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "newsfuse_http_requests",
            "HTTP requests by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.request_seconds = Histogram(
            "newsfuse_http_request_duration_seconds",
            "HTTP request latency by route template and status.",
            ["method", "route", "status"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.stage_seconds = Histogram(
            "newsfuse_pipeline_stage_duration_seconds",
            "Pipeline stage latency (analysis timings_ms), requests and jobs alike.",
            ["stage"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.generation_seconds = Histogram(
            "newsfuse_model_generation_duration_seconds",
            "Time in the summarizer per call (one batch of prompts) by task.",
            ["task"],
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.jobs_finished = Counter(
            "newsfuse_jobs_finished", "Jobs finished by this process by outcome.", ["state"], registry=self.registry
        )
        self.job_seconds = Histogram(
            "newsfuse_job_duration_seconds",
            "Run time of finished jobs.",
            buckets=_LATENCY_BUCKETS,
            registry=self.registry,
        )

    def watch_jobs(self, counts: Callable[[], Mapping[str, int]]) -> None:
        self.registry.register(_JobsCollector(counts))

    def watch_models(self, describe: Callable[[], Iterable[Mapping[str, object]]]) -> None:
        """``describe()`` lists the loaded models (none while loading) each time /metrics is scraped."""
        self.registry.register(_ModelsCollector(describe))

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        labels = (method, route, str(status))
        self.requests.labels(*labels).inc()
        self.request_seconds.labels(*labels).observe(seconds)

    def observe_stages(self, timings_ms: Mapping[str, float]) -> None:
        for stage, ms in timings_ms.items():
            self.stage_seconds.labels(stage).observe(ms / 1000)

    def observe_job(self, state: str, seconds: float) -> None:
        self.jobs_finished.labels(state).inc()
        self.job_seconds.observe(seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class TimedSummarizer:
    """A summarizer that times every call of the one it wraps (model generation latency)."""

    def __init__(self, inner: Summarizer, metrics: Metrics) -> None:
        self.inner = inner
        self.name = inner.name
        self.mode = inner.mode
        self._metrics = metrics

    def _timed(self, task: str, call: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        try:
            return call()
        finally:
            self._metrics.generation_seconds.labels(task).observe(time.perf_counter() - started)

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[SummaryResult]:
        results: list[SummaryResult] = self._timed("summarize", lambda: self.inner.summarize(requests))
        return results

    def headlines(self, summaries: Sequence[str]) -> list[str | None]:
        results: list[str | None] = self._timed("headlines", lambda: self.inner.headlines(summaries))
        return results

    def describe_disagreements(self, items: Sequence[DisagreementPrompt]) -> list[str | None]:
        results: list[str | None] = self._timed(
            "describe_disagreements", lambda: self.inner.describe_disagreements(items)
        )
        return results

    def describe(self) -> dict[str, object]:
        return self.inner.describe()
