"""Routes: health, readiness, metrics and the summaries endpoint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from service.api.convert import to_inputs, to_response
from service.api.limits import check_tokens, run_with_deadline
from service.api.metrics import CONTENT_TYPE_LATEST, Metrics, TimedSummarizer
from service.api.problems import PROBLEM_JSON, ProblemError
from service.api.schemas import ProblemDetails, SummariesRequest, SummariesResponse, looks_binary
from service.engine import Engine
from service.models.embeddings import describe_embedder
from service.pipeline.analyze import analyze
from service.pipeline.clean import NoUsableArticlesError
from service.pipeline.types import ArticleInput
from service.settings import Settings

router = APIRouter()


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries: problem details (application/problem+json) for each status."""
    return {status: {"model": ProblemDetails, "content": {PROBLEM_JSON: {}}} for status in statuses}


PROBLEM_RESPONSES = problem_responses(400, 413, 415, 422, 503)
HARDENED_RESPONSES = problem_responses(401, 403, 429)
"""Answers of every /v1/ route with API keys or rate limits on (service/api/access.py)."""


def get_engine(request: Request) -> Engine:
    engine: Engine | None = getattr(request.app.state, "engine", None)
    if engine is None:
        raise ProblemError(
            503, "Not ready", "the models are still loading", slug="not-ready", headers={"Retry-After": "5"}
        )
    return engine


@router.get("/healthz", tags=["health"])
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", tags=["health"], responses={503: PROBLEM_RESPONSES[503]})
def readyz(request: Request) -> JSONResponse:
    engine = get_engine(request)
    model = engine.summarizer.describe()
    body = {
        "status": "ready",
        "model": model,
        "embedding": engine.embedder.name,
        "embedder": describe_embedder(engine.embedder),
    }
    if engine.summarizer.mode == "extractive":
        body["warning"] = "no seq2seq model is loaded: summaries are extractive (composed from consensus points)"
    return JSONResponse(body)


@router.get("/metrics", tags=["health"], include_in_schema=False)
def metrics(request: Request) -> Response:
    """Prometheus exposition format; open like /healthz and /readyz."""
    registry: Metrics = request.app.state.metrics
    return Response(registry.render(), media_type=CONTENT_TYPE_LATEST)


def app_settings(request: Request) -> Settings:
    """The app's settings (``create_app``'s), which hold every request limit, even when an engine with
    other settings was passed in (tests share one engine)."""
    settings: Settings = request.app.state.settings
    return settings


def _check_limits(inputs: list[ArticleInput], settings: Settings) -> None:
    if len(inputs) > settings.max_articles:
        raise ProblemError(
            413,
            "Too many articles",
            f"{len(inputs)} articles given; at most {settings.max_articles} are accepted "
            "per request (setting NEWSFUSE_MAX_ARTICLES)",
            slug="too-many-articles",
            errors=[{"pointer": "/articles", "detail": f"at most {settings.max_articles} items"}],
        )
    seen: dict[str, int] = {}
    errors = []
    for index, article in enumerate(inputs):
        field = "text" if article.text is not None else "html"
        body = article.text if article.text is not None else article.html or ""
        pointer = f"/articles/{index}"
        if article.id in seen:
            errors.append(
                {
                    "pointer": f"{pointer}/id",
                    "article_id": article.id,
                    "detail": f"duplicate id (also used by /articles/{seen[article.id]})",
                }
            )
        seen[article.id] = index
        if len(body) > settings.max_article_chars:
            raise ProblemError(
                413,
                "Article too large",
                f"article {article.id!r} has {len(body)} characters; the limit is "
                f"{settings.max_article_chars} (setting NEWSFUSE_MAX_ARTICLE_CHARS)",
                slug="article-too-large",
                errors=[{"pointer": f"{pointer}/{field}", "article_id": article.id, "detail": "too long"}],
            )
        if looks_binary(body):
            errors.append(
                {
                    "pointer": f"{pointer}/{field}",
                    "article_id": article.id,
                    "detail": "looks like binary data, not text",
                }
            )
    if errors:
        raise ProblemError(
            422,
            "Invalid articles",
            "; ".join(f"{e['pointer']}: {e['detail']}" for e in errors),
            slug="invalid-articles",
            errors=errors,
        )


def prepare(body: SummariesRequest, settings: Settings) -> list[ArticleInput]:
    """The pipeline's inputs for a request, refused (problem details) over any of the app's limits."""
    if body.max_summary_words > settings.max_summary_words:
        raise ProblemError(
            422,
            "Summary too long",
            f"max_summary_words is {body.max_summary_words}; this server writes at most "
            f"{settings.max_summary_words} words (setting NEWSFUSE_MAX_SUMMARY_WORDS)",
            slug="summary-too-long",
            errors=[{"pointer": "/max_summary_words", "detail": f"at most {settings.max_summary_words}"}],
        )
    inputs = to_inputs(body.articles)
    _check_limits(inputs, settings)
    check_tokens(inputs, settings)
    return inputs


def no_usable_article_problem(inputs: list[ArticleInput], exc: NoUsableArticlesError) -> ProblemError:
    """422 naming every article of a batch in which none could be used, with a pointer to its text."""
    index_of = {a.id: i for i, a in enumerate(inputs)}
    errors = []
    for s in exc.skipped:
        index = index_of[s.article_id]
        field = "text" if inputs[index].text is not None else "html"
        errors.append({"pointer": f"/articles/{index}/{field}", "article_id": s.article_id, "detail": s.reason})
    return ProblemError(
        422,
        "No usable article",
        "no article has story text left after boilerplate removal",
        slug="no-usable-article",
        errors=errors,
    )


def summarize(
    body: SummariesRequest,
    inputs: list[ArticleInput],
    engine: Engine,
    *,
    metrics: Metrics | None = None,
    progress: Callable[[str, float], None] | None = None,
) -> SummariesResponse:
    """The analysis behind POST /v1/summaries and every job: one function, so both answer the same."""
    try:
        analysis = analyze(
            inputs,
            embedder=engine.embedder,
            linguist=engine.linguist,
            summarizer=TimedSummarizer(engine.summarizer, metrics) if metrics is not None else engine.summarizer,
            settings=engine.settings,
            group_events=body.group_events,
            max_summary_words=body.max_summary_words,
            progress=progress,
        )
    except NoUsableArticlesError as exc:
        raise no_usable_article_problem(inputs, exc) from exc
    if metrics is not None:
        metrics.observe_stages(analysis.timings_ms)
    return to_response(analysis, engine)


@router.post(
    "/v1/summaries",
    tags=["summaries"],
    response_model=SummariesResponse,
    responses={
        **PROBLEM_RESPONSES,
        **HARDENED_RESPONSES,
        **problem_responses(504),
    },
    summary="What the articles agree on and where they disagree",
)
async def create_summary(
    body: SummariesRequest,
    request: Request,
    engine: Annotated[Engine, Depends(get_engine)],
    settings: Annotated[Settings, Depends(app_settings)],
) -> SummariesResponse:
    """Answers within NEWSFUSE_REQUEST_TIMEOUT_S or with 504; POST /v1/jobs takes work of any length."""
    inputs = prepare(body, settings)
    metrics: Metrics | None = getattr(request.app.state, "metrics", None)
    return await run_with_deadline(
        lambda tracker: summarize(body, inputs, engine, metrics=metrics, progress=tracker),
        timeout_s=settings.request_timeout_s,
    )
