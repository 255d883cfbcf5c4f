"""The FastAPI application: models loaded once in the lifespan, then injected into every request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from service.api.access import AccessControl, TokenBucketLimiter
from service.api.jobs import INTERRUPTED_ERROR, describe_error, execute_job
from service.api.jobs import router as jobs_router
from service.api.metrics import Metrics
from service.api.observability import REQUEST_ID_HEADER, RequestContext
from service.api.problems import BodySizeLimit, install_problem_handlers
from service.api.routes import router
from service.engine import Engine, describe_models
from service.jobs.runner import JobRunner
from service.jobs.store import JobStore
from service.log_config import configure_logging
from service.settings import Settings, get_settings
from service.web.routes import router as web_router

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """``engine`` may be passed in already loaded (tests share one); otherwise it loads at startup.

    Loading runs in the background so /healthz answers at once and /readyz says 503 until it is done,
    except with NEWSFUSE_REQUIRE_MODEL=true, where a model that cannot load must stop the start.
    Job workers start with the app and wait for the models; they stop at shutdown (service/jobs/).
    """
    settings = settings or (engine.settings if engine else get_settings())
    configure_logging(settings)
    metrics = Metrics()
    store = JobStore(settings.jobs_db, retention_s=settings.jobs_retention_s)
    metrics.watch_jobs(store.counts)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = engine
        if await asyncio.to_thread(store.open_if_exists):
            requeued, failed = await asyncio.to_thread(
                partial(store.recover, max_attempts=settings.jobs_max_attempts, error=INTERRUPTED_ERROR)
            )
            if requeued or failed:
                log.info("jobs_recovered", requeued=requeued, failed=failed, db=str(settings.jobs_db))
        runner.start()
        task: asyncio.Task[None] | None = None
        try:
            if engine is None:
                if settings.require_model:
                    app.state.engine = await asyncio.to_thread(Engine.load, settings)
                    runner.kick()
                else:

                    async def load() -> None:
                        app.state.engine = await asyncio.to_thread(Engine.load, settings)
                        log.info("models_loaded", summarizer=app.state.engine.summarizer.name)
                        runner.kick()

                    task = asyncio.create_task(load())
            yield
        finally:
            if task is not None and not task.done():
                task.cancel()
            await asyncio.to_thread(runner.stop)
            store.close()

    app = FastAPI(
        title="newsfuse",
        version="0.1.0",
        summary="What news sources agree on, and exactly where they disagree.",
        lifespan=lifespan,
    )
    app.state.engine = engine
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.jobs = store
    runner = JobRunner(
        store,
        workers=settings.jobs_workers,
        get_engine=lambda: app.state.engine,
        execute=lambda eng, job, progress: execute_job(eng, job, progress, settings, metrics),
        describe_error=describe_error,
        on_finish=metrics.observe_job,
        grace_s=settings.jobs_shutdown_grace_s,
    )
    app.state.job_runner = runner
    metrics.watch_models(lambda: describe_models(app.state.engine))
    install_problem_handlers(app)
    app.include_router(router)
    app.include_router(jobs_router)
    app.include_router(web_router)  # the reader's page at / (service/web/)
    # Middleware, innermost first: body size, then keys and rate limits, CORS, request ids + access log.
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    limiter = (
        TokenBucketLimiter(settings.rate_limit_per_minute, settings.rate_limit_burst)
        if settings.rate_limit_per_minute > 0
        else None
    )
    if settings.api_keys or limiter is not None:
        app.add_middleware(AccessControl, keys=settings.api_keys, limiter=limiter)
    if settings.cors_allow_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_allow_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", REQUEST_ID_HEADER],
            expose_headers=["Location", "Retry-After", REQUEST_ID_HEADER],
        )
    app.add_middleware(RequestContext, metrics=metrics)
    return app
