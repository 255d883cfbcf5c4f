"""Summarizer throughput, latency and memory: the obvious implementation against ours, in one run.

Baselines (what a first implementation does):
- ``baseline``: the old ``transformers.pipeline("summarization")`` path over each cluster's concatenated
  articles, one cluster at a time (that pipeline task no longer exists in transformers 5, so its
  body is reproduced here: tokenize with truncation to the window, ``generate`` under ``no_grad``).
- ``baseline-same-input``: the same unbatched path over *our* prompts (the consensus points), which
  separates the gain from shorter input from the gain from engineering, and gives the reference
  outputs that ours must reproduce.
Ours:
- ``ours``: ``TransformersSeq2Seq.summarize`` (batched across clusters, ``inference_mode``, longest
  prompts batched together);
- ``ours-int8``: the same with dynamic int8 quantization of the Linear layers;
- ``ours-ct2``: the CTranslate2 backend on an int8 conversion;
- ``ours-ct2-fp32``: the same engine without quantization, which separates the engine's speed from
  int8's effect on the output.

Each variant runs in its own process so its peak memory (ru_maxrss, model load included) is its own.
Output quality is ROUGE-L F1 of each variant's summaries against ``baseline-same-input``'s summaries of
the same input (1.0 = the same text). The model is built here with random weights unless --model names
real ones: its text is noise, but its shapes and compute are real (``--shape small`` is t5-small's).

    python benchmarks/summarizer_speed.py                  # t5-small shapes, 16 clusters
    python benchmarks/summarizer_speed.py --shape tiny --clusters 8 --max-words 30   # CI-size
    python benchmarks/summarizer_speed.py --model DIR      # real weights (e.g. flan-t5-base)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VARIANTS = ("baseline", "baseline-same-input", "ours", "ours-int8", "ours-ct2", "ours-ct2-fp32")
LATENCY_REPEATS = 5


def _settings(model: str, **extra: Any) -> Any:
    from service.settings import Settings

    return Settings(model=model, require_model=True, **extra)


def build_inputs(n_clusters: int, seed: int) -> list[dict[str, Any]]:
    """Clusters of 3-5 seed articles; the first has exactly five. Points come from the real pipeline."""
    from service.models.embeddings import MiniLMEmbedder
    from service.models.extractive import ExtractiveSummarizer
    from service.pipeline.analyze import analyze
    from service.pipeline.types import ArticleInput
    from service.settings import Settings

    raw = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))}
    embedder = MiniLMEmbedder()
    rng = random.Random(seed)
    clusters = []
    for k in range(n_clusters):
        ids = sorted(raw) if k == 0 else rng.sample(sorted(raw), rng.randint(3, 5))
        inputs = [ArticleInput(id=i, text=raw[i]) for i in ids]
        analysis = analyze(
            inputs, embedder=embedder, summarizer=ExtractiveSummarizer(), settings=Settings(), group_events=False
        )
        points = [p.text for p in analysis.clusters[0].points]
        articles = "\n\n".join(analysis.articles[i].text for i in ids)
        clusters.append({"ids": ids, "points": points, "articles": articles})
    return clusters


def fit_to_window(inputs: list[dict[str, Any]], model: str, max_words: int) -> list[dict[str, Any]]:
    """Keep each cluster's top points that fit the model window in one prompt.

    Otherwise ours would condense (map-reduce: more generation) where the baseline silently truncates,
    and the two would not do the same work on the same input.
    """
    from service.models.loader import load_seq2seq

    summarizer = load_seq2seq(_settings(model))
    for cluster in inputs:
        points = list(cluster["points"])
        while len(points) > 1 and summarizer.count_tokens(summarizer.prompts.summary.render(points, max_words)) > (
            summarizer.window
        ):
            points.pop()
        cluster["points"] = points
    return inputs


def _gen_kwargs(summarizer: Any, max_words: int) -> dict[str, Any]:
    from service.models.seq2seq import TOKENS_PER_WORD

    max_new = int(max_words * TOKENS_PER_WORD) + 8
    g = summarizer.generation
    return {
        "max_new_tokens": max_new,
        "min_new_tokens": min(8, max_new),
        "num_beams": g.num_beams,
        "no_repeat_ngram_size": g.no_repeat_ngram_size,
        "length_penalty": g.length_penalty,
        "early_stopping": True,
    }


def run_variant(name: str, model: str, inputs: list[dict[str, Any]], max_words: int) -> dict[str, Any]:
    import torch

    from service.models.base import SummaryRequest, clip_words
    from service.models.loader import load_seq2seq

    started = time.perf_counter()
    if name == "ours-int8":
        summarizer = load_seq2seq(_settings(model, quantize_int8=True))
    elif name == "ours-ct2":
        summarizer = load_seq2seq(_settings(model, backend="ctranslate2"))
    elif name == "ours-ct2-fp32":
        summarizer = load_seq2seq(_settings(model, backend="ctranslate2", ct2_compute_type="float32"))
    else:
        summarizer = load_seq2seq(_settings(model))
    load_s = time.perf_counter() - started
    requests = [SummaryRequest(tuple(c["points"]), max_words) for c in inputs]

    if name.startswith("baseline"):
        tok, net = summarizer.tokenizer, summarizer.model  # type: ignore[attr-defined]
        kwargs = _gen_kwargs(summarizer, max_words)

        def one(k: int) -> str:
            text = (
                inputs[k]["articles"]
                if name == "baseline"
                else summarizer.prompts.summary.render(requests[k].points, max_words)
            )
            with torch.no_grad():
                enc = tok(text, return_tensors="pt", truncation=True, max_length=summarizer.window)
                out = net.generate(**enc, **kwargs)
            return clip_words(tok.decode(out[0], skip_special_tokens=True).strip(), max_words)[0]

        t0 = time.perf_counter()
        outputs = [one(k) for k in range(len(inputs))]
        total = time.perf_counter() - t0
        latencies = []
        for _ in range(LATENCY_REPEATS):
            t = time.perf_counter()
            one(0)
            latencies.append(time.perf_counter() - t)
    else:
        t0 = time.perf_counter()
        outputs = [r.text for r in summarizer.summarize(requests)]
        total = time.perf_counter() - t0
        latencies = []
        for _ in range(LATENCY_REPEATS):
            t = time.perf_counter()
            summarizer.summarize(requests[:1])
            latencies.append(time.perf_counter() - t)
    latencies.sort()
    return {
        "variant": name,
        "load_s": round(load_s, 2),
        "total_s": round(total, 3),
        "clusters_per_s": round(len(inputs) / total, 3),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))] * 1000, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "torch_threads": torch.get_num_threads(),
        "outputs": outputs,
    }


def _rouge_l(candidates: list[str], references: list[str]) -> float:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rougeL"], use_stemmer=True)
    scores = [
        1.0 if c.strip() == r.strip() else scorer.score(r, c)["rougeL"].fmeasure
        for c, r in zip(candidates, references, strict=True)
    ]
    return sum(scores) / len(scores)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="a seq2seq model directory (default: build random weights)")
    parser.add_argument("--shape", choices=("tiny", "small"), default="small")
    parser.add_argument("--clusters", type=int, default=16)
    parser.add_argument("--max-words", type=int, default=60)
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--run-variant", help=argparse.SUPPRESS)
    parser.add_argument("--inputs", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    if args.run_variant:
        inputs = json.loads(args.inputs.read_text())
        print(json.dumps(run_variant(args.run_variant, args.model, inputs, args.max_words)))
        return 0

    work = Path(tempfile.mkdtemp(prefix="newsfuse-bench-"))
    model = args.model
    if model is None:
        from service.models.random_init import build_t5

        texts = [p.read_text(encoding="utf-8") for p in (ROOT / "seeds").glob("*.txt")]
        model = str(build_t5(work / f"t5-{args.shape}", texts, shape=args.shape, vocab_size=2000))
    variants = [v for v in args.variants.split(",") if v]
    ct2_dirs = {"ours-ct2": work / "ct2-int8", "ours-ct2-fp32": work / "ct2-float32"}
    for variant, directory in ct2_dirs.items():
        if variant in variants:
            from service.models.ctranslate2_backend import convert

            convert(model, directory, "int8" if variant == "ours-ct2" else "float32")
    inputs = fit_to_window(build_inputs(args.clusters, args.seed), model, args.max_words)
    (work / "inputs.json").write_text(json.dumps(inputs))

    results: dict[str, dict[str, Any]] = {}
    for variant in variants:
        command = [
            sys.executable,
            __file__,
            "--run-variant",
            variant,
            "--inputs",
            str(work / "inputs.json"),
            "--model",
            str(ct2_dirs.get(variant, model)),
            "--max-words",
            str(args.max_words),
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{variant}: failed\n{done.stderr[-2000:]}", file=sys.stderr)
            continue
        results[variant] = json.loads(done.stdout.strip().splitlines()[-1])

    reference = results.get("baseline-same-input") or results.get("baseline")
    base = results.get("baseline")
    print(
        f"model: {model} ({'random weights, ' + args.shape if args.model is None else 'given'}); "
        f"{args.clusters} clusters, max {args.max_words} words; cluster 0 has five articles"
    )
    header = f"{'variant':<22}{'clusters/s':>11}{'x baseline':>11}{'x same-in':>10}{'p50 ms':>9}{'p95 ms':>9}"
    header += f"{'peak MB':>9}{'ROUGE-L':>9}"
    print(header)
    print("-" * len(header))
    same = results.get("baseline-same-input")
    for variant, r in results.items():
        ratio = r["clusters_per_s"] / base["clusters_per_s"] if base else float("nan")
        ratio_same = r["clusters_per_s"] / same["clusters_per_s"] if same else float("nan")
        rouge = _rouge_l(r["outputs"], reference["outputs"]) if reference else float("nan")
        r["rouge_l_vs_reference"] = round(rouge, 3)
        print(
            f"{variant:<22}{r['clusters_per_s']:>11.3f}{ratio:>11.2f}{ratio_same:>10.2f}{r['p50_ms']:>9.0f}"
            f"{r['p95_ms']:>9.0f}{r['peak_rss_mb']:>9.0f}{rouge:>9.3f}"
        )
    print(
        "targets: ours >= 3x baseline clusters/s at ROUGE-L >= 0.9 against the reference outputs "
        "(baseline-same-input: same model, same prompts, unbatched)"
    )
    if args.json:
        args.json.write_text(
            json.dumps({k: {kk: vv for kk, vv in v.items() if kk != "outputs"} for k, v in results.items()}, indent=2)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
