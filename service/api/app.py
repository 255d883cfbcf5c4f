"""The FastAPI application: models loaded once in the lifespan, then injected into every request."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI

from service.api.problems import BodySizeLimit, install_problem_handlers
from service.api.routes import router
from service.engine import Engine
from service.log_config import configure_logging
from service.settings import Settings, get_settings
from service.web.routes import router as web_router

log = structlog.get_logger(__name__)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    """``engine`` may be passed in already loaded (tests share one); otherwise it loads at startup.

    Loading runs in the background so /healthz answers at once and /readyz says 503 until it is done,
    except with NEWSFUSE_REQUIRE_MODEL=true, where a model that cannot load must stop the start.
    """
    settings = settings or (engine.settings if engine else get_settings())
    configure_logging(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.engine = engine
        task: asyncio.Task[None] | None = None
        if engine is None:
            if settings.require_model:
                app.state.engine = await asyncio.to_thread(Engine.load, settings)
            else:

                async def load() -> None:
                    app.state.engine = await asyncio.to_thread(Engine.load, settings)
                    log.info("models_loaded", summarizer=app.state.engine.summarizer.name)

                task = asyncio.create_task(load())
        yield
        if task is not None and not task.done():
            task.cancel()

    app = FastAPI(
        title="newsfuse",
        version="0.1.0",
        summary="What news sources agree on, and exactly where they disagree.",
        lifespan=lifespan,
    )
    app.state.engine = engine
    install_problem_handlers(app)
    app.include_router(router)
    app.include_router(web_router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    return app
