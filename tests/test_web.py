"""The web page: its endpoints over HTTP, then the page itself in headless Chromium against a real server.

The browser tests start uvicorn on a free port of 127.0.0.1 (in a thread, serving the session's engine:
the real MiniLM embedder and the tiny random T5), drive the page with Playwright, and save a screenshot
to artifacts/web.png. They are skipped only when /usr/bin/chromium is missing (.ci/install installs it).
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers import SEEDS_DIR, seed_id, seed_paths
from playwright.sync_api import Browser, Locator, Page, Route, expect, sync_playwright

from service.api.app import create_app
from service.engine import Engine
from service.settings import PROJECT_ROOT
from service.web.routes import STATIC_DIR
from service.web.routes import router as web_router

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = PROJECT_ROOT / "artifacts"
ANALYSIS_TIMEOUT_MS = 180_000


def web_app(engine: Engine) -> FastAPI:
    """The service's app with the page's router (included here until app.py includes it itself)."""
    app = create_app(engine=engine)
    paths = {getattr(route, "path", None) for route in app.routes}
    if "/v1/samples" not in paths:
        app.include_router(web_router)
    return app


@pytest.fixture(scope="module")
def web_client(engine: Engine) -> Iterator[TestClient]:
    with TestClient(web_app(engine)) as client:
        yield client


# ---------- the endpoints, over HTTP ----------


def test_the_page_and_its_assets_are_served_with_nothing_from_other_sites(web_client: TestClient) -> None:
    page = web_client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/static/app.js"' in page.text
    assert '<link rel="stylesheet" href="/static/style.css">' in page.text
    for name, media_type in (("app.js", "text/javascript"), ("style.css", "text/css")):
        asset = web_client.get(f"/static/{name}")
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(media_type)
        assert asset.text == (STATIC_DIR / name).read_text(encoding="utf-8")
    for text in (page.text, web_client.get("/static/app.js").text, web_client.get("/static/style.css").text):
        # No CDN, no web fonts, no absolute URL of any kind: the page works offline.
        assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/|@import|@font-face", text), text[:200]


def test_only_the_known_static_files_are_served(web_client: TestClient) -> None:
    assert web_client.get("/static/index.html").status_code == 404
    assert web_client.get("/static/..%2Froutes.py").status_code == 404
    missing = web_client.get("/static/nope.js")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"


def test_every_form_control_of_the_page_has_a_label() -> None:
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    ids = re.findall(r"<(?:input|select|textarea|progress)\b[^>]*\bid=\"([^\"]+)\"", html)
    assert ids, "the page has no form controls"
    labelled = set(re.findall(r"<label\b[^>]*\bfor=\"([^\"]+)\"", html))
    assert set(ids) <= labelled, set(ids) - labelled


def test_samples_are_the_raw_seed_files(web_client: TestClient) -> None:
    response = web_client.get("/v1/samples")
    assert response.status_code == 200
    articles = response.json()["articles"]
    assert [a["id"] for a in articles] == [p.stem for p in seed_paths()]
    for article, path in zip(articles, seed_paths(), strict=True):
        assert article["text"] == path.read_text(encoding="utf-8")
        assert article.get("html") is None


def test_cleaned_texts_are_what_the_quote_offsets_point_into(web_client: TestClient) -> None:
    articles = web_client.get("/v1/samples").json()["articles"]
    summary = web_client.post("/v1/summaries", json={"articles": articles})
    assert summary.status_code == 200, summary.text
    cleaned = web_client.post("/v1/clean", json={"articles": articles})
    assert cleaned.status_code == 200, cleaned.text
    texts = {a["id"]: a["text"] for a in cleaned.json()["articles"]}
    assert list(texts) == [a["id"] for a in articles]
    body = summary.json()
    assert {a["id"]: a["chars"] for a in body["articles"]} == {i: len(t) for i, t in texts.items()}
    supports = [
        s
        for cluster in body["clusters"]
        for group in (
            [p["support"] for p in cluster["consensus"]["points"]]
            + [p["support"] for d in cluster["disagreements"] for p in d["positions"]]
        )
        for s in group
    ]
    assert len(supports) > 5
    for support in supports:
        assert texts[support["article_id"]][support["start"] : support["end"]] == support["quote"]
    # The headline and the reprint notice are not part of the cleaned text.
    raw = (SEEDS_DIR / f"{seed_id('000')}.txt").read_text(encoding="utf-8")
    assert raw.splitlines()[0] not in texts[seed_id("000")]


def test_clean_gives_ids_like_the_summaries_and_rejects_an_empty_article(web_client: TestClient) -> None:
    ok = web_client.post("/v1/clean", json={"articles": [{"text": "Officials met on Monday in Geneva."}]})
    assert ok.status_code == 200
    assert ok.json() == {"articles": [{"id": "article-1", "text": "Officials met on Monday in Geneva."}]}
    empty = web_client.post("/v1/clean", json={"articles": [{"id": "a", "text": "Related Articles"}]})
    assert empty.status_code == 422
    assert empty.headers["content-type"] == "application/problem+json"
    assert empty.json()["errors"][0]["pointer"] == "/articles/0/text"
    invalid = web_client.post("/v1/clean", json={"articles": [{"id": "a"}]})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["pointer"].startswith("/articles/0")


# ---------- the page in a real browser ----------


@pytest.fixture(scope="module")
def server_url(engine: Engine) -> Iterator[str]:
    """uvicorn in a thread on a socket bound (and listening) before it starts: no wait for the port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(web_app(engine), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, server_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=server_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    # Nothing may be fetched from anywhere but the server itself.
    outside: list[str] = []

    def refuse(route: Route) -> None:
        outside.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^(?!" + re.escape(server_url) + r")"), refuse)
    page.goto("/")
    page.wait_for_selector("body[data-ready='true']")
    yield page
    context.close()
    assert outside == []
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []


def load_samples_and_submit(page: Page) -> None:
    page.get_by_role("button", name="Load sample articles").click()
    expect(page.locator(".article-block")).to_have_count(5)
    page.get_by_role("button", name="Find consensus and disagreements").click()
    page.wait_for_selector(".cluster", timeout=ANALYSIS_TIMEOUT_MS)


def disagreement_table(page: Page, aspect: str) -> Locator:
    table = page.locator("table.disagreement", has=page.locator("caption", has_text=aspect))
    assert table.count() == 1, f"no single table for {aspect!r}"
    return table


def test_the_page_shows_consensus_and_both_seed_disagreements(page: Page) -> None:
    load_samples_and_submit(page)
    status = page.get_by_role("status")
    assert re.search(r"Done: \d+ stor(y|ies) from 5 article\(s\)", status.inner_text())

    blinken = page.locator(".cluster", has=page.locator("caption", has_text="day of the telephone conversation"))
    assert blinken.count() == 1
    summary = blinken.locator(".summary").inner_text()
    assert "Blinken" in summary
    points = blinken.locator(".points > li")
    assert points.count() >= 2
    badges = set(points.first.locator(".point-sources .badge.source").all_inner_texts())
    # The call itself: the two reports that state it (heraldglobe.com names the call only as the occasion of
    # another claim, which does not restate it; see the consensus filter in service/pipeline/consensus.py).
    assert {"Xinhua", "The Washington Times"} <= badges
    monday = points.filter(has_text="on Monday")
    assert monday.count() == 1
    assert "day of the telephone conversation" in monday.locator(".point-contested").inner_text()
    assert points.locator(".point-contested").count() == 1  # only the point worded with the weekday

    day = disagreement_table(page, "day of the telephone conversation")
    assert "date" in day.locator("caption").inner_text()
    claims = day.locator("thead th[scope='col']").all_inner_texts()
    assert len(claims) == 2
    assert any(c.startswith("Monday") for c in claims) and any(c.startswith("Tuesday") for c in claims)
    assert day.locator("tbody th[scope='row']").all_inner_texts() == ["Quote", "Source"]
    monday = claims.index(next(c for c in claims if c.startswith("Monday")))
    sources_row = day.locator("tbody tr").nth(1).locator("td")
    assert sources_row.nth(monday).inner_text().strip() == "Xinhua"
    assert sources_row.nth(1 - monday).inner_text().strip() == "The Washington Times"

    account = disagreement_table(page, "whether Russia gave its own account of the call")
    account_sources = account.locator("tbody tr").nth(1).inner_text()
    assert "The Washington Times" in account_sources and "heraldglobe.com" in account_sources

    # Click a quote: the article view shows its cleaned article with exactly that span highlighted.
    quote = day.locator("button.quote").first
    quote_text = quote.inner_text().strip("“”")
    quote.click()
    mark = page.locator("#article-view-text mark#highlight")
    mark.wait_for()
    assert mark.inner_text() == quote_text
    assert quote.get_attribute("aria-pressed") == "true"
    assert page.evaluate("document.activeElement.id") == "highlight"
    view_text = page.locator("#article-view-text").inner_text()
    assert len(view_text) > len(quote_text) + 200, "the article around the quote is missing"
    start = int(quote.get_attribute("data-start") or "-1")
    assert page.evaluate("Array.from(document.querySelector('#article-view-text').firstChild.textContent).length") == (
        start
    )
    assert page.locator("#article-view-meta").inner_text().startswith("Xinhua")

    # The keyboard works too: Enter on the other position's quote moves the highlight.
    other = day.locator("button.quote").nth(1)
    other.focus()
    page.keyboard.press("Enter")
    expect(mark).to_have_text(other.inner_text().strip("“”"))
    assert "The Washington Times" in page.locator("#article-view-meta").inner_text()
    page.get_by_role("button", name="Back to the quote").click()
    assert page.evaluate("document.activeElement === document.querySelectorAll('table.disagreement button.quote')[1]")

    ARTIFACTS.mkdir(exist_ok=True)
    other.click()
    page.screenshot(path=str(ARTIFACTS / "web.png"))
    page.screenshot(path=str(ARTIFACTS / "web-full.png"), full_page=True)


def test_api_errors_are_shown_in_an_alert_that_points_at_the_field(page: Page) -> None:
    page.get_by_label("Id (optional)").fill("blank")
    page.get_by_label("Article text").fill("   ")
    page.get_by_role("button", name="Find consensus and disagreements").click()
    alert = page.get_by_role("alert")
    alert.locator("h3").wait_for()
    text = alert.inner_text()
    assert "Invalid request" in text
    assert "/articles/0" in text and "Article 1" in text
    assert "HTTP 422" in text
    assert page.get_by_label("Article text").get_attribute("aria-invalid") == "true"
    alert.get_by_role("button", name=re.compile("Article 1")).click()
    assert page.evaluate("document.activeElement.name") == "body"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-error.png"))


def test_without_a_jobs_api_the_page_posts_to_summaries(page: Page) -> None:
    page.route("**/v1/jobs", lambda route: route.fulfill(status=404, content_type="application/problem+json"))
    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.url) if request.method == "POST" else None)
    load_samples_and_submit(page)
    paths = [url.split("/", 3)[3] for url in posted]
    assert paths == ["v1/jobs", "v1/summaries", "v1/clean"]
    assert disagreement_table(page, "day of the telephone conversation").count() == 1


def test_with_a_jobs_api_the_page_shows_stage_and_fraction(page: Page) -> None:
    result = {
        "clusters": [
            {
                "id": "c1",
                "article_ids": ["a", "b"],
                "duplicates": [{"kept": "a", "copies": ["b"], "similarity": {"b": 0.97}}],
                "independent_sources": 1,
                "consensus": {
                    "summary": "Officials met in Geneva.",
                    "headline": "Officials meet",
                    "mode": "abstractive",
                    "single_source": True,
                    "points": [
                        {
                            "text": "Officials met in Geneva.",
                            "support": [
                                {"article_id": "a", "source": "Wire", "quote": "Officials met", "start": 0, "end": 13}
                            ],
                            "independent_sources": 1,
                            "score": 1.0,
                        }
                    ],
                    "sentences": [],
                    "points_used_for_summary": 1,
                    "removed_sentences": [],
                    "condensed": None,
                    "notes": [],
                },
                "disagreements": [],
            }
        ],
        "articles": [
            {
                "id": i,
                "source": s,
                "title": None,
                "url": None,
                "published_at": None,
                "chars": 30,
                "removed_boilerplate": [],
            }
            for i, s in (("a", "Wire"), ("b", "Reprint"))
        ],
        "model": {"name": "stub", "mode": "abstractive", "embedding": "stub"},
        "timings_ms": {},
    }
    state = {"done": False, "polls": 0}

    def create(route: Route) -> None:
        assert json.loads(route.request.post_data or "{}")["articles"][0]["id"] == "a"
        route.fulfill(status=202, json={"id": "j1", "status": "queued"}, headers={"Location": "/v1/jobs/j1"})

    def poll(route: Route) -> None:
        state["polls"] += 1
        if state["done"]:
            route.fulfill(json={"id": "j1", "status": "succeeded", "result": result})
        else:
            route.fulfill(json={"id": "j1", "status": "running", "progress": {"stage": "align", "fraction": 0.4}})

    page.route("**/v1/jobs", create)
    page.route("**/v1/jobs/j1", poll)
    page.get_by_label("Id (optional)").fill("a")
    page.get_by_label("Article text").fill("Officials met in Geneva on Monday, the ministry said.")
    page.get_by_role("button", name="Find consensus and disagreements").click()
    progress = page.locator("#progress-box")
    page.wait_for_selector("#progress-label:text('Stage: align (40%)')")
    assert progress.is_visible()
    assert page.locator("#progress").evaluate("p => p.value") == pytest.approx(0.4)
    assert page.locator("#status").get_attribute("aria-live") == "polite"
    state["done"] = True
    cluster = page.locator(".cluster")
    cluster.wait_for()
    assert state["polls"] >= 2
    assert progress.is_hidden()
    heading = cluster.locator("h3").inner_text()
    assert "Officials meet" in heading and "SINGLE SOURCE" in heading.upper()
    assert "also carried by" in cluster.locator(".cluster-articles").inner_text()
    assert "Reprint" in cluster.locator(".also-carried").inner_text()
    assert cluster.locator(".point-sources .badge").inner_text() == "Wire"
