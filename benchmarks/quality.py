"""Precision and recall of consensus points and disagreements against hand-labelled clusters.

Every file in tests/data/eval/*.json is one event cluster (see the README there). Each cluster runs
through the real pipeline as one cluster (group_events=false), with the extractive summarizer: the
analysis, not the summary, is scored here.

- A predicted disagreement matches a labelled one of the same kind when every labelled side's articles
  are quoted in one position and the positions differ. Precision = matched predictions / predictions.
- A predicted consensus point matches a labelled claim when its text is close to the claim
  (MiniLM cosine >= 0.6) and its support includes at least two of the claim's articles; a labelled
  claim counts once.

    python benchmarks/quality.py
Targets (issue #4): disagreement precision >= 0.8, recall >= 0.6.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

CLAIM_SIMILARITY = 0.6


def _disagreement_matches(predicted: Any, gold: dict[str, Any]) -> bool:
    if predicted.kind != gold["kind"]:
        return False
    position_articles = [{s.article_id for s in p.support} for p in predicted.positions]
    used: set[int] = set()
    for side in gold["sides"]:
        found = next((k for k, arts in enumerate(position_articles) if k not in used and set(side) <= arts), None)
        if found is None:
            return False
        used.add(found)
    return True


def main() -> int:
    from service.models.embeddings import MiniLMEmbedder
    from service.models.extractive import ExtractiveSummarizer
    from service.pipeline.analyze import analyze
    from service.pipeline.types import ArticleInput
    from service.settings import Settings

    files = sorted((ROOT / "tests" / "data" / "eval").glob("*.json"))
    embedder = MiniLMEmbedder()
    settings = Settings()
    totals = {
        "dis_pred": 0,
        "dis_hit": 0,
        "dis_gold": 0,
        "dis_found": 0,
        "con_pred": 0,
        "con_hit": 0,
        "con_gold": 0,
        "con_found": 0,
    }
    print(f"{'cluster':<44}{'dis P':>7}{'dis R':>7}{'con P':>7}{'con R':>7}")
    for file in files:
        data = json.loads(file.read_text())
        inputs = [
            ArticleInput(id=a["id"], text=a.get("text") or (ROOT / a["path"]).read_text(encoding="utf-8"))
            for a in data["articles"]
        ]
        analysis = analyze(
            inputs, embedder=embedder, summarizer=ExtractiveSummarizer(), settings=settings, group_events=False
        )
        cluster = analysis.clusters[0]

        gold_dis = data.get("disagreements", [])
        dis_hit = sum(1 for d in cluster.disagreements if any(_disagreement_matches(d, g) for g in gold_dis))
        dis_found = sum(1 for g in gold_dis if any(_disagreement_matches(d, g) for d in cluster.disagreements))

        gold_con = data.get("consensus", [])
        con_hit = con_found = 0
        if cluster.points and gold_con:
            sim = embedder.encode([p.text for p in cluster.points]) @ embedder.encode([g["claim"] for g in gold_con]).T
            matched_gold: set[int] = set()
            for i, point in enumerate(cluster.points):
                articles = {s.article_id for s in point.support}
                hits = [
                    j
                    for j, g in enumerate(gold_con)
                    if sim[i, j] >= CLAIM_SIMILARITY and len(articles & set(g["articles"])) >= 2
                ]
                if hits:
                    con_hit += 1
                    matched_gold.update(hits)
            con_found = len(matched_gold)

        for key, value in (
            ("dis_pred", len(cluster.disagreements)),
            ("dis_hit", dis_hit),
            ("dis_gold", len(gold_dis)),
            ("dis_found", dis_found),
            ("con_pred", len(cluster.points)),
            ("con_hit", con_hit),
            ("con_gold", len(gold_con)),
            ("con_found", con_found),
        ):
            totals[key] += value
        print(
            f"{data['id'][:43]:<44}{_ratio(dis_hit, len(cluster.disagreements)):>7}"
            f"{_ratio(dis_found, len(gold_dis)):>7}{_ratio(con_hit, len(cluster.points)):>7}"
            f"{_ratio(con_found, len(gold_con)):>7}"
        )
        for d in cluster.disagreements:
            mark = "ok " if any(_disagreement_matches(d, g) for g in gold_dis) else "-- "
            print(f"   {mark}{d.kind}: {d.aspect} ({d.confidence:.2f})")
    print(
        f"{'ALL (' + str(len(files)) + ' clusters)':<44}{_ratio(totals['dis_hit'], totals['dis_pred']):>7}"
        f"{_ratio(totals['dis_found'], totals['dis_gold']):>7}{_ratio(totals['con_hit'], totals['con_pred']):>7}"
        f"{_ratio(totals['con_found'], totals['con_gold']):>7}"
    )
    print("targets: disagreement precision >= 0.80, recall >= 0.60")
    return 0


def _ratio(hit: int, total: int) -> str:
    return f"{hit / total:.2f}" if total else "n/a"


if __name__ == "__main__":
    raise SystemExit(main())
