"""Event grouping on real news: B-cubed and pairwise precision/recall/F1, cluster counts and stage timings.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/grouping.py                 # BASIL, ECB+, both mixed, seeds
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/grouping.py --sets ecbplus   # one set

Every set goes through the whole analysis (``service.pipeline.analyze``: cleaning, dedup, grouping,
alignment, disagreements, the extractive summary), as a client's batch would; the timings printed are the
analysis's own stage timings. Skipped articles (no story text) count as clusters of their own.

Data: ../shared/eval (or $NEWSFUSE_EVAL_DIR): basil.jsonl (150 reports of 50 stories by three outlets) and
ecbplus.jsonl (462 reports of 40 events, two events of one kind per topic). The mixed batch is both at once.
Exits 1 when a target is missed, 0 with a message when the data is absent. ``--advisory timing,seeds`` (CI)
prints those two as missed without failing: shared runners vary in speed, and the seeds are one story to the
fitted model on purpose (the README's Event grouping says why); the accuracy targets on real news always fail
the run.

Targets (issue 12): ECB+ B-cubed F1 >= 0.88 with precision >= 0.95; BASIL F1 >= 0.92; mixed F1 >= 0.88; the
whole ECB+ analysis within 45 s on 2 cores; seeds: {000, 002, 003} one story, 001 and 004 apart.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from evaldata import ROOT, bcubed, load_articles, pairwise, require_eval_dir, to_input

TARGETS = {
    "basil": {"f1": 0.92},
    "ecbplus": {"f1": 0.88, "precision": 0.95, "seconds": 45.0},
    "mixed": {"f1": 0.88},
}
STAGES = ("clean", "dedup", "sentences", "group", "align", "disagreements", "summarize", "total")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default="basil,ecbplus,mixed,seeds", help="comma-separated")
    parser.add_argument(
        "--advisory",
        default="",
        help="comma-separated targets (timing, seeds) that are printed as missed but do not fail the run",
    )
    args = parser.parse_args()
    folder = require_eval_dir("grouping")

    from service.models.embeddings import MiniLMEmbedder
    from service.models.extractive import ExtractiveSummarizer
    from service.nlp.linguist import shared_linguist
    from service.pipeline.analyze import analyze
    from service.pipeline.types import ArticleInput
    from service.settings import Settings

    settings = Settings()
    started = time.perf_counter()
    embedder = MiniLMEmbedder(device=settings.device, dtype=settings.dtype)
    linguist = shared_linguist(settings.spacy_model, settings.parse_processes)
    print(
        f"models loaded in {time.perf_counter() - started:.1f} s (embedder on {embedder.placement.describe()}; "
        f"spaCy in {linguist.processes or 'no'} worker processes, {os.cpu_count()} cores)"
    )

    wanted = [s.strip() for s in args.sets.split(",") if s.strip()]
    advisory = {a.strip() for a in args.advisory.split(",") if a.strip()}
    failures: list[str] = []
    header = f"{'set':<9}{'reports':>8}{'events':>7}{'clusters':>9}  {'B3 P':>6}{'B3 R':>6}{'B3 F1':>7}"
    header += f"  {'pair P':>7}{'pair R':>7}{'pair F1':>8}"
    rows_out: list[str] = []
    timing_rows: list[str] = []
    for name in wanted:
        if name == "seeds":
            for missed in _check_seeds(analyze, embedder, linguist, settings):
                if "seeds" in advisory:
                    print(f"MISSED (advisory, not failing the run): {missed}")
                else:
                    failures.append(missed)
            continue
        rows = (
            load_articles("basil", folder) + load_articles("ecbplus", folder)
            if name == "mixed"
            else load_articles(name, folder)
        )
        inputs: list[ArticleInput] = [to_input(r) for r in rows]
        analysis = analyze(
            inputs, embedder=embedder, linguist=linguist, summarizer=ExtractiveSummarizer(), settings=settings
        )
        predicted = {a: c.id for c in analysis.clusters for a in c.article_ids}
        predicted.update({s.article_id: f"skipped:{s.article_id}" for s in analysis.skipped})
        gold = {r.id: r.gold_event for r in rows}
        p, r, f = bcubed(predicted, gold)
        pp, pr, pf = pairwise(predicted, gold)
        clusters = len(set(predicted.values()))
        rows_out.append(
            f"{name:<9}{len(rows):>8}{len(set(gold.values())):>7}{clusters:>9}  {p:>6.3f}{r:>6.3f}{f:>7.3f}"
            f"  {pp:>7.3f}{pr:>7.3f}{pf:>8.3f}"
        )
        timings = analysis.timings_ms
        timing_rows.append(f"{name:<9}" + "".join(f"{timings.get(s, 0.0) / 1000:>9.1f}" for s in STAGES))
        if analysis.skipped:
            print(f"{name}: skipped {len(analysis.skipped)}: {[s.article_id for s in analysis.skipped]}")
        target = TARGETS.get(name, {})
        if f < target.get("f1", 0.0):
            failures.append(f"{name}: B-cubed F1 {f:.3f} < {target['f1']}")
        if p < target.get("precision", 0.0):
            failures.append(f"{name}: B-cubed precision {p:.3f} < {target['precision']}")
        if timings["total"] / 1000 > target.get("seconds", float("inf")):
            slow = f"{name}: analysis took {timings['total'] / 1000:.1f} s > {target['seconds']} s"
            if "timing" in advisory:
                print(f"MISSED (advisory, not failing the run): {slow}")
            else:
                failures.append(slow)

    if rows_out:
        print("\n" + header)
        print("\n".join(rows_out))
        print("\nstage timings (s)\n" + f"{'set':<9}" + "".join(f"{s:>9}" for s in STAGES))
        print("\n".join(timing_rows))
    print("\ntargets: ECB+ B3 F1 >= 0.88 and P >= 0.95, analysis <= 45 s; BASIL F1 >= 0.92; mixed F1 >= 0.88")
    for failure in failures:
        print("MISSED:", failure)
    print("all targets met" if not failures else f"{len(failures)} target(s) missed")
    return 1 if failures else 0


def _check_seeds(analyze, embedder, linguist, settings) -> list[str]:  # type: ignore[no-untyped-def]
    from service.models.extractive import ExtractiveSummarizer
    from service.pipeline.types import ArticleInput

    paths = sorted((ROOT / "seeds").glob("*.txt"))
    inputs = [ArticleInput(id=p.stem, text=p.read_text(encoding="utf-8")) for p in paths]
    analysis = analyze(
        inputs, embedder=embedder, linguist=linguist, summarizer=ExtractiveSummarizer(), settings=settings
    )
    groups = sorted(sorted(i[:3] for i in c.article_ids) for c in analysis.clusters)
    expected = [["000", "002", "003"], ["001"], ["004"]]
    print(f"seeds: {groups} (expected {expected})")
    return [] if groups == expected else [f"seeds grouped as {groups}, expected {expected}"]


if __name__ == "__main__":
    raise SystemExit(main())
