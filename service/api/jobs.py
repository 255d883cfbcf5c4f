"""Asynchronous jobs: POST /v1/jobs queues an analysis (202 + Location), GET /v1/jobs/{id} reports on it.

The job's result is exactly the body POST /v1/summaries would answer for the same request; a failed job
carries the problem details that endpoint would have answered with.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import structlog
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

from service.api.access import principal_of
from service.api.metrics import Metrics
from service.api.observability import request_id_of
from service.api.problems import TYPE_BASE, ProblemError
from service.api.routes import (
    HARDENED_RESPONSES,
    PROBLEM_RESPONSES,
    app_settings,
    prepare,
    problem_responses,
    summarize,
)
from service.api.schemas import ProblemDetails, SummariesRequest, SummariesResponse
from service.engine import Engine
from service.jobs.runner import JobRunner, Progress
from service.jobs.store import Job, JobStore, QueueFullError
from service.settings import Settings

log = structlog.get_logger(__name__)
router = APIRouter()


class JobProgress(BaseModel):
    stage: str | None = Field(description="The pipeline stage under way ('done' once finished).")
    fraction: float = Field(ge=0.0, le=1.0, description="Rough share of the work done.")


class JobOut(BaseModel):
    id: str
    status: Literal["queued", "running", "succeeded", "failed"]
    progress: JobProgress
    attempts: int = Field(description="How many times a worker started the job (a restart runs it again).")
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime | None = Field(description="When a finished job and its result are purged.")
    result: SummariesResponse | None = Field(description="Once succeeded: the body POST /v1/summaries answers.")
    error: ProblemDetails | None = Field(description="Once failed: RFC 9457 problem details.")


def _time(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def job_out(job: Job, store: JobStore) -> JobOut:
    return JobOut(
        id=job.id,
        status=job.state,
        progress=JobProgress(stage=job.stage, fraction=job.fraction),
        attempts=job.attempts,
        created_at=datetime.fromtimestamp(job.created_at, UTC),
        started_at=_time(job.started_at),
        finished_at=_time(job.finished_at),
        expires_at=_time(job.finished_at + store.retention_s if job.finished_at is not None else None),
        result=SummariesResponse.model_validate(job.result) if job.result is not None else None,
        error=ProblemDetails.model_validate(job.error) if job.error is not None else None,
    )


def get_store(request: Request) -> JobStore:
    store: JobStore = request.app.state.jobs
    return store


def execute_job(
    engine: Engine, job: Job, progress: Progress, settings: Settings, metrics: Metrics | None
) -> dict[str, Any]:
    """A worker's run of one job: the same checks and analysis as POST /v1/summaries."""
    try:
        body = SummariesRequest.model_validate(job.request)
    except ValidationError as exc:  # stored by an older version whose schema accepted it
        raise ProblemError(422, "Invalid request", str(exc), slug="validation-error") from exc
    inputs = prepare(body, settings)
    response = summarize(body, inputs, engine, metrics=metrics, progress=progress)
    return response.model_dump(mode="json")


def describe_error(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, ProblemError):
        return exc.body()
    return {
        "type": TYPE_BASE + "internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": "the server failed to process this job",
    }


INTERRUPTED_ERROR: dict[str, Any] = {
    "type": TYPE_BASE + "job-interrupted",
    "title": "Job interrupted",
    "status": 500,
    "detail": "the job was interrupted by a stop of the service too many times (setting NEWSFUSE_JOBS_MAX_ATTEMPTS)",
}


def _not_found(job_id: str) -> ProblemError:
    return ProblemError(
        404, "Job not found", f"no job {job_id!r} (unknown, or finished and purged)", slug="job-not-found"
    )


MAX_WAIT_S = 30.0
"""Longest long-poll of GET /v1/jobs/{id}?wait=… (it holds one thread of the server's pool)."""


@router.post(
    "/v1/jobs",
    tags=["jobs"],
    status_code=202,
    response_model=JobOut,
    responses={
        **PROBLEM_RESPONSES,
        **HARDENED_RESPONSES,
        202: {"headers": {"Location": {"description": "The job's URL", "schema": {"type": "string"}}}},
    },
    summary="Queue an analysis (same body as POST /v1/summaries); poll the Location it answers with",
)
def create_job(
    body: SummariesRequest,
    request: Request,
    store: Annotated[JobStore, Depends(get_store)],
    settings: Annotated[Settings, Depends(app_settings)],
) -> JSONResponse:
    prepare(body, settings)  # refuse now what the job would refuse later
    try:
        job = store.submit(
            body.model_dump(mode="json", exclude_unset=True),
            max_queued=settings.jobs_queue_size,
            owner=principal_of(request.scope) if settings.api_keys else None,
            request_id=request_id_of(request.scope),
        )
    except QueueFullError as exc:
        raise ProblemError(
            503,
            "Job queue full",
            f"{exc.queued} jobs are waiting; the queue holds {exc.limit} (setting NEWSFUSE_JOBS_QUEUE_SIZE)",
            slug="queue-full",
            headers={"Retry-After": "30"},
        ) from exc
    request.app.state.job_runner.kick()
    log.info("job_queued", job_id=job.id)
    location = request.app.url_path_for("get_job", job_id=job.id)
    return JSONResponse(
        job_out(job, store).model_dump(mode="json"), status_code=202, headers={"Location": str(location)}
    )


@router.get(
    "/v1/jobs/{job_id}",
    tags=["jobs"],
    response_model=JobOut,
    responses={**problem_responses(404), **HARDENED_RESPONSES},
    summary="A job's status, progress and, once done, its result or error",
)
def get_job(
    job_id: Annotated[str, Path(max_length=64)],
    request: Request,
    store: Annotated[JobStore, Depends(get_store)],
    settings: Annotated[Settings, Depends(app_settings)],
    wait: Annotated[
        float, Query(ge=0, le=MAX_WAIT_S, description="Seconds to hold the answer until the job has finished.")
    ] = 0.0,
) -> JobOut:
    runner: JobRunner = request.app.state.job_runner
    deadline = time.monotonic() + wait
    while True:
        seen = runner.finished_count()
        job = store.get(job_id)
        if job is None or (settings.api_keys and job.owner != principal_of(request.scope)):
            raise _not_found(job_id)  # another key's job: not even its existence is told
        remaining = deadline - time.monotonic()
        if job.state in ("succeeded", "failed") or remaining <= 0 or runner.stopping:
            return job_out(job, store)
        runner.wait_finished(seen, remaining)
