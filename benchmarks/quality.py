"""Disagreements and consensus against hand labels: the seed cluster, and the real dev stories.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/quality.py                  # seeds + BASIL + ECB+ dev
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/quality.py --sets seeds     # the seed cluster only
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/quality.py --show           # every prediction, matched or not

Each labelled story runs through the real pipeline as one cluster (``group_events=false``: the grouping is
measured by benchmarks/grouping.py), with the extractive summarizer.

Seeds (tests/data/eval/*.json): the three call reports, with their two labelled conflicts and consensus
claims; a disagreement matches when its kind is the label's and every labelled side's articles are quoted in
one position.

Dev sets (../shared/eval, labels in tests/data/eval/basil/ and tests/data/eval/ecbplus/, written with
../shared/eval/LABELLING.md): a predicted disagreement is *right* when two of its positions each quote, in
the article a label names, the label's evidence (most of its words), for two labelled values that differ:
the service found that labelled conflict, whatever it named the kind. Precision = right / predicted;
recall of clear (and of all) labelled conflicts = labelled conflicts found / labelled. ECB+ labels focus on
numbers and dates and include figures that changed as the story developed ("evolving").

Calibration: predictions binned by ``confidence``; the issue asks that those at >= 0.8 be right >= 90% of
the time. Speed: the align and disagreement stages' time per 10 articles (target: at most 1 s).

Consensus support precision (BASIL dev): the share of a point's supporting quotes that restate the point, as
judged by readers on a random sample of 130 points (tests/data/eval/consensus/basil-judgements.json; method in
benchmarks/README.md). Judgements are keyed by the quotes' article ids and offsets, so the figure counts the
supports the service outputs now that were judged (the filter fitted on part 1 is checked on part 2; part 3
judged, on 2026-11-28, every support then output that the sample had not drawn: benchmarks/consensus_judging.py),
and says how many emitted supports were never judged.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from evaldata import ROOT, EvalArticle, eval_dir, load_articles, to_input

LABELS = ROOT / "tests" / "data" / "eval"
CLAIM_SIMILARITY = 0.6
EVIDENCE_COVERAGE = 0.6
BINS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.01)
_TOKEN = re.compile(r"[\w$%.-]+")


def _tokens(text: str) -> list[str]:
    return [t.strip(".-").lower() for t in _TOKEN.findall(text.replace("’", "'")) if t.strip(".-")]


def evidence_in(evidence: str, quote: str) -> bool:
    """The labelled evidence is (mostly) in the quote: most of its words appear there."""
    words = _tokens(evidence)
    if not words:
        return False
    present = set(_tokens(quote))
    return sum(w in present for w in words) / len(words) >= EVIDENCE_COVERAGE


@dataclass
class Tally:
    predicted: int = 0
    right: int = 0
    clear: int = 0
    clear_found: int = 0
    labelled: int = 0
    labelled_found: int = 0
    by_bin: dict[float, list[int]] = field(default_factory=dict)
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    articles: int = 0
    stage_ms: float = 0.0
    judged: dict[int, list[int]] = field(default_factory=dict)
    """judgement part -> [judged supports output, of which restate]"""
    unjudged_supports: int = 0
    judged_points: list[int] = field(default_factory=lambda: [0, 0])
    """[judged points output, of which facts (not rhetoric)]"""

    def add_prediction(self, kind: str, confidence: float, right: bool) -> None:
        self.predicted += 1
        self.right += right
        low = max(b for b in BINS if b <= confidence) if confidence >= BINS[0] else 0.0
        self.by_bin.setdefault(low, [0, 0])
        self.by_bin[low][0] += 1
        self.by_bin[low][1] += right
        self.by_kind.setdefault(kind, [0, 0])
        self.by_kind[kind][0] += 1
        self.by_kind[kind][1] += right


def matches_label(predicted: Any, label: dict[str, Any]) -> bool:
    """Two positions of the prediction quote the evidence of two labelled positions with different values."""
    quoted_in: list[set[int]] = []  # for each labelled position: the predicted positions quoting its evidence
    for gold in label["positions"]:
        found = set()
        for index, position in enumerate(predicted.positions):
            for support in position.support:
                if support.article_id == gold["article_id"] and evidence_in(gold["evidence"], support.quote):
                    found.add(index)
        quoted_in.append(found)
    values = [_value_key(g["value"]) for g in label["positions"]]
    for a in range(len(values)):
        for b in range(a + 1, len(values)):
            if values[a] == values[b]:
                continue
            if any(x != y for x in quoted_in[a] for y in quoted_in[b]):
                return True
    return False


def _value_key(value: str) -> str:
    return " ".join(_tokens(value))


def dev_stories(name: str, folder: Path | None = None) -> dict[str, list[EvalArticle]]:
    stories: dict[str, list[EvalArticle]] = {}
    for article in load_articles(name, folder):
        stories.setdefault(article.gold_event, []).append(article)
    return stories


def load_labels(folder: Path) -> dict[str, dict[str, Any]]:
    labels: dict[str, dict[str, Any]] = {}
    for file in sorted(folder.glob("*.json")):
        for event in json.loads(file.read_text(encoding="utf-8")):
            labels[event["event"]] = event
    return labels


def story_runner(min_confidence: float | None = None) -> tuple[Any, Any]:
    """(run, embedder): ``run(inputs)`` analyses the inputs as one cluster with the extractive summarizer."""
    from service.models.embeddings import MemoEmbedder, MiniLMEmbedder
    from service.models.extractive import ExtractiveSummarizer
    from service.nlp.linguist import shared_linguist
    from service.pipeline.analyze import analyze
    from service.settings import Settings

    settings = Settings()
    if min_confidence is not None:
        settings = settings.model_copy(update={"disagreement_min_confidence": min_confidence})
    embedder = MemoEmbedder(MiniLMEmbedder(device=settings.device, dtype=settings.dtype))
    linguist = shared_linguist(settings.spacy_model, settings.parse_processes)

    def run(inputs: Sequence[Any]) -> Any:
        return analyze(
            inputs,
            embedder=embedder,
            linguist=linguist,
            summarizer=ExtractiveSummarizer(),
            settings=settings,
            group_events=False,
        )

    return run, embedder


def collect_predictions(min_confidence: float | None = None) -> list[tuple[str, str, Any, bool]]:
    """(set, event, disagreement, right) for every prediction on the labelled dev stories."""
    run, _ = story_runner(min_confidence)
    rows = []
    for name in ("basil", "ecbplus"):
        labels = load_labels(LABELS / name)
        for event, articles in dev_stories(name).items():
            if event not in labels:
                continue
            analysis = run([to_input(a) for a in articles])
            for d in (d for c in analysis.clusters for d in c.disagreements):
                rows.append((name, event, d, any(matches_label(d, g) for g in labels[event]["disagreements"])))
    return rows


JUDGEMENTS = LABELS / "consensus"


def load_judgements(name: str) -> dict[tuple[str, int], dict[str, Any]]:
    """(centre article id, centre start) -> the judged point, for one dev set (empty when none)."""
    path = JUDGEMENTS / f"{name}-judgements.json"
    if not path.is_file():
        return {}
    points = json.loads(path.read_text(encoding="utf-8"))["points"]
    return {(p["point"]["article_id"], p["point"]["start"]): p for p in points}


def score_consensus(tally: Tally, analysis: Any, judgements: dict[tuple[str, int], dict[str, Any]]) -> None:
    for point in (p for c in analysis.clusters for p in c.points if p.independent_sources >= 2):
        centre, *supports = point.support
        judged = judgements.get((centre.article_id, centre.start))
        if judged is None:
            tally.unjudged_supports += len(supports)
            continue
        tally.judged_points[0] += 1
        tally.judged_points[1] += judged["point_kind"] == "fact"
        # A support judged after its point (benchmarks/consensus_judging.py) carries its own part.
        verdicts = {
            (s["article_id"], s["start"]): (s["restates"] == "yes", s.get("part", judged["part"]))
            for s in judged["supports"]
        }
        for support in supports:
            verdict = verdicts.get((support.article_id, support.start))
            if verdict is None:
                tally.unjudged_supports += 1
                continue
            restates, part = verdict
            counts = tally.judged.setdefault(part, [0, 0])
            counts[0] += 1
            counts[1] += restates


def score_set(name: str, labels: dict[str, dict[str, Any]], run: Any, show: bool) -> Tally:
    tally = Tally()
    judgements = load_judgements(name)
    for event, articles in dev_stories(name).items():
        label = labels.get(event)
        if label is None:
            continue
        analysis = run([to_input(a) for a in articles])
        tally.articles += len(articles)
        tally.stage_ms += analysis.timings_ms.get("align", 0.0) + analysis.timings_ms.get("disagreements", 0.0)
        score_consensus(tally, analysis, judgements)
        predictions = [d for c in analysis.clusters for d in c.disagreements]
        gold = label["disagreements"]
        found = [False] * len(gold)
        for d in predictions:
            hits = [k for k, g in enumerate(gold) if matches_label(d, g)]
            for k in hits:
                found[k] = True
            tally.add_prediction(d.kind, d.confidence, bool(hits))
            if show:
                mark = "ok " if hits else "-- "
                print(f"  {mark}{name} {label.get('event_name', event)[:40]}: {d.kind} {d.aspect!r} {d.confidence}")
                for p in d.positions:
                    quotes = " || ".join(f"{s.source}: {s.quote[:100]}" for s in p.support[:2])
                    print(f"       [{p.claim}] {quotes}")
        for g, hit in zip(gold, found, strict=True):
            tally.labelled += 1
            tally.labelled_found += hit
            if g.get("certainty") == "clear":
                tally.clear += 1
                tally.clear_found += hit
            if show and not hit and g.get("certainty") == "clear":
                values = ", ".join(str(p["value"]) for p in g["positions"])
                print(f"  MISS {name} {label.get('event_name', event)[:40]}: {g['kind']} {g['aspect']!r}: {values}")
    return tally


def _ratio(hit: int, total: int) -> str:
    return f"{hit / total:.2f}" if total else "n/a"


def seed_clusters(run: Any, embedder: Any) -> None:
    from service.pipeline.types import ArticleInput

    print(f"{'seed cluster':<44}{'dis P':>7}{'dis R':>7}{'con P':>7}{'con R':>7}")
    for file in sorted(LABELS.glob("*.json")):
        data = json.loads(file.read_text())
        inputs = [
            ArticleInput(id=a["id"], text=a.get("text") or (ROOT / a["path"]).read_text(encoding="utf-8"))
            for a in data["articles"]
        ]
        cluster = run(inputs).clusters[0]
        gold_dis = data.get("disagreements", [])
        dis_hit = sum(1 for d in cluster.disagreements if any(_seed_match(d, g) for g in gold_dis))
        dis_found = sum(1 for g in gold_dis if any(_seed_match(d, g) for d in cluster.disagreements))
        gold_con = data.get("consensus", [])
        con_hit = con_found = 0
        if cluster.points and gold_con:
            sim = embedder.encode([p.text for p in cluster.points]) @ embedder.encode([g["claim"] for g in gold_con]).T
            matched: set[int] = set()
            for i, point in enumerate(cluster.points):
                arts = {s.article_id for s in point.support}
                hits = [
                    j
                    for j, g in enumerate(gold_con)
                    if sim[i, j] >= CLAIM_SIMILARITY and len(arts & set(g["articles"])) >= 2
                ]
                con_hit += bool(hits)
                matched.update(hits)
            con_found = len(matched)
        print(
            f"{data['id'][:43]:<44}{_ratio(dis_hit, len(cluster.disagreements)):>7}"
            f"{_ratio(dis_found, len(gold_dis)):>7}{_ratio(con_hit, len(cluster.points)):>7}"
            f"{_ratio(con_found, len(gold_con)):>7}"
        )
        for d in cluster.disagreements:
            mark = "ok " if any(_seed_match(d, g) for g in gold_dis) else "-- "
            print(f"   {mark}{d.kind}: {d.aspect} ({d.confidence:.2f})")


def _seed_match(predicted: Any, gold: dict[str, Any]) -> bool:
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


def print_tallies(tallies: dict[str, Tally]) -> None:
    print(
        f"\n{'set':<9}{'predicted':>10}{'right':>7}{'precision':>10}  {'clear found':>12}{'recall':>8}"
        f"  {'all found':>10}{'recall':>8}  {'s / 10 articles':>16}"
    )
    for name, t in tallies.items():
        print(
            f"{name:<9}{t.predicted:>10}{t.right:>7}{_ratio(t.right, t.predicted):>10}  "
            f"{t.clear_found:>5}/{t.clear:<6}{_ratio(t.clear_found, t.clear):>8}  "
            f"{t.labelled_found:>4}/{t.labelled:<5}{_ratio(t.labelled_found, t.labelled):>8}  "
            f"{t.stage_ms / 1000 / max(1, t.articles) * 10:>16.2f}"
        )
    for name, t in tallies.items():
        if not t.judged_points[0]:
            continue
        parts = ", ".join(
            f"part {part} {restate}/{total} = {_ratio(restate, total)}"
            for part, (total, restate) in sorted(t.judged.items())
        )
        total = sum(v[0] for v in t.judged.values())
        restate = sum(v[1] for v in t.judged.values())
        print(
            f"consensus support precision ({name}, judged sample): {restate}/{total} = {_ratio(restate, total)} "
            f"({parts}; part 1 fitted the filter, part 2 checks it, part 3 judged later output the sample had not "
            f"drawn); {t.unjudged_supports} supports output were "
            f"not in the sample; judged points output {t.judged_points[0]}, reported facts "
            f"{_ratio(t.judged_points[1], t.judged_points[0])} (target: support precision >= 0.9)"
        )
    print("\ncalibration (all dev sets): confidence bin -> predictions, right, share right")
    merged: dict[float, list[int]] = {}
    kinds: dict[str, list[int]] = {}
    for t in tallies.values():
        for low, (n, r) in t.by_bin.items():
            merged.setdefault(low, [0, 0])
            merged[low][0] += n
            merged[low][1] += r
        for kind, (n, r) in t.by_kind.items():
            kinds.setdefault(kind, [0, 0])
            kinds[kind][0] += n
            kinds[kind][1] += r
    for low in sorted(merged):
        n, r = merged[low]
        print(f"  [{low:.1f}, {min(1.0, low + 0.1):.1f}{']' if low >= 0.9 else ')'}: {n:>4} {r:>4}  {_ratio(r, n)}")
    high = [merged[b] for b in merged if b >= 0.8]
    n_high, r_high = sum(x[0] for x in high), sum(x[1] for x in high)
    print(f"  confidence >= 0.8: {n_high} predictions, {_ratio(r_high, n_high)} right (target >= 0.90)")
    print("by kind: " + ", ".join(f"{k} {r}/{n}" for k, (n, r) in sorted(kinds.items())))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="seeds,basil,ecbplus")
    parser.add_argument("--show", action="store_true", help="print every prediction and every missed clear label")
    args = parser.parse_args()
    wanted = {s.strip() for s in args.sets.split(",") if s.strip()}
    run, embedder = story_runner()
    if "seeds" in wanted:
        seed_clusters(run, embedder)
    dev = wanted & {"basil", "ecbplus"}
    if dev and eval_dir() is None:
        print("quality: dev sets SKIPPED: no evaluation data (../shared/eval or $NEWSFUSE_EVAL_DIR) on this machine")
        return 0
    tallies = {name: score_set(name, load_labels(LABELS / name), run, args.show) for name in sorted(dev)}
    if tallies:
        print_tallies(tallies)
        print(
            "targets (BASIL dev): precision >= 0.85, recall of clear conflicts >= 0.60; "
            "<= 1 s per 10 articles for alignment and disagreements"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
