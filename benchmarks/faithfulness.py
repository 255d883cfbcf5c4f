"""How well the faithfulness guard separates backed summary sentences from unbacked ones.

No reference summaries with faithfulness labels exist for this project yet, so the labelled set is
built from the seed clusters' own consensus points, which the guard must let through:
- backed: each consensus point as written, and the point cut to its first clause;
and, from each point, sentences a summarizer might wrongly write, which the guard must remove:
- a number changed (every number in the point multiplied by 1.5),
- a weekday or month changed,
- a person named who is in no source,
- a sentence from an unrelated story (the March report, seed 004, which is not in the cluster).
It then runs the guard on what the configured summarizer really writes (NEWSFUSE_MODEL; with the
random-weight model the tests use, everything it writes should go).

    python benchmarks/faithfulness.py
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

WEEKDAY_SWAP = {
    "Monday": "Thursday",
    "Tuesday": "Friday",
    "Wednesday": "Saturday",
    "Thursday": "Sunday",
    "Friday": "Monday",
    "January": "July",
    "February": "August",
    "March": "September",
    "December": "June",
}
INVENTED_PERSON = "Chancellor Otto Brennecke"


def _changed_number(text: str) -> str | None:
    numbers = list(re.finditer(r"\d[\d,]*", text))
    if not numbers:
        return None
    out = text
    for m in reversed(numbers):
        value = int(m.group().replace(",", "")) * 3 // 2 + 1
        out = out[: m.start()] + f"{value:,}" + out[m.end() :]
    return out


def _changed_date(text: str) -> str | None:
    for word, other in WEEKDAY_SWAP.items():
        if re.search(rf"\b{word}\b", text):
            return re.sub(rf"\b{word}\b", other, text)
    return None


def _first_clause(text: str) -> str | None:
    head = re.split(r",\s|;\s", text)[0].rstrip(".") + "."
    return head if len(head.split()) >= 6 and head != text else None


def main() -> int:
    from service.models.embeddings import MiniLMEmbedder
    from service.models.extractive import ExtractiveSummarizer
    from service.models.loader import load_summarizer
    from service.pipeline.analyze import analyze
    from service.pipeline.faithfulness import unsupported
    from service.pipeline.types import ArticleInput
    from service.settings import Settings

    raw = {p.stem: p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))}
    embedder = MiniLMEmbedder()
    settings = Settings()
    analysis = analyze(
        [ArticleInput(id=i, text=t) for i, t in raw.items()],
        embedder=embedder,
        summarizer=ExtractiveSummarizer(),
        settings=settings,
    )
    cluster = max(analysis.clusters, key=lambda c: c.independent_sources)
    points = list(cluster.points)
    outside = [c for c in analysis.clusters if c.id != cluster.id]
    unrelated = [p.text for c in outside for p in c.points][:4]

    backed: list[str] = []
    unbacked: dict[str, list[str]] = {
        "number changed": [],
        "date changed": [],
        "invented person": [],
        "unrelated story": unrelated,
    }
    # Every supporting quote is backed by definition (it is in a source); variants are made from them
    # too, so that numbers and dates, which few consensus points carry, are tested.
    quotes = list(dict.fromkeys([p.text for p in points] + [s.quote for p in points for s in p.support]))
    for text in quotes:
        backed.append(text)
        if clause := _first_clause(text):
            backed.append(clause)
        if changed := _changed_number(text):
            unbacked["number changed"].append(changed)
        if changed := _changed_date(text):
            unbacked["date changed"].append(changed)
        unbacked["invented person"].append(f"{INVENTED_PERSON} said that {text[0].lower()}{text[1:]}")

    threshold = settings.guard_similarity
    kept_backed = sum(1 for _, reasons in unsupported(backed, points, embedder, threshold) if not reasons)
    print(
        f"cluster {cluster.id}: {len(points)} consensus points, {cluster.independent_sources} sources; "
        f"guard similarity {threshold}"
    )
    print(f"{'sentences':<22}{'n':>4}{'removed':>9}{'rate':>7}")
    print(
        f"{'backed (must stay)':<22}{len(backed):>4}{len(backed) - kept_backed:>9}"
        f"{(len(backed) - kept_backed) / len(backed):>7.2f}"
    )
    caught_all = total_all = 0
    for kind, sentences in unbacked.items():
        verdicts = unsupported(sentences, points, embedder, threshold)
        caught = sum(1 for _, reasons in verdicts if reasons)
        caught_all += caught
        total_all += len(sentences)
        print(f"{kind:<22}{len(sentences):>4}{caught:>9}{caught / max(1, len(sentences)):>7.2f}")
    print(f"{'all unbacked':<22}{total_all:>4}{caught_all:>9}{caught_all / max(1, total_all):>7.2f}")
    print("targets: backed removal rate 0.00; unbacked removal rate as close to 1.00 as possible")

    model = os.environ.get("NEWSFUSE_MODEL")
    if model is None:
        from service.models.random_init import build_t5

        model = str(build_t5(Path(tempfile.mkdtemp()) / "t5", raw.values(), shape="tiny"))
    summarizer = load_summarizer(Settings(model=model))
    full = analyze(
        [ArticleInput(id=i, text=t) for i, t in raw.items()],
        embedder=embedder,
        summarizer=summarizer,
        settings=settings,
    )
    generated = sum(
        len(c.summary.removed) + (len(c.summary.sentences) if c.summary.mode == "abstractive" else 0)
        for c in full.clusters
    )
    removed = sum(len(c.summary.removed) for c in full.clusters)
    print(
        f"\nsummarizer {summarizer.name} ({summarizer.mode}): {removed} of {generated} generated sentences "
        f"removed by the guard ({removed / max(1, generated):.2f})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
