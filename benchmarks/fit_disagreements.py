"""Fit the confidence of disagreements (service/data/disagreement_model.json) on the labelled dev stories.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fit_disagreements.py           # CV calibration, writes nothing
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fit_disagreements.py --write   # also rewrites the model file
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fit_disagreements.py --features all   # every detector feature

Every dev story (BASIL, ECB+; ../shared/eval) runs through the pipeline as one cluster with no confidence
cut; each predicted disagreement is labelled right or wrong with benchmarks/quality.py's matcher against the
hand labels (tests/data/eval/basil, tests/data/eval/ecbplus). A logistic regression (scikit-learn, C=1, on
standardised features) turns features into a probability.

The model uses one feature, ``similarity`` (how alike the two sentences read): the detector's rules already
decide *whether* two figures fill one slot; what is left uncertain is whether the two sentences speak of the
same thing at all, and the closer two outlets' sentences are, the surer that is. A fit on all fifteen detector
features (``--features all``) was not monotone out of sample on these ~60 predictions (its top bin was right
half the time): too many weights for too few labels.

Calibration is reported out of sample: stories are split into five folds, each fold scored by a model fitted on
the other four, repeated over ``--repeats`` random fold assignments (each prediction counted once per
assignment). The written model is fitted on all, with the standardisation folded into the weights.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import quality
from evaldata import require_eval_dir

FEATURES = ("similarity",)
BINS = (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def _fit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights and intercept on the raw features (standardisation folded in)."""
    from sklearn.linear_model import LogisticRegression

    mean, scale = X.mean(axis=0), X.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=1.0, max_iter=5000).fit((X - mean) / scale, y)
    weights = model.coef_[0] / scale
    return weights, float(model.intercept_[0] - (weights * mean).sum())


def _predict(weights: np.ndarray, intercept: float, X: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1.0 / (1.0 + np.exp(-(X @ weights + intercept)))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--features", default=",".join(FEATURES), help="comma-separated, or 'all'")
    parser.add_argument("--repeats", type=int, default=20, help="random five-fold assignments of the stories")
    args = parser.parse_args()
    require_eval_dir("fit_disagreements")
    from service.pipeline.disagreements import DEFAULT_MODEL_FILE

    rows = quality.collect_predictions(min_confidence=0.0)
    every = sorted({name for _, _, d, _ in rows for name, _ in d.features})
    names = every if args.features == "all" else args.features.split(",")
    X = np.array([[dict(d.features).get(name, 0.0) for name in names] for _, _, d, _ in rows])
    y = np.array([right for _, _, _, right in rows], dtype=int)
    stories = sorted({(s, e) for s, e, _, _ in rows})
    print(f"{len(rows)} predictions ({y.sum()} right) from {len(stories)} stories; features: {', '.join(names)}")
    counts = np.zeros((len(BINS) - 1, 2), dtype=int)
    for repeat in range(args.repeats):
        order = np.random.default_rng(repeat).permutation(len(stories))
        fold_of = {stories[k]: position % 5 for position, k in enumerate(order)}
        folds = np.array([fold_of[(s, e)] for s, e, _, _ in rows])
        out_of_fold = np.zeros(len(rows))
        for k in range(5):
            train, test = folds != k, folds == k
            if len(set(y[train])) < 2 or not test.any():
                continue
            out_of_fold[test] = _predict(*_fit(X[train], y[train]), X[test])
        for b, (low, high) in enumerate(itertools.pairwise(BINS)):
            mask = (out_of_fold >= low) & ((out_of_fold < high) | (high == 1.0))
            counts[b] += (mask.sum(), y[mask].sum())
    print(f"out-of-fold calibration over {args.repeats} fold assignments: bin -> predictions, right, share right")
    for (low, high), (n, right) in zip(itertools.pairwise(BINS), counts, strict=True):
        share = f"{right / n:.2f}" if n else "n/a"
        print(f"  [{low:.1f}, {high:.1f}{']' if high == 1.0 else ')'}: {n:>5} {right:>5}  {share}")
    high = counts[BINS.index(0.8) :].sum(axis=0)
    share = f"{high[1] / high[0]:.3f}" if high[0] else "n/a"
    print(f"  out of fold at >= 0.8: {high[0]} predictions, {high[1]} right ({share}; target >= 0.90)")
    weights, intercept = _fit(X, y)
    rounded = {name: round(float(w), 4) for name, w in zip(names, weights, strict=True)}
    print("weights:", rounded, "intercept:", round(intercept, 4))
    if args.write:
        document = {
            "about": "Confidence of a disagreement: sigmoid(intercept + sum of weight * feature), features from "
            "service/pipeline/disagreements.py. Written by benchmarks/fit_disagreements.py --write from the "
            f"hand-labelled dev stories (BASIL 50, ECB+ 40): {len(rows)} predictions, {int(y.sum())} right; "
            "one feature (sentence similarity), see that script's docstring for why.",
            "weights": rounded,
            "intercept": round(intercept, 4),
        }
        DEFAULT_MODEL_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {DEFAULT_MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
