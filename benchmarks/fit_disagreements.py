"""Fit the confidence of disagreements (service/data/disagreement_model.json) on the labelled dev stories.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fit_disagreements.py           # CV calibration, writes nothing
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/fit_disagreements.py --write   # also rewrites the model file

Every dev story (BASIL, ECB+; ../shared/eval) runs through the pipeline as one cluster with no confidence
cut; each predicted disagreement is labelled right or wrong with benchmarks/quality.py's matcher against the
hand labels (tests/data/eval/basil, tests/data/eval/ecbplus). Three models of P(right) are compared out of
sample, stories split into five folds (20 random assignments), each fold scored by a model fitted on the
others: a constant (the share right), a logistic regression on the kind alone, and one on all the detector's
features (sentence similarity, words shared around the figures, how far apart the values are, kind, ...).
The one with the lowest out-of-fold Brier score is written, fitted on all: a confidence must not claim
more than the labels show.

A merged disagreement's features are those of its finding the current model rates highest, so the rows
depend on the model: with ``--write`` the fit is repeated on the rows the new model gives until the written
model stops changing (at most four rounds).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import quality
from evaldata import require_eval_dir

FOLDS = 5
REPEATS = 20
ROUNDS = 4


def _fit(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """(weights, intercept); no columns is the constant model, the log-odds of the share right."""
    if X.shape[1] == 0 or len(set(y)) < 2:
        share = min(max(float(y.mean()), 1e-3), 1 - 1e-3)
        return np.zeros(X.shape[1]), math.log(share / (1 - share))
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=5000).fit(X, y)
    return model.coef_[0], float(model.intercept_[0])


def _predict(weights: np.ndarray, intercept: float, X: np.ndarray) -> np.ndarray:
    result: np.ndarray = 1.0 / (1.0 + np.exp(-(X @ weights + intercept)))
    return result


def _out_of_fold(X: np.ndarray, y: np.ndarray, stories: Sequence[tuple[str, str]]) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold probabilities over REPEATS fold assignments (stacked) and the matching labels."""
    names = sorted(set(stories))
    predictions = []
    for seed in range(REPEATS):
        order = np.random.default_rng(seed).permutation(len(names))
        fold_of = {names[i]: k % FOLDS for k, i in enumerate(order)}
        folds = np.array([fold_of[s] for s in stories])
        out = np.zeros(len(y))
        for k in range(FOLDS):
            train, test = folds != k, folds == k
            if test.any():
                out[test] = _predict(*_fit(X[train], y[train]), X[test])
        predictions.append(out)
    return np.concatenate(predictions), np.tile(y, REPEATS)


def _table(probabilities: np.ndarray, y: np.ndarray) -> None:
    print("  confidence bin -> predictions (mean per assignment), share right")
    for low in (0.0, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        high = {0.0: 0.2, 0.2: 0.4, 0.4: 0.5}.get(low, low + 0.1)
        mask = (probabilities >= low) & (probabilities < high + (1e-9 if high >= 1.0 else 0.0))
        share = f"{y[mask].mean():.2f}" if mask.any() else "n/a"
        print(f"  [{low:.1f}, {high:.1f}): {mask.sum() / REPEATS:>6.1f}  {share}")


def _fit_once(rows: list[tuple[str, str, Any, bool]]) -> dict[str, Any]:
    names = sorted({name for _, _, d, _ in rows for name, _ in d.features})
    candidates = {"constant": [], "kind": [n for n in names if n.startswith("kind_")], "all features": names}
    y = np.array([right for _, _, _, right in rows], dtype=int)
    stories = [(s, e) for s, e, _, _ in rows]
    print(f"{len(rows)} predictions ({y.sum()} right, {y.mean():.2f}) from {len(set(stories))} stories")
    scored = {}
    for label, columns in candidates.items():
        X = np.array([[dict(d.features).get(n, 0.0) for n in columns] for _, _, d, _ in rows]).reshape(len(rows), -1)
        probabilities, truth = _out_of_fold(X, y, stories)
        brier = float(((probabilities - truth) ** 2).mean())
        scored[label] = (brier, columns, X, probabilities, truth)
        print(f"out-of-fold Brier score, {label}: {brier:.4f}")
    chosen = min(scored, key=lambda label: scored[label][0])
    _, columns, X, probabilities, truth = scored[chosen]
    print(f"chosen: {chosen}; its out-of-fold calibration:")
    _table(probabilities, truth)
    weights, intercept = _fit(X, y)
    return {
        "about": "Confidence of a disagreement: sigmoid(intercept + sum of weight * feature), features from "
        "service/pipeline/disagreements.py. Written by benchmarks/fit_disagreements.py --write from the "
        f"hand-labelled dev stories (BASIL 50, ECB+ 40): {len(rows)} predictions, {int(y.sum())} right; "
        f"model '{chosen}', the lowest out-of-fold Brier score ({scored[chosen][0]:.4f}) of "
        + ", ".join(f"{label} {score[0]:.4f}" for label, score in scored.items())
        + ".",
        "weights": {name: round(float(w), 4) for name, w in zip(columns, weights, strict=True)},
        "intercept": round(intercept, 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    require_eval_dir("fit_disagreements")
    from service.pipeline.disagreements import DEFAULT_MODEL_FILE, load_disagreement_model

    previous: dict[str, Any] | None = None
    for round_number in range(1, (ROUNDS if args.write else 1) + 1):
        print(f"round {round_number}")
        document = _fit_once(quality.collect_predictions(min_confidence=0.0))
        print("weights:", document["weights"], "intercept:", document["intercept"])
        if not args.write:
            break
        DEFAULT_MODEL_FILE.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        load_disagreement_model.cache_clear()
        print(f"wrote {DEFAULT_MODEL_FILE}")
        fitted = (document["weights"], document["intercept"])
        if previous is not None and fitted == (previous["weights"], previous["intercept"]):
            break
        previous = document
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
