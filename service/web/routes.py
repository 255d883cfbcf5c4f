"""Routes of the web page: the page and its static assets, the sample articles, and cleaned article texts.

The page needs the cleaned text of every article to show a quote where it stands (``start``/``end`` in
the summaries response are offsets into it); ``POST /v1/clean`` returns those texts for the same
articles, cleaned by the same function the pipeline uses, so the offsets line up.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from service.api.convert import to_inputs
from service.api.problems import ProblemError
from service.api.routes import PROBLEM_RESPONSES, no_usable_article_problem
from service.api.schemas import ArticleIn
from service.pipeline.clean import NoUsableArticlesError, clean_articles
from service.settings import PROJECT_ROOT, get_settings

STATIC_DIR = Path(__file__).resolve().parent / "static"
# Only these files are served: no path from the URL ever reaches the file system.
ASSETS = {"app.js": "text/javascript", "style.css": "text/css"}
SAMPLE_SUFFIXES = (".txt", ".html", ".htm")
# The page is same-origin only: no CDN, no external fonts, no inline scripts.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)

router = APIRouter()


class SampleArticle(BaseModel):
    id: str
    text: str | None = None
    html: str | None = None


class SamplesResponse(BaseModel):
    articles: list[SampleArticle] = Field(description="Raw articles: the server reads headline, date and outlet.")


class CleanRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[ArticleIn] = Field(..., min_length=1)


class CleanedArticleOut(BaseModel):
    id: str
    text: str = Field(description="The cleaned text that the summaries' quote offsets refer to.")


class CleanResponse(BaseModel):
    articles: list[CleanedArticleOut]


def samples_dir() -> Path | None:
    """``seeds/`` of the checkout, or of the working directory (the Docker image copies it to /app)."""
    for candidate in (PROJECT_ROOT / "seeds", Path.cwd() / "seeds"):
        if candidate.is_dir():
            return candidate
    return None


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def index() -> FileResponse:
    return FileResponse(
        STATIC_DIR / "index.html", media_type="text/html", headers={"Content-Security-Policy": PAGE_CSP}
    )


@router.get("/static/{name}", include_in_schema=False)
def asset(name: str) -> FileResponse:
    if name not in ASSETS:
        raise ProblemError(404, "Not found", f"no static file {name!r}", slug="http-404")
    return FileResponse(STATIC_DIR / name, media_type=ASSETS[name], headers={"Cache-Control": "no-cache"})


@router.get("/v1/samples", tags=["web"], response_model=SamplesResponse, summary="The sample articles (raw)")
def samples() -> SamplesResponse:
    directory = samples_dir()
    if directory is None:
        raise ProblemError(404, "No samples", "this installation has no seeds/ folder", slug="no-samples")
    articles = []
    for path in sorted(p for p in directory.iterdir() if p.suffix.lower() in SAMPLE_SUFFIXES and p.is_file()):
        content = path.read_text(encoding="utf-8")
        is_html = path.suffix.lower() != ".txt"
        articles.append(
            SampleArticle(id=path.stem, html=content) if is_html else SampleArticle(id=path.stem, text=content)
        )
    return SamplesResponse(articles=articles)


@router.post(
    "/v1/clean",
    tags=["web"],
    response_model=CleanResponse,
    responses={k: PROBLEM_RESPONSES[k] for k in (400, 413, 415, 422)},
    summary="The cleaned text of each article (what quote offsets refer to)",
)
def clean(body: CleanRequest) -> CleanResponse:
    settings = get_settings()
    if len(body.articles) > settings.max_articles:
        raise ProblemError(
            413,
            "Too many articles",
            f"{len(body.articles)} articles given; at most {settings.max_articles} are accepted per request",
            slug="too-many-articles",
            errors=[{"pointer": "/articles", "detail": f"at most {settings.max_articles} items"}],
        )
    inputs = to_inputs(body.articles)
    for index, article in enumerate(inputs):
        field = "text" if article.text is not None else "html"
        if len(article.text or article.html or "") > settings.max_article_chars:
            raise ProblemError(
                413,
                "Article too large",
                f"article {article.id!r} is over {settings.max_article_chars} characters",
                slug="article-too-large",
                errors=[{"pointer": f"/articles/{index}/{field}", "article_id": article.id, "detail": "too long"}],
            )
    try:
        cleaned, _ = clean_articles(inputs)
    except NoUsableArticlesError as exc:
        raise no_usable_article_problem(inputs, exc) from exc
    # Unusable articles are left out: the analysis lists them under ``skipped`` and quotes none of them.
    return CleanResponse(articles=[CleanedArticleOut(id=a.id, text=a.text) for a in cleaned])
