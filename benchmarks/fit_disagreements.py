"""Fit the confidence of disagreements (service/data/disagreement_model.json) on the labelled dev stories.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fit_disagreements.py           # CV calibration, writes nothing
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fit_disagreements.py --write   # also rewrites the model file

Every dev story (BASIL, ECB+; ../shared/eval) runs through the pipeline as one cluster with no confidence
cut; each predicted disagreement is labelled right or wrong with benchmarks/quality.py's matcher against the
hand labels (tests/data/eval/basil, tests/data/eval/ecbplus). A logistic regression (scikit-learn, C=1) on
the detector's features (sentence similarity, words shared around the figures, how far apart the values
are, kind, ...) turns them into a probability. Calibration is reported out of sample: stories are split
into five folds, each fold scored by a model fitted on the other four. The written model is fitted on all.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import quality
from evaldata import require_eval_dir


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    require_eval_dir("fit_disagreements")
    from sklearn.linear_model import LogisticRegression

    from service.pipeline.disagreements import DEFAULT_MODEL_FILE

    rows = quality.collect_predictions(min_confidence=0.0)
    names = sorted({name for _, _, d, _ in rows for name, _ in d.features})
    X = np.array([[dict(d.features).get(name, 0.0) for name in names] for _, _, d, _ in rows])
    y = np.array([right for _, _, _, right in rows], dtype=int)
    stories = sorted({(s, e) for s, e, _, _ in rows})
    fold_of = {story: k % 5 for k, story in enumerate(stories)}
    folds = np.array([fold_of[(s, e)] for s, e, _, _ in rows])
    out_of_fold = np.zeros(len(rows))
    for k in range(5):
        train, test = folds != k, folds == k
        if len(set(y[train])) < 2 or not test.any():
            continue
        model = LogisticRegression(C=1.0, max_iter=5000).fit(X[train], y[train])
        out_of_fold[test] = model.predict_proba(X[test])[:, 1]
    print(f"{len(rows)} predictions ({y.sum()} right) from {len(stories)} stories; features: {', '.join(names)}")
    print("out-of-fold calibration: confidence bin -> predictions, right, share right")
    for low in (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        high = {0.0: 0.2, 0.2: 0.4, 0.4: 0.5}.get(low, low + 0.1)
        mask = (out_of_fold >= low) & (out_of_fold < high + (1e-9 if high >= 1.0 else 0.0))
        share = f"{y[mask].mean():.2f}" if mask.any() else "n/a"
        print(f"  [{low:.1f}, {high:.1f}): {mask.sum():>4} {y[mask].sum():>4}  {share}")
    for cut in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
        mask = out_of_fold >= cut
        share = f"{y[mask].mean():.2f}" if mask.any() else "n/a"
        print(f"  reported at >= {cut:.1f}: {mask.sum():>4} predictions, precision {share}, right {y[mask].sum()}")
    model = LogisticRegression(C=1.0, max_iter=5000).fit(X, y)
    weights = {name: round(float(w), 4) for name, w in zip(names, model.coef_[0], strict=True)}
    print("weights:", weights, "intercept:", round(float(model.intercept_[0]), 4))
    if args.write:
        document = {
            "about": "Confidence of a disagreement: sigmoid(intercept + sum of weight * feature), features from "
            "service/pipeline/disagreements.py. Written by benchmarks/fit_disagreements.py --write from the "
            f"hand-labelled dev stories (BASIL 50, ECB+ 40): {len(rows)} predictions, {int(y.sum())} right.",
            "weights": weights,
            "intercept": round(float(model.intercept_[0]), 4),
        }
        DEFAULT_MODEL_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {DEFAULT_MODEL_FILE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
