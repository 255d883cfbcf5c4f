"""Stories analysed side by side (``story_threads``) give exactly the reports of one story at a time."""

from __future__ import annotations

from helpers import generated_rows

from service.api.convert import to_inputs
from service.api.schemas import ArticleIn
from service.models.embeddings import HashingEmbedder
from service.models.extractive import ExtractiveSummarizer
from service.pipeline.analyze import analyze
from service.settings import Settings


def test_stories_side_by_side_match_one_at_a_time() -> None:
    inputs = to_inputs([ArticleIn(**row) for row in generated_rows(80, seed=3)])
    embedder = HashingEmbedder()  # per text, no batch effects: any difference would be the threads' doing
    clusters = {}
    for threads in (1, 3):
        settings = Settings(story_threads=threads)
        summarizer = ExtractiveSummarizer("extractive in this test")
        clusters[threads] = analyze(inputs, embedder=embedder, summarizer=summarizer, settings=settings).clusters
    assert len(clusters[1]) >= 5  # several stories, so the threads have work to share
    assert sum(len(c.points) + len(c.disagreements) for c in clusters[1]) > 0
    assert clusters[3] == clusters[1]
