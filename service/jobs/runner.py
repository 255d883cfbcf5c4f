"""Worker threads that run queued jobs, and a janitor that purges expired results.

Workers take jobs from the store (``claim``), report each stage as progress, and store the result or a
problem-details error. Shutdown asks running jobs to stop at their next stage start (the analysis reports
every stage through its ``progress`` callback): they go back to the queue and run again after a restart.
A job still inside a long stage when the grace period ends stays ``running`` in the store; the next
startup queues it again (``JobStore.recover``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import structlog

from service.engine import Engine
from service.jobs.store import Claim, Job, JobState, JobStore

log = structlog.get_logger(__name__)

Progress = Callable[[str, float], None]
Execute = Callable[[Engine, Job, Progress], dict[str, Any]]
"""Runs one job's analysis; returns the result JSON or raises."""
DescribeError = Callable[[BaseException], dict[str, Any]]
"""A problem-details body for a failed job."""


class StopRequested(Exception):
    """Raised from the progress callback when the runner is stopping: the job goes back to the queue."""


class JobRunner:
    def __init__(
        self,
        store: JobStore,
        *,
        workers: int,
        get_engine: Callable[[], Engine | None],
        execute: Execute,
        describe_error: DescribeError,
        on_finish: Callable[[JobState, float], None] | None = None,
        poll_s: float = 5.0,
        purge_every_s: float = 60.0,
        grace_s: float = 30.0,
    ) -> None:
        self.store = store
        self.workers = workers
        self._get_engine = get_engine
        self._execute = execute
        self._describe_error = describe_error
        self._on_finish = on_finish
        self._poll_s = poll_s
        self._purge_every_s = purge_every_s
        self._grace_s = grace_s
        self._stopping = threading.Event()
        self._wake = threading.Condition()
        self._generation = 0
        self._threads: list[threading.Thread] = []
        self._finished = threading.Condition()
        self._finished_count = 0

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def start(self) -> None:
        self._stopping.clear()
        for number in range(self.workers):
            thread = threading.Thread(target=self._work, name=f"newsfuse-job-worker-{number}", daemon=True)
            thread.start()
            self._threads.append(thread)
        janitor = threading.Thread(target=self._janitor, name="newsfuse-job-janitor", daemon=True)
        janitor.start()
        self._threads.append(janitor)

    def kick(self) -> None:
        """Wake idle workers: a job was queued, or the models finished loading."""
        with self._wake:
            self._generation += 1
            self._wake.notify_all()

    def stop(self) -> bool:
        """Stop and join every thread (running jobs stop at their next stage); True if all ended in time."""
        self._stopping.set()
        self.kick()
        deadline = time.monotonic() + self._grace_s
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        alive = [t.name for t in self._threads if t.is_alive()]
        if alive:
            log.warning("job_workers_still_running", threads=alive, note="their jobs run again after a restart")
        self._threads = []
        return not alive

    def finished_count(self) -> int:
        """Jobs this runner has finished (or put back in the queue); read before ``wait_finished``."""
        with self._finished:
            return self._finished_count

    def wait_finished(self, seen: int, timeout: float) -> None:
        """Block until a job finishes after ``finished_count()`` returned ``seen``, or ``timeout`` passes."""
        with self._finished:
            self._finished.wait_for(lambda: self._finished_count != seen, timeout)

    def _notify_finished(self) -> None:
        with self._finished:
            self._finished_count += 1
            self._finished.notify_all()

    def _idle(self, generation: int, timeout: float) -> None:
        with self._wake:
            if self._generation == generation and not self._stopping.is_set():
                self._wake.wait(timeout)

    def _work(self) -> None:
        while not self._stopping.is_set():
            with self._wake:
                generation = self._generation
            engine = self._get_engine()
            claim = self.store.claim() if engine is not None else None
            if claim is None or engine is None:
                self._idle(generation, self._poll_s)
                continue
            self._run(claim, engine)

    def _run(self, claim: Claim, engine: Engine) -> None:
        job, token = claim.job, claim.token
        started = time.perf_counter()

        def progress(stage: str, fraction: float) -> None:
            if self._stopping.is_set():
                raise StopRequested(stage)
            self.store.progress(job.id, token, stage, fraction)

        with structlog.contextvars.bound_contextvars(job_id=job.id, request_id=job.request_id):
            try:
                self._run_logged(job, token, progress, started, engine)
            finally:
                self._notify_finished()

    def _run_logged(self, job: Job, token: str, progress: Progress, started: float, engine: Engine) -> None:
        log.info("job_started", attempt=job.attempts)
        try:
            result = self._execute(engine, job, progress)
        except StopRequested as exc:
            self.store.release(job.id, token)
            log.info("job_requeued", reason="shutdown", stage=str(exc))
            return
        except Exception as exc:
            error = self._describe_error(exc)
            if error.get("status", 500) >= 500:
                log.exception("job_failed", status=error.get("status"))
            else:
                log.info("job_failed", status=error.get("status"), detail=error.get("detail"))
            self._finish(self.store.fail(job.id, token, error), "failed", started)
            return
        self._finish(self.store.succeed(job.id, token, result), "succeeded", started)
        log.info("job_succeeded", duration_ms=round((time.perf_counter() - started) * 1000, 2))

    def _finish(self, written: bool, state: JobState, started: float) -> None:
        if not written:
            log.warning("job_outcome_dropped", note="the job was claimed again elsewhere")
        elif self._on_finish is not None:
            self._on_finish(state, time.perf_counter() - started)

    def _janitor(self) -> None:
        while True:
            try:
                purged = self.store.purge()
                if purged:
                    log.info("jobs_purged", count=purged)
            except Exception:
                log.exception("job_purge_failed")
            if self._stopping.wait(self._purge_every_s):
                return
