"""The loaded models and settings a request needs; built once per process and injected."""

from __future__ import annotations

from dataclasses import dataclass

from service.models.base import Summarizer
from service.models.embeddings import Embedder, describe_embedder, load_embedder
from service.models.loader import load_summarizer
from service.nlp.linguist import Linguist, shared_linguist
from service.settings import Settings


@dataclass(frozen=True)
class Engine:
    settings: Settings
    embedder: Embedder
    summarizer: Summarizer
    linguist: Linguist

    @classmethod
    def load(cls, settings: Settings) -> Engine:
        return cls(
            settings=settings,
            embedder=load_embedder(
                settings.embedding_backend,
                settings.embedding_model,
                batch_size=settings.embedding_batch_size,
                device=settings.device,
                dtype=settings.dtype,
            ),
            summarizer=load_summarizer(settings),
            linguist=shared_linguist(settings.spacy_model, settings.parse_processes),
        )


def describe_models(engine: Engine | None) -> list[dict[str, object]]:
    """The summarizer and the embedder of a loaded engine (none before it is loaded), each with its
    ``component``, name, mode, device and dtype."""
    if engine is None:
        return []
    return [
        {"component": "summarizer", **engine.summarizer.describe()},
        {"component": "embedder", "mode": "embedding", **describe_embedder(engine.embedder)},
    ]
