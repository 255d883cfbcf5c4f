"""The REST API end to end: real HTTP requests through the ASGI app (and once through uvicorn), real models."""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from helpers import assert_problem, seed_id, wait_until_ready

from service.api.app import create_app
from service.api.schemas import ClusterOut, SummariesResponse, SupportOut
from service.engine import Engine
from service.models.base import Summarizer, SummaryRequest, SummaryResult
from service.models.loader import ModelUnavailableError
from service.pipeline.clean import clean_article
from service.pipeline.sentences import split_text
from service.pipeline.types import ArticleInput
from service.settings import Settings

CALL_REPORTS = ("000", "002", "003")
"""The three reports of the 1 February 2022 Blinken-Lavrov phone call."""

SHORT_REPORTS = (
    "Officials from both countries met in Geneva on Thursday to discuss the border dispute. "
    "The talks lasted three hours and ended without an agreement, according to the foreign ministry.",
    "Diplomats met in Geneva on Thursday for talks on the border dispute between the two countries. "
    "No agreement was reached after three hours of discussion, a ministry spokesperson said.",
)


# Helpers ----------------------------------------------------------------------------------------------------


@dataclass
class RecordingSummarizer:
    """Passes every call to the real seq2seq summarizer and keeps what it was asked and what it wrote."""

    inner: Summarizer
    calls: list[tuple[list[SummaryRequest], list[SummaryResult]]] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def summarize(self, requests: Sequence[SummaryRequest]) -> list[SummaryResult]:
        results = self.inner.summarize(requests)
        self.calls.append((list(requests), results))
        return results


def articles(seed_texts: dict[str, str], prefixes: Sequence[str], *, with_ids: bool = True) -> list[dict[str, str]]:
    out = []
    for prefix in prefixes:
        article_id = seed_id(prefix)
        out.append({"id": article_id, "text": seed_texts[article_id]} if with_ids else {"text": seed_texts[article_id]})
    return out


def summarize(client: TestClient, payload: dict[str, Any]) -> SummariesResponse:
    response = client.post("/v1/summaries", json=payload)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return SummariesResponse.model_validate(response.json())


def all_supports(cluster: ClusterOut) -> list[SupportOut]:
    points = [s for p in cluster.consensus.points for s in p.support]
    positions = [s for d in cluster.disagreements for p in d.positions for s in p.support]
    return points + positions


def cluster_of(response: SummariesResponse, article_id: str) -> ClusterOut:
    (cluster,) = [c for c in response.clusters if article_id in c.article_ids]
    return cluster


def pointers(body: dict[str, Any]) -> list[str]:
    return [e["pointer"] for e in body["errors"]]


# The five seeds -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def recorder(engine: Engine) -> RecordingSummarizer:
    return RecordingSummarizer(engine.summarizer)


@pytest.fixture(scope="module")
def seed_response(engine: Engine, recorder: RecordingSummarizer, seed_texts: dict[str, str]) -> SummariesResponse:
    """The five seeds posted once, to an app whose summarizer records what the real model wrote."""
    recording = Engine(
        settings=engine.settings, embedder=engine.embedder, summarizer=recorder, linguist=engine.linguist
    )  # type: ignore[arg-type]
    with TestClient(create_app(engine=recording)) as client:
        payload = {"articles": [{"id": k, "text": v} for k, v in seed_texts.items()]}
        return summarize(client, payload)


@pytest.fixture(scope="module")
def call_cluster(seed_response: SummariesResponse) -> ClusterOut:
    return cluster_of(seed_response, seed_id("000"))


def test_seed_ids_are_echoed_back(seed_response: SummariesResponse, seed_texts: dict[str, str]) -> None:
    assert [a.id for a in seed_response.articles] == list(seed_texts)
    clustered = [i for c in seed_response.clusters for i in c.article_ids]
    assert sorted(clustered) == sorted(seed_texts)


def test_every_quote_is_verbatim_in_the_cleaned_and_the_raw_article(
    seed_response: SummariesResponse, seed_texts: dict[str, str]
) -> None:
    cleaned = {k: clean_article(ArticleInput(id=k, text=v)).text for k, v in seed_texts.items()}
    for meta in seed_response.articles:
        assert meta.chars == len(cleaned[meta.id])
    supports = [s for c in seed_response.clusters for s in all_supports(c)]
    assert supports
    for support in supports:
        assert support.quote
        assert cleaned[support.article_id][support.start : support.end] == support.quote
        assert support.quote in seed_texts[support.article_id]


def test_reports_of_the_february_call_form_one_cluster(call_cluster: ClusterOut) -> None:
    # The January meeting (001) and the March remarks (004) are the same diplomatic story to the grouping
    # model fitted on real news (ECB+ and BASIL group follow-ups weeks apart as one story), so they may join.
    assert {seed_id(p) for p in CALL_REPORTS} <= set(call_cluster.article_ids)
    assert call_cluster.independent_sources >= 3
    assert not call_cluster.consensus.single_source
    assert call_cluster.consensus.points
    # A consensus point is confirmed by more than one independent source.
    assert all(p.independent_sources >= 2 for p in call_cluster.consensus.points)


def test_model_and_timings_are_reported(seed_response: SummariesResponse, tiny_t5_dir: Path) -> None:
    assert seed_response.model.name == str(tiny_t5_dir)
    assert seed_response.model.mode == "abstractive"
    assert seed_response.model.embedding == "all-MiniLM-L6-v2"
    assert (seed_response.model.device, seed_response.model.dtype) == ("cpu", "float32")
    assert seed_response.model.embedding_device == "cpu"
    timings = seed_response.timings_ms
    for stage in ("clean", "dedup", "group", "align", "disagreements", "summarize", "total"):
        assert timings[stage] >= 0
    assert timings["total"] >= timings["summarize"]


def _verbatim_in(sentence: str, texts: Iterable[str]) -> bool:
    return any(" ".join(sentence.split()) in " ".join(text.split()) for text in texts)


def test_summary_is_what_the_model_wrote(
    seed_response: SummariesResponse, recorder: RecordingSummarizer, seed_texts: dict[str, str]
) -> None:
    """Each cluster's summary comes from one batched call of the real model on the sentences selected for it."""
    [(requests, results)] = recorder.calls
    clusters = [c for c in seed_response.clusters if c.consensus.points]
    assert len(requests) == len(clusters)
    for cluster, request, result in zip(clusters, requests, results, strict=True):
        consensus = cluster.consensus
        # The model is given the story's selected sentences: verbatim, none twice, within the word budget.
        assert request.points
        assert all(_verbatim_in(point, seed_texts.values()) for point in request.points)
        assert len(set(request.points)) == len(request.points)
        assert sum(len(point.split()) for point in request.points) <= 120
        assert request.max_words == 120
        generated = split_text(result.text)
        assert generated, "the model wrote nothing"
        assert isinstance(consensus.summary, str)
        assert consensus.summary
        # The faithfulness guard keeps or removes each generated sentence, and lists the removed ones.
        kept = [s.text for s in consensus.sentences] if consensus.mode == "abstractive" else []
        removed = [r.text for r in consensus.removed_sentences]
        assert Counter(kept + removed) == Counter(generated)
        if consensus.mode == "abstractive":
            assert consensus.summary == " ".join(kept)
        else:
            # Nothing generated was backed by the sources: the points themselves are shown, and that is said.
            assert any("faithfulness" in note for note in consensus.notes)
            assert consensus.summary == " ".join(s.text for s in consensus.sentences)
        for sentence in consensus.sentences:
            assert set(sentence.article_ids) <= set(cluster.article_ids)


def test_date_disagreement_monday_versus_tuesday(call_cluster: ClusterOut) -> None:
    dates = [d for d in call_cluster.disagreements if d.kind == "date" and "day" in d.aspect.lower()]
    assert dates, [d.aspect for d in call_cluster.disagreements]
    (disagreement,) = dates
    monday = [p for p in disagreement.positions if "Monday" in p.claim]
    tuesday = [p for p in disagreement.positions if "Tuesday" in p.claim]
    assert monday and tuesday
    assert any(s.article_id == seed_id("000") and "Monday" in s.quote for p in monday for s in p.support)
    assert any(s.article_id == seed_id("003") and "Tuesday" in s.quote for p in tuesday for s in p.support)
    # A calibrated probability (service/data/disagreement_model.json), above the reporting cut.
    assert 0.15 <= disagreement.confidence < 1.0


def test_a_point_worded_with_the_disputed_weekday_is_flagged_as_contested(call_cluster: ClusterOut) -> None:
    points = call_cluster.consensus.points
    monday = [p for p in points if "on Monday" in p.text]
    assert monday, [p.text for p in points]
    assert all("day of the telephone conversation" in p.contested for p in monday)
    # Points whose own wording names no weekday are not flagged, even when another supporting quote does.
    unworded = [p for p in points if not any(day in p.text for day in ("Monday", "Tuesday"))]
    assert unworded and all("day of the telephone conversation" not in p.contested for p in unworded)
    aspects = {d.aspect for d in call_cluster.disagreements}
    assert all(set(p.contested) <= aspects for p in points)


def test_attribution_disagreement_whether_russia_gave_its_account(call_cluster: ClusterOut) -> None:
    found = [d for d in call_cluster.disagreements if d.kind == "attribution" and "russia" in d.aspect.lower()]
    assert found, [d.aspect for d in call_cluster.disagreements]
    (disagreement,) = found
    assert len(disagreement.positions) >= 2
    quotes = [(s.article_id, s.quote) for p in disagreement.positions for s in p.support]
    assert any(a == seed_id("003") and "Russia has not provided its version of the latest call" in q for a, q in quotes)
    assert any(a == seed_id("002") and "According to the Russian Foreign Ministry" in q for a, q in quotes)
    # The two reports are on different sides.
    sides = [{s.article_id for s in p.support} for p in disagreement.positions]
    assert not any({seed_id("002"), seed_id("003")} <= side for side in sides)


def test_group_events_false_keeps_one_cluster(client: TestClient, seed_texts: dict[str, str]) -> None:
    response = summarize(
        client, {"articles": [{"id": k, "text": v} for k, v in seed_texts.items()], "group_events": False}
    )
    (cluster,) = response.clusters
    assert sorted(cluster.article_ids) == sorted(seed_texts)


# Smaller requests ----------------------------------------------------------------------------------------------


def test_missing_ids_are_generated_in_order(client: TestClient) -> None:
    response = summarize(client, {"articles": [{"text": t} for t in SHORT_REPORTS]})
    assert [a.id for a in response.articles] == ["article-1", "article-2"]
    assert sorted(i for c in response.clusters for i in c.article_ids) == ["article-1", "article-2"]


def test_generated_id_never_collides_with_a_client_id(client: TestClient) -> None:
    payload = {"articles": [{"id": "article-2", "text": SHORT_REPORTS[0]}, {"text": SHORT_REPORTS[1]}]}
    ids = [a.id for a in summarize(client, payload).articles]
    assert ids[0] == "article-2"
    assert ids[1] != "article-2"
    assert ids[1].startswith("article-")


def test_a_single_article_is_a_single_source_cluster(client: TestClient, seed_texts: dict[str, str]) -> None:
    response = summarize(client, {"articles": articles(seed_texts, ["003"])})
    (cluster,) = response.clusters
    assert cluster.article_ids == [seed_id("003")]
    assert cluster.independent_sources == 1
    assert cluster.consensus.single_source
    assert cluster.disagreements == []
    assert cluster.consensus.points
    for point in cluster.consensus.points:
        assert len(point.support) == 1
        assert point.support[0].article_id == seed_id("003")


def test_a_syndicated_copy_counts_as_one_source(client: TestClient, seed_texts: dict[str, str]) -> None:
    original = seed_texts[seed_id("000")]
    body = original.split("\n", 1)[1]
    copy = "Top diplomats of US and Russia talk Ukraine in phone call\n" + body.rstrip()
    copy += "\n\nCopyright 2022 Some Wire. All rights reserved.\n"
    payload = {
        "articles": [
            {"id": "original", "text": original},
            {"id": "wire-copy", "text": copy},
            {"id": "times", "text": seed_texts[seed_id("003")]},
        ]
    }
    response = summarize(client, payload)
    cluster = cluster_of(response, "original")
    assert {"original", "wire-copy", "times"} <= set(cluster.article_ids)
    (duplicate,) = cluster.duplicates
    assert {duplicate.kept, *duplicate.copies} == {"original", "wire-copy"}
    assert cluster.independent_sources == 2
    # Quotes come from the kept copy only: the copy confirms nothing on its own.
    kept_or_other = {duplicate.kept, "times"}
    assert {s.article_id for s in all_supports(cluster)} <= kept_or_other


# Bad input --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "pointer"),
    [
        ({"articles": []}, "/articles"),
        ({}, "/articles"),
        ([], "/"),
        ({"articles": [{"id": "a"}]}, "/articles/0"),
        ({"articles": [{"id": "a", "text": "Some text here.", "html": "<p>Some text here.</p>"}]}, "/articles/0"),
        ({"articles": [{"id": "a", "text": "   "}]}, "/articles/0"),
        ({"articles": [{"id": "a", "text": 123}]}, "/articles/0/text"),
        ({"articles": [{"id": "a", "text": "Some text here.", "author": "x"}]}, "/articles/0/author"),
        ({"articles": [{"text": "Some text here."}], "colour": "red"}, "/colour"),
        ({"articles": [{"text": "Some text here."}], "max_summary_words": 5}, "/max_summary_words"),
    ],
    ids=[
        "no-articles",
        "missing-articles",
        "body-is-a-list",
        "neither-text-nor-html",
        "both-text-and-html",
        "blank-text",
        "text-not-a-string",
        "unknown-article-field",
        "unknown-top-level-field",
        "summary-words-out-of-range",
    ],
)
def test_invalid_requests_are_422_problems_naming_the_field(client: TestClient, payload: Any, pointer: str) -> None:
    body = assert_problem(client.post("/v1/summaries", json=payload), 422)
    assert pointer in pointers(body)
    assert pointer in body["detail"]


def test_malformed_json_is_400(client: TestClient) -> None:
    response = client.post(
        "/v1/summaries", content=b'{"articles": [{"text": "unterminated', headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 400)
    assert body["errors"]


def test_non_json_content_type_is_415(client: TestClient) -> None:
    response = client.post("/v1/summaries", content=b"Some article text.", headers={"content-type": "text/plain"})
    body = assert_problem(response, 415)
    assert "text/plain" in body["detail"]


def test_json_sent_as_text_plain_is_still_refused_cleanly(client: TestClient) -> None:
    response = client.post(
        "/v1/summaries",
        content=b'{"articles": [{"text": "Some article text here."}]}',
        headers={"content-type": "text/plain"},
    )
    assert_problem(response, 415)


@pytest.fixture(scope="module")
def small_body_client(engine: Engine, tiny_t5_dir: Path) -> Iterator[TestClient]:
    settings = Settings(model=str(tiny_t5_dir), max_request_bytes=1_000)
    with TestClient(create_app(settings=settings, engine=engine)) as test_client:
        yield test_client


def test_body_over_the_byte_limit_is_413(small_body_client: TestClient) -> None:
    payload = {"articles": [{"id": "long", "text": "Officials met in Geneva on Thursday. " * 60}]}
    body = assert_problem(small_body_client.post("/v1/summaries", json=payload), 413)
    assert "1000 bytes" in body["detail"]


def test_streamed_body_over_the_byte_limit_is_413(small_body_client: TestClient) -> None:
    """No content-length header (chunked upload): the limit is enforced while reading."""
    chunks = [b'{"articles": [{"text": "', *([b"Officials met in Geneva. " * 10] * 8), b'"}]}']
    response = small_body_client.post(
        "/v1/summaries", content=iter(chunks), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413)


def test_too_many_articles_is_413(client: TestClient, engine: Engine) -> None:
    limit = engine.settings.max_articles
    payload = {"articles": [{"text": f"Report number {k} says officials met."} for k in range(limit + 1)]}
    body = assert_problem(client.post("/v1/summaries", json=payload), 413)
    assert pointers(body) == ["/articles"]
    assert str(limit) in body["detail"]


def test_an_article_too_long_is_413_naming_it(client: TestClient, engine: Engine) -> None:
    text = "word " * (engine.settings.max_article_chars // 5 + 1)
    payload = {"articles": [{"id": "short", "text": SHORT_REPORTS[0]}, {"id": "huge", "text": text}]}
    body = assert_problem(client.post("/v1/summaries", json=payload), 413)
    assert "'huge'" in body["detail"]
    assert body["errors"][0]["article_id"] == "huge"
    assert pointers(body) == ["/articles/1/text"]


def test_binary_junk_is_422_naming_the_article(client: TestClient) -> None:
    junk = "".join(chr(k % 32) for k in range(2000)) + "PK\x03\x04"
    payload = {"articles": [{"id": "ok", "text": SHORT_REPORTS[0]}, {"id": "blob", "text": junk}]}
    body = assert_problem(client.post("/v1/summaries", json=payload), 422)
    assert body["errors"][0]["article_id"] == "blob"
    assert pointers(body) == ["/articles/1/text"]


BOILERPLATE = "Related Articles\n\nShare this article\n\n© 2023 Reuters\n\nBack to top button\n"


def test_an_all_boilerplate_article_is_skipped_and_the_rest_analysed(client: TestClient) -> None:
    payload = {"articles": [{"id": "ok", "text": SHORT_REPORTS[0]}, {"id": "chrome", "text": BOILERPLATE}]}
    response = client.post("/v1/summaries", json=payload)
    assert response.status_code == 200
    body = response.json()
    assert body["skipped"] == [{"article_id": "chrome", "reason": "no story text left after removing boilerplate"}]
    assert [c["article_ids"] for c in body["clusters"]] == [["ok"]]
    assert [a["id"] for a in body["articles"]] == ["ok"]


def test_a_batch_with_no_usable_article_is_422_naming_each(client: TestClient) -> None:
    payload = {"articles": [{"id": "a", "text": BOILERPLATE}, {"id": "b", "html": "<p>Share this article</p>"}]}
    body = assert_problem(client.post("/v1/summaries", json=payload), 422)
    assert body["type"].endswith("/no-usable-article")
    assert [e["article_id"] for e in body["errors"]] == ["a", "b"]
    assert pointers(body) == ["/articles/0/text", "/articles/1/html"]


def test_a_one_line_teaser_without_full_stop_is_an_article_not_a_headline(client: TestClient) -> None:
    teaser = "Rescuers in the flooded valley say the number of people missing has risen to 40 as"
    payload = {"articles": [{"id": "teaser", "text": teaser}, {"id": "ok", "text": SHORT_REPORTS[0]}]}
    response = client.post("/v1/summaries", json=payload)
    assert response.status_code == 200
    body = response.json()
    assert body["skipped"] == []
    assert {a["id"]: a["chars"] for a in body["articles"]}["teaser"] == len(teaser)


def test_a_consensus_point_is_supported_only_by_quotes_that_restate_it(client: TestClient) -> None:
    council = "The city council of Ostrava approved a budget of 4.2 million euros for the new river bridge on Tuesday."
    payload = {
        "articles": [
            {"id": "a", "source": "Daily A", "text": council + " Work is due to start in the spring."},
            {
                "id": "b",
                "source": "Herald B",
                "text": "On Tuesday the Ostrava city council approved 4.2 million euros for the new bridge over the "
                "river. Residents had campaigned for it for years.",
            },
            {
                "id": "c",
                "source": "Courier C",
                "text": "Critics on the Ostrava council said the bridge was too expensive for the city. "
                "The meeting was closed to the press.",
            },
        ],
        "group_events": False,
    }
    cluster = summarize(client, payload).clusters[0]
    budget = [p for p in cluster.consensus.points if "4.2 million" in p.text]
    assert budget, [p.text for p in cluster.consensus.points]
    supporters = {s.article_id for p in budget for s in p.support}
    # The same council and bridge, close in meaning, but another claim (an opinion of its cost): not a
    # restatement of the budget vote, so not a support.
    assert supporters == {"a", "b"}
    assert all(p.independent_sources == 2 for p in budget)


def test_a_headline_only_item_is_an_article_whose_text_is_its_title(client: TestClient) -> None:
    headline = "Rescuers say 40 people are missing after the flood in the valley"
    payload = {"articles": [{"id": "flash", "title": headline, "text": ""}, {"id": "ok", "text": SHORT_REPORTS[0]}]}
    response = client.post("/v1/summaries", json=payload)
    assert response.status_code == 200
    body = response.json()
    assert body["skipped"] == []
    flash = {a["id"]: a for a in body["articles"]}["flash"]
    assert flash["chars"] == len(headline)


def test_duplicate_ids_are_422(client: TestClient) -> None:
    payload = {"articles": [{"id": "same", "text": SHORT_REPORTS[0]}, {"id": "same", "text": SHORT_REPORTS[1]}]}
    body = assert_problem(client.post("/v1/summaries", json=payload), 422)
    assert pointers(body) == ["/articles/1/id"]
    assert body["errors"][0]["article_id"] == "same"


def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.get("/v1/nothing-here"), 404)


def test_wrong_method_is_a_405_problem(client: TestClient) -> None:
    assert_problem(client.get("/v1/summaries"), 405)


# Health, readiness, fallback --------------------------------------------------------------------------------


def test_healthz(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_loaded_model(client: TestClient, tiny_t5_dir: Path) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["model"]["name"] == str(tiny_t5_dir)
    assert body["model"]["mode"] == "abstractive"
    assert body["embedding"] == "all-MiniLM-L6-v2"
    assert "warning" not in body
    # CPU is the default where CUDA is absent: the summarizer in float32, batches of 8 (the CPU default).
    assert (body["model"]["device"], body["model"]["dtype"], body["model"]["batch_size"]) == ("cpu", "float32", 8)
    assert body["embedder"]["device"] == "cpu"
    assert body["embedder"]["dtype"] in ("float32", "bfloat16")  # bfloat16 autocast where the CPU has it natively
    assert body["embedder"]["batch_size"] == 64


def test_not_ready_while_the_engine_is_loading(tiny_t5_dir: Path) -> None:
    # Without entering the client, the lifespan (which loads the models) has not run: the engine is None.
    app = create_app(Settings(model=str(tiny_t5_dir)))
    loading = TestClient(app)
    assert app.state.engine is None
    assert loading.get("/healthz").status_code == 200
    ready = loading.get("/readyz")
    assert_problem(ready, 503)
    assert ready.headers["retry-after"] == "5"
    payload = {"articles": [{"text": SHORT_REPORTS[0]}]}
    assert_problem(loading.post("/v1/summaries", json=payload), 503)


def test_extractive_fallback_when_the_model_is_missing(fallback_settings: Settings, seed_texts: dict[str, str]) -> None:
    with TestClient(create_app(fallback_settings)) as fallback:
        ready = wait_until_ready(fallback)
        model = ready["model"]
        assert isinstance(model, dict)
        assert model["mode"] == "extractive"
        assert fallback_settings.model in str(model["reason"])
        assert "extractive" in str(ready["warning"])
        response = summarize(fallback, {"articles": articles(seed_texts, ["000", "003"])})
    assert response.model.name == "extractive-fallback"
    assert response.model.mode == "extractive"
    assert response.clusters
    for cluster in response.clusters:
        consensus = cluster.consensus
        assert consensus.mode == "extractive"
        assert consensus.headline is None
        assert consensus.sentences
        # Without a model the summary states the selected sentences themselves, verbatim.
        assert all(_verbatim_in(s.text, seed_texts.values()) for s in consensus.sentences)
        assert consensus.summary == " ".join(s.text for s in consensus.sentences)
        assert consensus.points_used_for_summary == len(consensus.sentences)


def test_the_summary_of_the_call_reports_opens_with_the_call_they_all_report(
    fallback_settings: Settings, seed_texts: dict[str, str]
) -> None:
    """The fact the three call reports share (Blinken and Lavrov spoke by phone) comes first, restated by
    at least two of them: not a background line or a detail only one outlet gives."""
    with TestClient(create_app(fallback_settings)) as fallback:
        wait_until_ready(fallback)
        response = summarize(fallback, {"articles": articles(seed_texts, CALL_REPORTS)})
    (cluster,) = response.clusters
    first = cluster.consensus.sentences[0]
    assert all(name in first.text for name in ("Blinken", "Lavrov", "phone")), first.text
    assert len(first.article_ids) >= 2, first.article_ids
    assert cluster.consensus.summary.startswith(first.text)


def test_require_model_stops_the_start_when_the_model_is_missing(
    fallback_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSFUSE_REQUIRE_MODEL", "true")
    monkeypatch.setenv("NEWSFUSE_MODEL", fallback_settings.model)
    settings = Settings()
    assert settings.require_model
    with pytest.raises(ModelUnavailableError, match="no-such-model"), TestClient(create_app(settings)):
        pass


def test_openapi_lists_the_summaries_endpoint(client: TestClient) -> None:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "post" in paths["/v1/summaries"]
    assert {"/healthz", "/readyz"} <= set(paths)


# A real server ---------------------------------------------------------------------------------------------


def test_served_by_uvicorn_over_a_real_socket(engine: Engine) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(engine=engine), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.05)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as http:
            assert http.get("/healthz").json() == {"status": "ok"}
            assert http.get("/readyz").status_code == 200
            response = http.post("/v1/summaries", json={"articles": [{"id": "a", "text": SHORT_REPORTS[0]}]})
            assert response.status_code == 200, response.text
            assert SummariesResponse.model_validate(response.json()).articles[0].id == "a"
            assert_problem(http.post("/v1/summaries", json={"articles": []}), 422)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
    assert not thread.is_alive()
