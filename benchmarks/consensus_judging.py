"""Keep the consensus judgements in step with the service's output (method in benchmarks/README.md).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/consensus_judging.py dump /tmp/unjudged.json
    # readers judge the file (point kind; for each support: does it restate the point?), then
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/consensus_judging.py merge /tmp/unjudged.json /tmp/v.json --part 3
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/consensus_judging.py fit --parts 1 3   # refit, part 2 held out

``dump`` runs the BASIL dev stories as ``quality.py`` does and writes every consensus point (2+ independent
outlets) that has a support no reader has judged, with the point's and the supports' sentences, to a file
that must live OUTSIDE the repository (the eval texts stay in ../shared/eval). ``merge`` reads the readers'
verdicts (``[{"id", "point_kind", "supports": [{"sid", "restates", "why"}]}]``) and adds them to
tests/data/eval/consensus/basil-judgements.json as article ids and character offsets only: a new point
with its part, a new support of an already judged point with its own ``part``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaldata import ROOT, require_eval_dir, to_input
from quality import JUDGEMENTS, LABELS, dev_stories, load_judgements, load_labels, story_runner

JUDGEMENT_FILE = JUDGEMENTS / "basil-judgements.json"


def _offsets(quote: Any) -> dict[str, Any]:
    return {"article_id": quote.article_id, "start": quote.start, "end": quote.end}


def dump(out: Path) -> None:
    if out.resolve().is_relative_to(ROOT):
        sys.exit("dump: write outside the repository (the eval texts stay in ../shared/eval)")
    require_eval_dir("consensus_judging.py")
    run, _ = story_runner()
    judgements = load_judgements("basil")
    labels = load_labels(LABELS / "basil")
    items: list[dict[str, Any]] = []
    for event, articles in dev_stories("basil").items():
        if event not in labels:
            continue
        analysis = run([to_input(a) for a in articles])
        for point in (p for c in analysis.clusters for p in c.points if p.independent_sources >= 2):
            centre, *supports = point.support
            judged = judgements.get((centre.article_id, centre.start))
            known = {(s["article_id"], s["start"]) for s in judged["supports"]} if judged else set()
            open_supports = [s for s in supports if (s.article_id, s.start) not in known]
            if not open_supports:
                continue
            items.append(
                {
                    "id": len(items),
                    "story": event,
                    "needs_point_kind": judged is None,
                    "point": {**_offsets(centre), "text": centre.quote},
                    "supports": [{"sid": k, **_offsets(s), "text": s.quote} for k, s in enumerate(open_supports)],
                }
            )
    out.write_text(json.dumps(items, indent=1, ensure_ascii=False), encoding="utf-8")
    print(f"{len(items)} points with {sum(len(i['supports']) for i in items)} unjudged supports -> {out}")


def merge(dumped: Path, verdict_files: list[Path], part: int) -> None:
    items = {item["id"]: item for item in json.loads(dumped.read_text(encoding="utf-8"))}
    verdicts = [v for path in verdict_files for v in json.loads(path.read_text(encoding="utf-8"))]
    if sorted(v["id"] for v in verdicts) != sorted(items):
        sys.exit("merge: the verdicts do not cover the dumped points one to one")
    document = json.loads(JUDGEMENT_FILE.read_text(encoding="utf-8"))
    by_centre = {(p["point"]["article_id"], p["point"]["start"]): p for p in document["points"]}
    added_points = added_supports = 0
    for verdict in verdicts:
        item = items[verdict["id"]]
        by_sid = {s["sid"]: s for s in item["supports"]}
        if sorted(s["sid"] for s in verdict["supports"]) != sorted(by_sid):
            sys.exit(f"merge: point {verdict['id']}: the verdicts do not cover its supports one to one")
        supports = [
            {
                **{key: by_sid[s["sid"]][key] for key in ("article_id", "start", "end")},
                "restates": s["restates"],
                "why": s["why"],
            }
            for s in verdict["supports"]
        ]
        point = item["point"]
        existing = by_centre.get((point["article_id"], point["start"]))
        if existing is None:
            if verdict.get("point_kind") not in ("fact", "rhetoric"):
                sys.exit(f"merge: point {verdict['id']} needs a point_kind")
            entry = {
                "part": part,
                "story": item["story"],
                "point": {key: point[key] for key in ("article_id", "start", "end")},
                "point_kind": verdict["point_kind"],
                "supports": supports,
            }
            document["points"].append(entry)
            by_centre[(point["article_id"], point["start"])] = entry
            added_points += 1
        else:
            existing["supports"] += [{**s, "part": part} for s in supports]
        added_supports += len(supports)
    JUDGEMENT_FILE.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    print(f"added {added_points} points and {added_supports} supports (part {part}) to {JUDGEMENT_FILE}")


SIMILARITY_GRID = (0.6, 0.65, 0.7, 0.75)
CONTENT_GRID = (0.35, 0.4, 0.45, 0.5, 0.55)
DETAIL_SIMILARITY_GRID = (0.7, 0.75, 0.8, 0.85, 0.9)
DETAIL_CONTENT_GRID = (0.65, 0.7, 0.75, 0.8, 0.9)
TARGET = 0.9


def fit(fit_parts: set[int]) -> None:
    """The restating rules with the most judged supports kept at precision >= 0.9 on ``fit_parts`` (every judged
    pair, output now or not, scored with the service's MiniLM vectors and content overlap); the other parts are
    printed as held out."""
    import itertools

    from evaldata import load_articles

    from service.models.embeddings import MiniLMEmbedder
    from service.nlp.lexicon import content_overlap
    from service.pipeline.clean import clean_article
    from service.pipeline.consensus import RESTATES_RULES, restates_by

    require_eval_dir("consensus_judging.py")
    texts = {}
    for article in load_articles("basil"):
        cleaned = clean_article(to_input(article))
        texts[cleaned.id] = cleaned.text
    pairs: list[tuple[int, bool, str, str]] = []
    for point in json.loads(JUDGEMENT_FILE.read_text(encoding="utf-8"))["points"]:
        centre = point["point"]
        point_text = texts[centre["article_id"]][centre["start"] : centre["end"]]
        for support in point["supports"]:
            support_text = texts[support["article_id"]][support["start"] : support["end"]]
            pairs.append((support.get("part", point["part"]), support["restates"] == "yes", point_text, support_text))
    embedder = MiniLMEmbedder()
    similarity = (embedder.encode([p[2] for p in pairs]) * embedder.encode([p[3] for p in pairs])).sum(axis=1)
    overlaps = [content_overlap(p[2], p[3]) for p in pairs]
    parts = sorted({p[0] for p in pairs})

    def kept(rules: tuple[float, float, float, float], chosen: set[int]) -> tuple[int, int]:
        keep = [
            k for k, p in enumerate(pairs) if p[0] in chosen and restates_by(float(similarity[k]), overlaps[k], rules)
        ]
        return len(keep), sum(pairs[k][1] for k in keep)

    def report(name: str, rules: tuple[float, float, float, float]) -> None:
        figures = ", ".join(f"part {part} {kept(rules, {part})[1]}/{kept(rules, {part})[0]}" for part in parts)
        print(f"{name} {rules}: {figures}")

    grid = itertools.product(SIMILARITY_GRID, CONTENT_GRID, DETAIL_SIMILARITY_GRID, DETAIL_CONTENT_GRID)
    fitting = [(kept(rules, fit_parts), rules) for rules in grid]
    best = max(((y, -n), rules) for (n, y), rules in fitting if n and y / n >= TARGET)[1]
    report("current", RESTATES_RULES)
    report(f"best on parts {sorted(fit_parts)}", best)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dump_parser = commands.add_parser("dump", help="write the unjudged consensus output (outside the repository)")
    dump_parser.add_argument("out", type=Path)
    merge_parser = commands.add_parser("merge", help="add readers' verdicts to the judgements file")
    merge_parser.add_argument("dumped", type=Path)
    merge_parser.add_argument("verdicts", type=Path, nargs="+")
    merge_parser.add_argument("--part", type=int, required=True)
    fit_parser = commands.add_parser("fit", help="fit the restating rules on some judged parts, the rest held out")
    fit_parser.add_argument("--parts", type=int, nargs="+", required=True)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out)
    elif args.command == "merge":
        merge(args.dumped, args.verdicts, args.part)
    else:
        fit(set(args.parts))


if __name__ == "__main__":
    main()
