"""Consensus summaries against editors' reference summaries (AllSides roundups, NeuS): ROUGE-1/2/Lsum.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/summaries.py                       # all 307 val stories
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/summaries.py --sample 100          # CI size (seeded sample)
    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/summaries.py --split train --sample 300   # for tuning

Each story is three outlets' excerpts (left, centre, right) with a neutral summary written by AllSides
editors (``reference_summary``). Every system gets the same three texts and the same word budget
(``--max-words``, default 80) and is scored with Google's rouge-score (F1, Porter stemming; Lsum over
sentences split one per line):

- service: the whole analysis as one story (``group_events=false``), extractive summarizer (no seq2seq
  weights on this machine: the same selected sentences are what a seq2seq model is given);
- first sentence of each outlet, in order, cut to the budget;
- LexRank and TextRank (sumy), ranking all sentences of the three texts, taken in rank order while they
  fit the budget.

Target (issue 13): the service above every baseline on ROUGE-1 and ROUGE-2, ROUGE-1 >= 40 at 80 words.
``--check`` exits 1 when that is missed. Data: ../shared/eval/neus-{val,train}.jsonl (skipped when absent).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from evaldata import require_eval_dir

_WORD = re.compile(r"\w[\w'’-]*", re.UNICODE)


class _Tokenizer:
    """sumy's tokenizer interface over the service's sentence splitter (sumy's own needs NLTK data)."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        from service.pipeline.sentences import split_text

        return split_text(paragraph)

    def to_words(self, sentence: str) -> list[str]:
        return _WORD.findall(sentence)


def _fit(sentences: Sequence[str], max_words: int) -> list[str]:
    """Whole sentences in the given order while they fit the budget (a first one longer is cut)."""
    chosen: list[str] = []
    words = 0
    for sentence in sentences:
        length = len(sentence.split())
        if words + length > max_words:
            if not chosen:
                chosen.append(" ".join(sentence.split()[:max_words]))
                break
            continue
        chosen.append(sentence)
        words += length
    return chosen


def lead_baseline(texts: Sequence[str], max_words: int) -> list[str]:
    from service.pipeline.sentences import split_text

    firsts = [split_text(t)[0] for t in texts if split_text(t)]
    out: list[str] = []
    words = 0
    for sentence in firsts:
        remaining = max_words - words
        if remaining <= 0:
            break
        piece = " ".join(sentence.split()[:remaining])
        out.append(piece)
        words += len(piece.split())
    return out


def sumy_baseline(kind: str) -> Callable[[Sequence[str], int], list[str]]:
    from sumy.nlp.stemmers import Stemmer
    from sumy.parsers.plaintext import PlaintextParser
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    summarizer = (LexRankSummarizer if kind == "lexrank" else TextRankSummarizer)(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")

    def run(texts: Sequence[str], max_words: int) -> list[str]:
        document = PlaintextParser.from_string("\n\n".join(texts), _Tokenizer()).document
        count = len(document.sentences)
        ranked = summarizer(document, count)  # sumy returns the chosen sentences in document order
        ratings = summarizer.rate_sentences(document) if hasattr(summarizer, "rate_sentences") else None
        if ratings:
            ranked = sorted(document.sentences, key=lambda s: -ratings[s])
        return _fit([str(s) for s in ranked], max_words)

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="val", choices=["val", "train"])
    parser.add_argument("--sample", type=int, default=0, help="stories, seeded random sample (0: all)")
    parser.add_argument("--max-words", type=int, default=80)
    parser.add_argument("--check", action="store_true", help="exit 1 when the service misses the target")
    parser.add_argument("--systems", default="service,lead,lexrank,textrank")
    args = parser.parse_args()
    folder = require_eval_dir("summaries")

    from rouge_score import rouge_scorer

    from service.models.embeddings import MemoEmbedder, MiniLMEmbedder
    from service.models.extractive import ExtractiveSummarizer
    from service.nlp.linguist import shared_linguist
    from service.pipeline.analyze import analyze
    from service.pipeline.sentences import split_text
    from service.pipeline.types import ArticleInput
    from service.settings import Settings

    rows = [json.loads(line) for line in (folder / f"neus-{args.split}.jsonl").open(encoding="utf-8")]
    if args.sample and args.sample < len(rows):
        rows = random.Random(13).sample(rows, args.sample)
    settings = Settings()
    embedder = MemoEmbedder(MiniLMEmbedder(device=settings.device, dtype=settings.dtype))
    linguist = shared_linguist(settings.spacy_model, settings.parse_processes)

    def service(story: dict[str, Any]) -> list[str]:
        inputs = [ArticleInput(id=a["id"], title=a.get("title"), text=a["text"]) for a in story["articles"]]
        analysis = analyze(
            inputs,
            embedder=embedder,
            linguist=linguist,
            summarizer=ExtractiveSummarizer(),
            settings=settings,
            group_events=False,
            max_summary_words=args.max_words,
        )
        return [s.text for c in analysis.clusters for s in c.summary.sentences] or [
            c.summary.text for c in analysis.clusters
        ]

    systems: dict[str, Callable[[dict[str, Any]], list[str]]] = {
        "service": service,
        "lead": lambda story: lead_baseline([a["text"] for a in story["articles"]], args.max_words),
    }
    for kind in ("lexrank", "textrank"):
        ranker = sumy_baseline(kind)
        systems[kind] = lambda story, ranker=ranker: ranker([a["text"] for a in story["articles"]], args.max_words)
    wanted = [s.strip() for s in args.systems.split(",") if s.strip()]
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    totals: dict[str, list[float]] = {name: [0.0, 0.0, 0.0, 0.0, 0.0] for name in wanted}
    for story in rows:
        reference = "\n".join(split_text(story["reference_summary"]))
        for name in wanted:
            started = time.perf_counter()
            sentences = systems[name](story)
            elapsed = time.perf_counter() - started
            scores = scorer.score(reference, "\n".join(sentences))
            t = totals[name]
            t[0] += scores["rouge1"].fmeasure
            t[1] += scores["rouge2"].fmeasure
            t[2] += scores["rougeLsum"].fmeasure
            t[3] += sum(len(s.split()) for s in sentences)
            t[4] += elapsed
    n = len(rows)
    print(f"NeuS {args.split}: {n} stories, budget {args.max_words} words; ROUGE F1 x 100 (rouge-score, stemmed)")
    print(f"{'system':<10}{'R-1':>7}{'R-2':>7}{'R-Lsum':>8}{'words':>7}{'s/story':>9}")
    for name in wanted:
        r1, r2, rl, words, seconds = (v / n for v in totals[name])
        print(f"{name:<10}{100 * r1:>7.1f}{100 * r2:>7.1f}{100 * rl:>8.1f}{words:>7.1f}{seconds:>9.3f}")
    if "service" in totals:
        service_r1, service_r2 = totals["service"][0] / n, totals["service"][1] / n
        baselines = [name for name in wanted if name != "service"]
        beaten = all(service_r1 > totals[b][0] / n and service_r2 > totals[b][1] / n for b in baselines)
        print(
            f"service beats every baseline on R-1 and R-2: {'yes' if beaten else 'NO'}; "
            f"R-1 {100 * service_r1:.1f} (target >= 40)"
        )
        if args.check and (not beaten or service_r1 < 0.40):
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
