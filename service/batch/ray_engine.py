"""The Ray batch engine: the same units of work as the in-process engine, spread over a Ray cluster.

    driver                          Ray Data / Ray tasks on the cluster
    ------                          -----------------------------------
    read + validate JSON lines ---> map: clean, normalise, MinHash signatures     (chunks of articles, CPU)
    exact copies (digests)     ---> map: LSH band keys -> groupby (band, key): bucket pairs     (shuffle)
    confirm pairs, copy groups ---> map: sentences, leads, bags, spaCy names      (chunks of kept reports)
                               ---> actor pool: lead embeddings                   (GPU actors if any)
    signals (bags -> matrices) ---> tasks: candidate pairs per date block, pair scores
    average linkage, plan      ---> actor pool: per-story analysis + summaries    (chunks of stories, GPU)
    write story lines as they come back

Every step calls the pipeline's own functions on the same chunks as the in-process engine, so the two give
the same stories. Rows carry pickled Python objects (articles, features): Ray Data moves and schedules them.
Workers import this package: on a multi-node cluster it must be installed on every node.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
from collections.abc import Iterator, Sequence
from functools import partial
from itertools import pairwise
from typing import Any

import numpy as np
from numpy.typing import NDArray

from service.batch.inprocess import Progress
from service.batch.stories import Plan, StorySpec, build_chunk, make_plan, run_story_chunk
from service.batch.units import (
    chunks_of,
    clean_chunk,
    embed_leads,
    features_chunk,
    peak_rss_mb,
    split_chunk,
    story_models,
)
from service.models.embeddings import describe_embedder, load_embedder
from service.nlp.linguist import shared_linguist
from service.pipeline.dedup import (
    band_keys,
    bucket_pairs,
    duplicate_groups,
    exact_copies,
    lsh_shape,
    normalised_bytes,
    text_digest,
    text_signatures,
)
from service.pipeline.grouping import (
    ArticleSignals,
    CandidateBlock,
    GroupingParams,
    block_pairs,
    candidate_blocks,
    cluster_signals,
    grouping_params,
    score_pairs,
    signals_from,
    sorted_groups,
    sparse_average_linkage,
    unique_pairs,
    uses_candidate_path,
)
from service.pipeline.types import ArticleInput, CleanArticle, DuplicateGroup, Sentence
from service.settings import Settings

BAND_ROWS_PER_TASK = 8192
SHUFFLE_PARTITIONS = 64
"""LSH rows are shuffled by ``key % partitions``: every bucket lands whole in one partition, whose buckets are
then found by sorting (one call per partition, not per bucket: most buckets hold one article)."""


def _memory(row: dict[str, Any]) -> dict[str, Any]:
    pid, peak = peak_rss_mb()
    return {**row, "pid": pid, "peak_mb": peak}


# Stage functions run by Ray workers (module level: workers import them by name) ------------------------


def _prepare_chunk(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    inputs: list[ArticleInput] = pickle.loads(row["data"])
    articles, skipped = clean_chunk(inputs)
    normalised = [normalised_bytes(a.text) for a in articles]
    sig = text_signatures(
        normalised,
        shingle_words=settings.dedup_shingle_words,
        num_perm=settings.dedup_num_perm,
        batch_chars=settings.dedup_batch_chars,
        workers=1,
    )
    digests = [text_digest(t) for t in normalised]
    return _memory({"chunk": row["chunk"], "data": pickle.dumps((articles, skipped, digests, sig))})


def _band_rows(
    batch: dict[str, NDArray[Any]], bands: int, rows: int, num_perm: int, partitions: int
) -> dict[str, NDArray[Any]]:
    """(partition, band, key, slot) for every representative and band; a bucket lies in one partition."""
    starts, blobs = batch["start"], batch["sig"]
    out_band, out_key, out_slot = [], [], []
    for start, blob in zip(starts.tolist(), blobs, strict=True):
        sig = np.frombuffer(blob, dtype=np.uint32).reshape(-1, num_perm)
        keys = band_keys(sig, bands, rows)
        n = sig.shape[0]
        out_band.append(np.repeat(np.arange(bands, dtype=np.int64), n))
        out_key.append(keys.T.ravel())
        out_slot.append(np.tile(np.arange(start, start + n, dtype=np.int64), bands))
    key = np.concatenate(out_key)
    return {
        "part": (key % np.uint64(partitions)).astype(np.int64),
        "band": np.concatenate(out_band),
        "key": key,
        "slot": np.concatenate(out_slot),
    }


def _partition_pairs(group: dict[str, NDArray[Any]], n: int) -> dict[str, NDArray[Any]]:
    """The candidate pairs of every bucket of one partition (buckets found by sorting, as ``band_pairs`` does)."""
    band, key, slot = group["band"], group["key"], group["slot"].astype(np.int64)
    order = np.lexsort((slot, key, band))
    band, key, slot = band[order], key[order], slot[order]
    change = np.concatenate(([True], (band[1:] != band[:-1]) | (key[1:] != key[:-1]), [True]))
    bounds = np.flatnonzero(change)
    found = [bucket_pairs(slot[a:b], n) for a, b in pairwise(bounds.tolist()) if b - a > 1]
    return {"pair": np.concatenate(found) if found else np.zeros(0, dtype=np.int64)}


def _features(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    articles: list[CleanArticle] = pickle.loads(row["data"])
    sentences = split_chunk(articles)
    features = features_chunk(articles, sentences, shared_linguist(settings.spacy_model))
    return _memory({"chunk": row["chunk"], "data": pickle.dumps((sentences, features))})


class _LeadEmbedder:
    def __init__(self, settings: Settings) -> None:
        self.embedder = load_embedder(
            settings.embedding_backend,
            settings.embedding_model,
            batch_size=settings.embedding_batch_size,
            device=settings.device,
            dtype=settings.dtype,
        )

    def __call__(self, batch: dict[str, NDArray[Any]]) -> dict[str, Any]:
        out: dict[str, list[Any]] = {"chunk": [], "vectors": [], "pid": [], "peak_mb": []}
        for chunk, blob in zip(batch["chunk"].tolist(), batch["leads"], strict=True):
            vectors = embed_leads(self.embedder, pickle.loads(blob))
            pid, peak = peak_rss_mb()
            out["chunk"].append(chunk)
            out["vectors"].append(pickle.dumps(vectors))
            out["pid"].append(pid)
            out["peak_mb"].append(peak)
        return out


class _StoryWorker:
    def __init__(self, settings: Settings, max_summary_words: int) -> None:
        self.settings = settings
        self.max_summary_words = max_summary_words
        self.embedder, self.summarizer, self.linguist = story_models(settings)
        described = describe_embedder(self.embedder)
        self.model = {
            **self.summarizer.describe(),
            "embedding": self.embedder.name,
            "embedding_device": described.get("device"),
            "embedding_dtype": described.get("dtype"),
        }

    def __call__(self, batch: dict[str, NDArray[Any]]) -> dict[str, Any]:
        out: dict[str, list[Any]] = {"chunk": [], "lines": [], "pid": [], "peak_mb": [], "model": []}
        for chunk, blob in zip(batch["chunk"].tolist(), batch["data"], strict=True):
            lines = run_story_chunk(
                pickle.loads(blob), self.embedder, self.summarizer, self.linguist, self.settings, self.max_summary_words
            )
            pid, peak = peak_rss_mb()
            out["chunk"].append(chunk)
            out["model"].append(json.dumps(self.model, default=str))
            out["lines"].append(pickle.dumps(lines))
            out["pid"].append(pid)
            out["peak_mb"].append(peak)
        return out


def _members_chunk(row: dict[str, Any]) -> dict[str, Any]:
    inputs: list[ArticleInput] = pickle.loads(row["data"])
    articles, _ = clean_chunk(inputs)
    return _memory({"chunk": row["chunk"], "data": pickle.dumps((articles, split_chunk(articles)))})


def _block_pairs_task(
    vectors: NDArray[np.float32], dates: list[Any], blocks: list[CandidateBlock], params: GroupingParams
) -> tuple[list[tuple[NDArray[np.int64], NDArray[np.int64]]], int, float]:
    found = [block_pairs(vectors, dates, block, params) for block in blocks]
    return (found, *peak_rss_mb())


def _score_task(
    signals: ArticleSignals, pairs: NDArray[np.int64], params: GroupingParams
) -> tuple[NDArray[np.float64], int, float]:
    return (score_pairs(signals, pairs, params.model), *peak_rss_mb())


# The engine ----------------------------------------------------------------------------------------


class RayEngine:
    name = "ray"

    def __init__(self, settings: Settings, address: str | None = None) -> None:
        try:
            import ray
        except ImportError as exc:  # the optional extra
            raise RuntimeError("--engine ray needs Ray: pip install 'newsfuse[ray]'") from exc
        self.settings = settings
        self.address = address or settings.ray_address or "local"
        self._memory: dict[int, tuple[float, set[str]]] = {}
        self._models: dict[str, object] = {}
        self._articles: dict[str, CleanArticle] | None = None
        self._sentences: dict[str, list[Sentence]] | None = None
        self._started = not ray.is_initialized()
        if self._started:
            options: dict[str, Any] = {
                "include_dashboard": False,
                "logging_level": logging.WARNING,
                "runtime_env": {"env_vars": {"TOKENIZERS_PARALLELISM": "false"}},
            }
            if self.address == "local":
                # Ray starts workers at nice 15 to keep a shared node responsive; here they are the batch's
                # whole work, so they run at the driver's priority (as Ray's own job submissions do).
                os.environ.setdefault("RAY_worker_niceness", "0")
                ray.init(num_cpus=settings.ray_num_cpus, **options)
            else:
                ray.init(address=self.address, **options)
        from ray.data.context import ShuffleStrategy

        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False
        # The LSH groupby has at most SHUFFLE_PARTITIONS groups: a sort-based shuffle starts in a fraction of a
        # second, where the default hash shuffle first starts its aggregator actors (~9 s on 2 CPUs).
        context.shuffle_strategy = ShuffleStrategy.SORT_SHUFFLE_PULL_BASED
        context.print_on_execution_start = False
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        resources: dict[str, float] = ray.cluster_resources()  # type: ignore[no-untyped-call]
        self.cpus = int(resources.get("CPU", 1))
        self.gpus = float(resources.get("GPU", 0))
        gpus_per_actor = settings.ray_gpus_per_actor
        self.gpus_per_actor = gpus_per_actor if gpus_per_actor is not None else (1.0 if self.gpus else 0.0)
        if settings.ray_actors:
            self.actors = settings.ray_actors
        elif self.gpus_per_actor:
            self.actors = max(1, int(self.gpus / self.gpus_per_actor))
        else:
            self.actors = max(1, self.cpus)

    def describe(self) -> dict[str, object]:
        return {
            "address": self.address,
            "cpus": self.cpus,
            "gpus": self.gpus,
            "actors": self.actors,
            "gpus_per_actor": self.gpus_per_actor,
        }

    def describe_models(self) -> dict[str, object]:
        """The models as the story actors loaded them (empty when no story ran in this run)."""
        return self._models

    def _note(self, stage: str, rows: Sequence[dict[str, Any]] | Sequence[tuple[int, float]]) -> None:
        for row in rows:
            pid, peak = (row["pid"], row["peak_mb"]) if isinstance(row, dict) else row
            old, stages = self._memory.get(int(pid), (0.0, set()))
            self._memory[int(pid)] = (max(old, float(peak)), stages | {stage})

    def _actor_options(self, work_units: int) -> dict[str, Any]:
        """An actor pool no larger than the units of work it gets (each actor loads its models)."""
        import ray.data

        return {
            "compute": ray.data.ActorPoolStrategy(size=max(1, min(self.actors, work_units))),
            "num_gpus": self.gpus_per_actor,
            "num_cpus": 0 if self.gpus_per_actor else 1,
        }

    def plan(self, inputs: Sequence[ArticleInput], progress: Progress) -> Plan:
        import ray
        import ray.data

        settings = self.settings
        size = settings.batch_chunk_articles
        progress("clean, signatures (Ray map)")
        rows = [{"chunk": k, "data": pickle.dumps(c)} for k, c in enumerate(chunks_of(list(inputs), size))]
        prepared = sorted(
            ray.data.from_items(rows).map(partial(_prepare_chunk, settings=settings), num_cpus=1).take_all(),
            key=lambda r: r["chunk"],
        )
        self._note("clean+signatures", prepared)
        articles: list[CleanArticle] = []
        skipped = []
        digests: list[bytes] = []
        sigs = []
        for row in prepared:
            part_articles, part_skipped, part_digests, part_sig = pickle.loads(row["data"])
            articles += part_articles
            skipped += part_skipped
            digests += part_digests
            sigs.append(part_sig)
        del prepared, rows
        if not articles:
            return Plan(stories=[], skipped=skipped, meta={})

        progress("near-duplicates (Ray groupby of LSH bands)")
        exact = exact_copies(digests)
        sig = np.concatenate(sigs)[exact.rep_of_slot]
        del sigs
        bands, band_rows = lsh_shape(settings.dedup_threshold, settings.dedup_num_perm)
        slots = len(sig)
        blocks = [
            {"start": s, "sig": sig[s : s + BAND_ROWS_PER_TASK].tobytes()} for s in range(0, slots, BAND_ROWS_PER_TASK)
        ]
        pair_rows = (
            ray.data.from_items(blocks)
            .map_batches(
                partial(
                    _band_rows,
                    bands=bands,
                    rows=band_rows,
                    num_perm=settings.dedup_num_perm,
                    partitions=max(1, min(SHUFFLE_PARTITIONS, slots // 1000)),
                ),
                batch_size=1,
                num_cpus=1,
            )
            .groupby("part")
            .map_groups(partial(_partition_pairs, n=slots), batch_format="numpy")
            .take_all()
        )
        pairs = np.unique(np.asarray([r["pair"] for r in pair_rows], dtype=np.int64))
        del pair_rows
        dedup = duplicate_groups(articles, exact, sig, pairs, settings.dedup_threshold)
        kept = list(dedup.kept)
        copies_of: dict[str, DuplicateGroup] = {g.kept: g for g in dedup.groups}

        progress("grouping signals (Ray map + embedding actors)")
        kept_chunks = chunks_of(kept, size)
        feature_rows = sorted(
            ray.data.from_items([{"chunk": k, "data": pickle.dumps(c)} for k, c in enumerate(kept_chunks)])
            .map(partial(_features, settings=settings), num_cpus=1)
            .take_all(),
            key=lambda r: r["chunk"],
        )
        self._note("sentences+features", feature_rows)
        sentences: dict[str, list[Sentence]] = {}
        features = []
        for row in feature_rows:
            part_sentences, part_features = pickle.loads(row["data"])
            sentences.update(part_sentences)
            features.append(part_features)
        del feature_rows
        vector_rows = sorted(
            ray.data.from_items([{"chunk": k, "leads": pickle.dumps(f.leads)} for k, f in enumerate(features)])
            .map_batches(
                _LeadEmbedder,
                batch_size=1,
                fn_constructor_kwargs={"settings": settings},
                **self._actor_options(len(features)),
            )
            .take_all(),
            key=lambda r: r["chunk"],
        )
        self._note("lead embeddings", vector_rows)
        vectors = np.concatenate([pickle.loads(r["vectors"]) for r in vector_rows])
        signals = signals_from(features, vectors)
        del features, vector_rows

        progress("group (Ray tasks: candidate pairs, scores)")
        params = grouping_params(settings)
        dates = [a.published_at for a in kept]
        if len(kept) <= 1:
            groups = [list(range(len(kept)))]
        elif uses_candidate_path(len(kept), params):
            groups = self._candidate_clusters(signals, dates, params)
        else:
            groups = cluster_signals(signals, dates, params)
        # As ``analyze.group``: clusters of reports in order of first appearance, then largest first.
        clusters = sorted(([kept[i] for i in g] for g in groups), key=lambda c: -len(c))
        self._articles = {a.id: a for a in kept}
        self._sentences = sentences
        return make_plan(clusters, copies_of, articles, skipped)

    def _candidate_clusters(self, signals: ArticleSignals, dates: list[Any], params: GroupingParams) -> list[list[int]]:
        import ray

        n = len(signals)
        blocks = candidate_blocks(dates, params)
        tasks = max(1, 2 * self.cpus)
        per_task = max(1, -(-len(blocks) // tasks))
        vectors_ref, dates_ref = ray.put(signals.lead_vectors), ray.put(dates)
        block_task = ray.remote(_block_pairs_task)
        found = []
        for result in ray.get(
            [
                block_task.remote(vectors_ref, dates_ref, blocks[i : i + per_task], params)
                for i in range(0, len(blocks), per_task)
            ]
        ):
            found += result[0]
            self._note("candidate pairs", [result[1:]])
        pairs = unique_pairs(found, n)
        del found
        signals_ref = ray.put(signals)
        score_task = ray.remote(_score_task)
        step = max(1, -(-len(pairs) // tasks))
        scores = []
        for scored in ray.get(
            [score_task.remote(signals_ref, pairs[i : i + step], params) for i in range(0, len(pairs), step)]
        ):
            scores.append(scored[0])
            self._note("pair scores", [scored[1:]])
        probabilities = np.concatenate(scores) if scores else np.zeros(0, dtype=np.float64)
        return sorted_groups(sparse_average_linkage(n, pairs, probabilities, params.cut))

    def run_stories(
        self, chunks: Sequence[Sequence[StorySpec]], plan: Plan, inputs: dict[str, ArticleInput], max_summary_words: int
    ) -> Iterator[list[tuple[str, str]]]:
        """Lines of each chunk as the story actors finish them (in any order)."""
        import ray.data

        if not chunks:
            return
        articles, sentences = self._articles, self._sentences
        if articles is None or sentences is None:
            articles, sentences = self._prepare_members(chunks, inputs)
        rows = [
            {"chunk": k, "data": pickle.dumps(build_chunk(specs, articles, sentences, plan.meta))}
            for k, specs in enumerate(chunks)
        ]
        ds = ray.data.from_items(rows).map_batches(
            _StoryWorker,
            batch_size=1,
            fn_constructor_kwargs={"settings": self.settings, "max_summary_words": max_summary_words},
            **self._actor_options(len(rows)),
        )
        for row in ds.iter_rows():
            self._note("stories", [row])
            self._models = json.loads(row["model"])
            yield pickle.loads(row["lines"])

    def _prepare_members(
        self, chunks: Sequence[Sequence[StorySpec]], inputs: dict[str, ArticleInput]
    ) -> tuple[dict[str, CleanArticle], dict[str, list[Sentence]]]:
        """A resumed run: clean and split the members of the stories still to write (Ray map)."""
        import ray.data

        needed = [inputs[m] for specs in chunks for s in specs for m in s.members]
        rows = [
            {"chunk": k, "data": pickle.dumps(c)}
            for k, c in enumerate(chunks_of(needed, self.settings.batch_chunk_articles))
        ]
        articles: dict[str, CleanArticle] = {}
        sentences: dict[str, list[Sentence]] = {}
        done = ray.data.from_items(rows).map(_members_chunk, num_cpus=1).take_all()
        self._note("clean+sentences (resume)", done)
        for row in done:
            part_articles, part_sentences = pickle.loads(row["data"])
            articles.update({a.id: a for a in part_articles})
            sentences.update(part_sentences)
        return articles, sentences

    def worker_memory(self) -> dict[str, float]:
        pid, peak = peak_rss_mb()
        memory = sorted(self._memory.items())
        workers = {f"pid {p} ({', '.join(sorted(stages))})": mb for p, (mb, stages) in memory}
        return {f"driver (pid {pid})": peak, **workers}

    def close(self) -> None:
        import ray

        if self._started and ray.is_initialized():
            ray.shutdown()
