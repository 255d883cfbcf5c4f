"""Keep the consensus judgements in step with the service's output (method in benchmarks/README.md).

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/consensus_judging.py dump /tmp/unjudged.json
    # readers judge the file (point kind; for each support: does it restate the point?), then
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/consensus_judging.py merge /tmp/unjudged.json /tmp/v.json --part 3

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    dump_parser = commands.add_parser("dump", help="write the unjudged consensus output (outside the repository)")
    dump_parser.add_argument("out", type=Path)
    merge_parser = commands.add_parser("merge", help="add readers' verdicts to the judgements file")
    merge_parser.add_argument("dumped", type=Path)
    merge_parser.add_argument("verdicts", type=Path, nargs="+")
    merge_parser.add_argument("--part", type=int, required=True)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.out)
    else:
        merge(args.dumped, args.verdicts, args.part)


if __name__ == "__main__":
    main()
