"""Fit the summary's sentence-selection weights (service/data/summary_selection.json) on NeuS training stories.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fit_summary.py --sample 300            # prints, writes nothing
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fit_summary.py --sample 300 --write    # also writes the file

Stories: a seeded sample of ../shared/eval/neus-train.jsonl (AllSides roundups: three outlets' excerpts and
an editors' neutral summary), never the validation file that benchmarks/summaries.py reports on. Each story's
sentences go through the service's cleaning, splitting and embeddings once; then coordinate ascent over the
weights of service/pipeline/selection.py (each in turn over a small grid, three rounds) maximises the mean
ROUGE-1 + ROUGE-2 F1 of the selected sentences at an 80-word budget against the reference summaries.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from evaldata import require_eval_dir

GRID = {
    "support": (0.0, 0.5, 1.0, 2.0, 4.0),
    "centrality": (0.0, 0.5, 1.0, 2.0, 4.0),
    "position": (0.0, 0.25, 0.5, 1.0, 2.0),
    "headline": (0.0, 0.5, 1.0, 2.0, 4.0),
    "rhetoric": (0.0, 0.25, 0.5, 1.0, 2.0),
    "redundancy": (0.0, 0.25, 0.5, 1.0, 2.0),
    "lexical": (0.0, 1.0, 2.0, 4.0, 8.0),
    "length": (-1.0, -0.5, 0.0, 0.5, 1.0),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=300)
    parser.add_argument("--max-words", type=int, default=80)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    folder = require_eval_dir("fit_summary")
    from rouge_score import rouge_scorer

    from service.models.embeddings import MemoEmbedder, MiniLMEmbedder
    from service.pipeline.align import build_table
    from service.pipeline.analyze import prepare
    from service.pipeline.selection import (
        DEFAULT_PARAMS_FILE,
        SelectionParams,
        choose,
        load_selection_params,
        scores,
        sentence_features,
    )
    from service.pipeline.sentences import split_text
    from service.pipeline.types import ArticleInput
    from service.settings import Settings

    rows = [json.loads(line) for line in (folder / "neus-train.jsonl").open(encoding="utf-8")]
    rows = random.Random(7).sample(rows, min(args.sample, len(rows)))
    settings = Settings()
    embedder = MemoEmbedder(MiniLMEmbedder(device=settings.device, dtype=settings.dtype))
    stories: list[tuple[Any, Any, str]] = []
    for row in rows:
        inputs = [ArticleInput(id=a["id"], title=a.get("title"), text=a["text"]) for a in row["articles"]]
        try:
            prepared = prepare(inputs, settings)
        except ValueError:
            continue
        sentences = [s for a in prepared.kept for s in prepared.sentences_of[a.id]]
        table = build_table(prepared.kept, sentences, embedder)
        stories.append((table, sentence_features(table, embedder), "\n".join(split_text(row["reference_summary"]))))
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)

    def objective(params: SelectionParams) -> tuple[float, float]:
        r1 = r2 = 0.0
        for table, features, reference in stories:
            points = choose(table, scores(features, params), features, args.max_words, params.redundancy)
            result = scorer.score(reference, "\n".join(p.text for p in points))
            r1 += result["rouge1"].fmeasure
            r2 += result["rouge2"].fmeasure
        return r1 / len(stories), r2 / len(stories)

    params = load_selection_params()
    best = objective(params)
    print(f"{len(stories)} training stories; start {params}: R-1 {100 * best[0]:.2f} R-2 {100 * best[1]:.2f}")
    for round_number in range(3):
        improved = False
        for name, values in GRID.items():
            for value in values:
                candidate = replace(params, **{name: value})
                result = objective(candidate)
                if sum(result) > sum(best) + 1e-6:
                    params, best, improved = candidate, result, True
        print(f"round {round_number + 1}: {params}: R-1 {100 * best[0]:.2f} R-2 {100 * best[1]:.2f}")
        if not improved:
            break
    if args.write:
        document = {
            "about": "Weights of the summary's sentence selection (service/pipeline/selection.py), fitted by "
            f"benchmarks/fit_summary.py --write on {len(stories)} NeuS training stories (seeded sample): "
            f"R-1 {100 * best[0]:.2f}, R-2 {100 * best[1]:.2f} at {args.max_words} words there.",
            "weights": {name: getattr(params, name) for name in GRID},
        }
        DEFAULT_PARAMS_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {DEFAULT_PARAMS_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
