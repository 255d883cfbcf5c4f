"""Fit the summary's sentence-selection model (service/data/summary_selection.json) on NeuS training stories.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fit_summary.py                 # all training stories, prints
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fit_summary.py --write         # also writes the file
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fit_summary.py --sample 600    # quicker, a seeded sample

Stories: ../shared/eval/neus-train.jsonl (AllSides roundups: three outlets' excerpts and an editors' neutral
summary), never the validation file that benchmarks/summaries.py reports on. Each story's sentences go through
the service's cleaning, splitting and embeddings once (about 0.1 s a story on 2 cores), then:

1. Target: for every candidate sentence, its ROUGE-1 + ROUGE-2 precision against the story's reference
   summary (rouge-score's stemmed tokens): how much of it an editor's summary states.
2. Weights: ridge regression (scikit-learn) of that target on the features of
   service/pipeline/selection.py.
3. Selection rule: ``redundancy``, ``stop_below`` and ``floor_share`` over a small grid, scored by the mean
   ROUGE-1 + ROUGE-2 F1 of the selected sentences (80 words) with two-fold cross-validation over stories
   (weights fitted on one half, the rule scored on the other, and the other way round).
4. The final weights are fitted on all stories; the opener words are kept from the current file (a short
   list of English pronouns and connectives, not fitted).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from evaldata import require_eval_dir

REDUNDANCY = (0.0, 0.1)
STOP_BELOW = (0.4, 0.45, 0.5, 0.55)
FLOOR_SHARE = (0.375, 0.5)
RIDGE_ALPHA = 1.0


def _ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=0, help="stories, seeded random sample (0: all)")
    parser.add_argument("--max-words", type=int, default=80)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    folder = require_eval_dir("fit_summary")
    import numpy as np
    from rouge_score import rouge_scorer
    from rouge_score.tokenizers import DefaultTokenizer
    from sklearn.linear_model import Ridge

    from service.models.embeddings import MemoEmbedder, MiniLMEmbedder
    from service.pipeline.align import build_table
    from service.pipeline.analyze import prepare
    from service.pipeline.selection import (
        DEFAULT_PARAMS_FILE,
        MIN_WORDS,
        SelectionParams,
        SentenceFeatures,
        choose,
        load_selection_params,
        scores,
        sentence_features,
    )
    from service.pipeline.sentences import split_text
    from service.pipeline.types import ArticleInput
    from service.settings import Settings

    rows = [json.loads(line) for line in (folder / "neus-train.jsonl").open(encoding="utf-8")]
    if args.sample and args.sample < len(rows):
        rows = random.Random(7).sample(rows, args.sample)
    settings = Settings()
    embedder = MemoEmbedder(MiniLMEmbedder(device=settings.device, dtype=settings.dtype))
    # The opener words are kept from the current file (read as data: its weights may name other features).
    current_file = json.loads(DEFAULT_PARAMS_FILE.read_text(encoding="utf-8"))
    openers = frozenset(str(w).lower() for w in current_file["openers"])
    tokenizer = DefaultTokenizer(use_stemmer=True)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2"], use_stemmer=True)
    stories: list[dict[str, Any]] = []
    for row in rows:
        inputs = [ArticleInput(id=a["id"], title=a.get("title"), text=a["text"]) for a in row["articles"]]
        try:
            prepared = prepare(inputs, settings)
        except ValueError:
            continue
        sentences = [s for a in prepared.kept for s in prepared.sentences_of[a.id]]
        if not sentences:
            continue
        table = build_table(prepared.kept, sentences, embedder)
        reference = "\n".join(split_text(row["reference_summary"]))
        ref_tokens = tokenizer.tokenize(reference)
        ref1, ref2 = _ngrams(ref_tokens, 1), _ngrams(ref_tokens, 2)
        target = []
        for sentence in sentences:
            tokens = tokenizer.tokenize(sentence.text)
            own1, own2 = _ngrams(tokens, 1), _ngrams(tokens, 2)
            p1 = sum((own1 & ref1).values()) / max(1, sum(own1.values()))
            p2 = sum((own2 & ref2).values()) / max(1, sum(own2.values()))
            target.append(p1 + p2)
        features = sentence_features(table, embedder, openers)
        stories.append(
            {
                "table": table,
                "features": features,
                "x": features.matrix(),
                "y": np.array(target),
                "words": np.array([len(s.text.split()) for s in sentences]),
                "reference": reference,
            }
        )
    print(f"{len(stories)} training stories, {sum(len(s['y']) for s in stories)} sentences")
    names = SentenceFeatures.feature_names()

    def fit(part: list[dict[str, Any]]) -> Ridge:
        x = np.vstack([s["x"][s["words"] >= MIN_WORDS] for s in part])
        y = np.concatenate([s["y"][s["words"] >= MIN_WORDS] for s in part])
        return Ridge(alpha=RIDGE_ALPHA).fit(x, y)

    def params_of(model: Ridge, redundancy: float, stop_below: float, floor_share: float) -> SelectionParams:
        return SelectionParams(
            weights={name: float(w) for name, w in zip(names, model.coef_, strict=True)},
            intercept=float(model.intercept_),
            redundancy=redundancy,
            stop_below=stop_below,
            floor_share=floor_share,
            openers=openers,
        )

    def rouge(part: list[dict[str, Any]], params: SelectionParams) -> tuple[float, float]:
        r1 = r2 = 0.0
        for story in part:
            features = story["features"]
            points = choose(story["table"], scores(features, params), features, args.max_words, params)
            result = scorer.score(story["reference"], "\n".join(p.text for p in points))
            r1 += result["rouge1"].fmeasure
            r2 += result["rouge2"].fmeasure
        return r1 / len(part), r2 / len(part)

    order = list(range(len(stories)))
    random.Random(3).shuffle(order)
    half = len(order) // 2
    folds = [[stories[i] for i in order[:half]], [stories[i] for i in order[half:]]]
    models = [fit(folds[0]), fit(folds[1])]
    if set(current_file["weights"]) == set(names):
        current = load_selection_params()
        print(f"current file, all stories: R-1/R-2 {' '.join(f'{100 * v:.2f}' for v in rouge(stories, current))}")
    best: tuple[float, tuple[float, float, float], tuple[float, float]] | None = None
    for redundancy in REDUNDANCY:
        for stop_below in STOP_BELOW:
            for floor_share in FLOOR_SHARE:
                rule = (redundancy, stop_below, floor_share)
                results = [rouge(folds[1 - k], params_of(models[k], *rule)) for k in (0, 1)]
                r1 = (results[0][0] + results[1][0]) / 2
                r2 = (results[0][1] + results[1][1]) / 2
                print(
                    f"redundancy {redundancy} stop_below {stop_below} floor_share {floor_share}: "
                    f"cross-validated R-1 {100 * r1:.2f} R-2 {100 * r2:.2f}",
                    flush=True,
                )
                if best is None or r1 + r2 > best[0]:
                    best = (r1 + r2, rule, (r1, r2))
    assert best is not None
    final = params_of(fit(stories), *best[1])
    r1, r2 = best[2]
    print(f"chosen rule {best[1]}; cross-validated R-1 {100 * r1:.2f} R-2 {100 * r2:.2f}")
    weights = ", ".join(f"{k} {v:+.4f}" for k, v in final.weights.items())
    print(f"weights: {weights}; intercept {final.intercept:+.4f}")
    if args.write:
        document = {
            "about": "Linear model of the summary's sentence selection (service/pipeline/selection.py), fitted by "
            f"benchmarks/fit_summary.py --write on {len(stories)} NeuS training stories: ridge regression of "
            "each sentence's ROUGE-1 + ROUGE-2 precision against the editors' summary; the selection rule "
            f"chosen by two-fold cross-validation (R-1 {100 * r1:.2f}, R-2 {100 * r2:.2f} at {args.max_words} "
            "words there).",
            "weights": {k: round(v, 5) for k, v in final.weights.items()},
            "intercept": round(final.intercept, 5),
            "redundancy": final.redundancy,
            "stop_below": final.stop_below,
            "floor_share": final.floor_share,
            "openers_about": current_file["openers_about"],
            "openers": sorted(final.openers),
        }
        DEFAULT_PARAMS_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {DEFAULT_PARAMS_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
