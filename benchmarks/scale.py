"""Scale of near-duplicate removal and event grouping: wall time, peak memory and duplicate detection quality.

    python benchmarks/scale.py                    # dedup and grouping of batches of 10k and 100k articles
    python benchmarks/scale.py --sizes 1000,10000 --grouping-sizes 1000,10000
    python benchmarks/scale.py --sizes "" --embedder minilm --grouping-sizes 500,2000   # real model (slow)
    python benchmarks/scale.py --engine ray      # the batch command end to end, in-process vs local Ray, 10k+100k
    python benchmarks/scale.py --engine ray --engine-sizes 2000    # a quick look

``--engine ray`` runs ``python -m service batch`` on the corpus as JSON lines twice per size, in-process and
on a local Ray cluster (all CPUs), checks that both wrote the same stories, and prints wall time, throughput,
the peak memory of every process (the driver and each Ray worker, from the batch summary) and the growth from
the first size to the last. On CPU the stand-in embedder is used there too (``--embedder``; real MiniLM at
100k on 2 cores takes over an hour) and the summarizer is the extractive fallback (no seq2seq weights here).

How the corpus is built (honestly: it is synthetic text made from five real articles, not a news crawl):

- The five seeds (seeds/*.txt) are cleaned with ``clean_article`` and split into sentences (66) and
  clauses (cut at commas and semicolons).
- An *event* draws its own cast and setting: every person name, place, organisation, number, month and
  weekday of the seeds is replaced by one drawn from lists below (so reports of one event share names,
  and different events do not), plus a date in 2021-2023 (10% undated).
- A *report* (a distinct story) of an event is 8-16 sentences, half of them seed sentences and half
  new sentences spliced from two clauses of different seed sentences, in random order and paragraphs;
  then ~12% of words are varied (synonyms from a small table, dropped fillers, inserted adverbs) and
  numbers are redrawn per report. With only 66 seed sentences, two reports still share some passages,
  like real coverage of one topic, but measured Jaccard of 3-word shingles between distinct reports is
  low (see ``--check``); 1-3 reports per event, dates within a day.
- Hard negatives: 10% of events are *follow-ups* (the same cast weeks later) whose report reuses half of
  the sentences of an earlier report verbatim (shingle Jaccard about 0.3-0.5: related, not a copy).
- *Syndicated copies* of a report (about 40% of reports get 1-4): a new headline and source, and 15%
  exact (case/spacing changes only), 75% light edits (one or two words changed, or one sentence
  dropped, a dateline or a "Copyright 2022 Some Wire. All rights reserved." line added), 10% heavier
  edits (two sentences dropped and four words changed: Jaccard near the 0.7 threshold, where MinHash
  with 128 permutations starts to miss).
- Ground truth: every copy knows its report. Precision and recall are *pairwise*: over all pairs of
  articles, "in one predicted duplicate group" against "copies of one report".

Every stage runs in its own subprocess (corpus loaded from a pickle first), so its peak memory
(ru_maxrss) is its own; "+mem" is the peak minus the resident size just before the stage (corpus
included in "peak", not in "+mem").

Grouping splits only each article's opening into sentences (its lead), embeds the leads with
all-MiniLM-L6-v2, and runs spaCy's NER over them (``NER s``, the real model at every size). MiniLM on 2
CPU cores is slow at 100k, so by default grouping runs with a stand-in embedder (hashed word and bigram
counts, unit length, 384 dims) that makes the clustering code (candidates, scoring, linkage) do exactly its
real work, and MiniLM's own throughput is measured on a sample (``--minilm-sample``) and projected
linearly to each size. "embedded" is how many texts grouping asked for, "embed s" the model's time and
"cluster s" the rest (features, candidates, linkage). ``--embedder minilm`` runs the real
model throughout. Grouping runs on what the pipeline gives it: the distinct reports of a batch of
``--grouping-sizes`` articles (its syndicated copies removed, as dedup would). Event-grouping
precision/recall against the generator's events are printed as a sanity check only (with the stand-in
embedder they say little about quality).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from service.models.embeddings import HashingEmbedder  # noqa: E402
from service.pipeline.clean import clean_article  # noqa: E402
from service.pipeline.types import ArticleInput, CleanArticle, CleanedText, Segment  # noqa: E402

FIRST = """James Maria Olena Ahmed Li Wei Sofia Pedro Yuki Amara Lars Ingrid Rahul Priya Tomasz Agnieszka Kwame Nia
Diego Camila Omar Leila Hans Greta Ivan Katarina Mateo Lucia Kenji Aiko Samuel Ruth Elif Murat Chen Mei Arjun Divya
Pierre Camille Marco Giulia Jonas Emma Ali Fatima Viktor Anna Paolo Elena Mikhail Daria Jorge Ana Hiro Sara""".split()
LAST = """Okafor Lindqvist Moreau Tanaka Kowalski Haddad Novak Castillo Mensah Petrov Schneider Rossi Nakamura Ibrahim
Andersson Dubois Kim Silva Costa Yilmaz Horvat Jensen Murphy Fischer Romero Sato Mwangi Popescu Varga Lehmann
Bianchi Suzuki Nowak Abubakar Larsen Ferreira Duarte Weber Morozov Takahashi Banerjee Osei Halvorsen Garcia
Demir Kovacs Laurent Moretti Fujita Eriksen Aguilar Bakker Chowdhury Ortiz Sandoval Keller Hoffmann Ivanova
Park Nguyen Tran Ali Khan Shah Mehta Reyes Cruz Vargas Navarro Ramos Molina Santos Pereira Rocha Alves""".split()
COUNTRIES = """Norway Chile Kenya Vietnam Poland Brazil Egypt Canada Peru Ghana Finland Mexico Turkey Japan India
Austria Morocco Colombia Ireland Indonesia Greece Portugal Nigeria Argentina Thailand Sweden Tunisia Ecuador Latvia
Senegal Uruguay Malaysia Croatia Iceland Jordan Denmark Bolivia Slovakia Zambia Paraguay""".split()
CITIES = """Oslo Santiago Nairobi Hanoi Warsaw Brasilia Cairo Ottawa Lima Accra Helsinki Lisbon Ankara Osaka Delhi
Vienna Rabat Bogota Dublin Jakarta Athens Lagos Bangkok Stockholm Tunis Quito Riga Dakar Montevideo Zagreb Amman
Copenhagen Lusaka Asuncion Bratislava Reykjavik""".split()
ORGS = """ASEAN Mercosur OECD Interpol UNESCO OPEC WHO IMF WTO ECOWAS""".split()
MONTHS = "January February March April May June July August September October November December".split()
DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
SOURCES = """Some Wire|Daily Ledger|Morning Courier|Global Dispatch|Evening Standard|City Herald|News Agency|
Metro Times|The Observer Post|Valley Gazette|Coastal Tribune|National Chronicle""".replace("\n", "").split("|")

PEOPLE_FIRST = r"Antony|Anthony|Sergei|Sergey|Joe|Vladimir|Ned|Deng|Hao|Emmanuel|Olaf|Boris|Volodymyr|Jen|Dmitry"
PEOPLE_LAST = (
    r"Blinken|Lavrov|Biden|Putin|Price|Pricey|Xianlai|Tang|Chen|Macron|Scholz|Johnson|Zelensky|Zelenskyy|Psaki|Peskov"
)
PLACES = r"Ukraine|Russia|Geneva|Washington|Moscow|Kyiv|Kiev|Europe|Belarus|Crimea|Donbas|China|Beijing|Germany|France"
ADJECTIVES = r"Ukrainian|Russian|American|European|Chinese|German|French|Belarusian|Soviet"
ORG_NAMES = r"NATO|Kremlin|Pentagon|OSCE|EU|UN|U\.N\.|U\.S\.|US|USA|United States|Security Council|State Department"
_ENTITY = re.compile(
    rf"\b(?:(?P<first>{PEOPLE_FIRST})|(?P<last>{PEOPLE_LAST})|(?P<place>{PLACES})|(?P<adj>{ADJECTIVES})"
    rf"|(?P<org>{ORG_NAMES})|(?P<month>{'|'.join(MONTHS)})|(?P<day>{'|'.join(DAYS)}))\b"
)
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
SYNONYMS = {
    "said": ["said", "stated", "told reporters", "added", "noted", "declared"],
    "says": ["says", "states", "notes", "argues"],
    "talks": ["talks", "negotiations", "discussions", "consultations"],
    "conversation": ["conversation", "exchange", "discussion", "dialogue"],
    "meeting": ["meeting", "session", "encounter", "summit"],
    "security": ["security", "safety", "defence", "stability"],
    "support": ["support", "backing", "commitment", "solidarity"],
    "troops": ["troops", "soldiers", "forces", "units"],
    "border": ["border", "frontier", "boundary", "line"],
    "crisis": ["crisis", "standoff", "dispute", "conflict"],
    "tensions": ["tensions", "frictions", "strains", "hostilities"],
    "urged": ["urged", "pressed", "called on", "asked"],
    "discussed": ["discussed", "addressed", "reviewed", "examined"],
    "issued": ["issued", "released", "published", "put out"],
    "statement": ["statement", "release", "communique", "note"],
    "diplomatic": ["diplomatic", "political", "negotiated", "peaceful"],
    "military": ["military", "armed", "defence", "army"],
    "response": ["response", "reply", "answer", "counterproposal"],
    "proposal": ["proposal", "plan", "offer", "draft"],
    "officials": ["officials", "diplomats", "aides", "representatives"],
    "important": ["important", "significant", "key", "major"],
    "continue": ["continue", "pursue", "keep up", "maintain"],
    "immediately": ["immediately", "urgently", "swiftly", "promptly"],
    "concerns": ["concerns", "worries", "fears", "objections"],
    "the": ["the", "the", "the", "the", "this"],
}
FILLERS = ["also", "reportedly", "recently", "again", "now", "further", "publicly", "formally", "still", "firmly"]
BOILERPLATE = [
    "Copyright 2022 Some Wire. All rights reserved.",
    "This article was first published by Global Dispatch.",
    "Reporting by the newsroom; editing by the desk.",
    "(c) 2022 News Agency. May not be republished without permission.",
]


@dataclass(frozen=True)
class Item:
    article: CleanArticle
    report: int
    event: int
    is_copy: bool


def _seed_material() -> tuple[list[str], list[str]]:
    from service.pipeline.sentences import split_sentences

    sentences: list[str] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        article = clean_article(ArticleInput(id=path.stem, text=path.read_text(encoding="utf-8")))
        sentences.extend(s.text for s in split_sentences(article) if len(s.text.split()) >= 6)
    clauses = [c.strip(" .") for s in sentences for c in re.split(r"[,;]\s+", s) if len(c.split()) >= 4]
    return sentences, clauses


def _cast(rng: random.Random) -> dict[str, list[str]]:
    return {
        "first": rng.sample(FIRST, 4),
        "last": rng.sample(LAST, 6),
        "place": rng.sample(COUNTRIES, 3) + rng.sample(CITIES, 3),
        "adj": [c + "n" if not c.endswith("n") else c + "ese" for c in rng.sample(COUNTRIES, 3)],
        "org": rng.sample(ORGS, 3),
        "month": rng.sample(MONTHS, 2),
        "day": rng.sample(DAYS, 2),
    }


def _substitute(text: str, cast: dict[str, list[str]], rng: random.Random) -> str:
    def entity(match: re.Match[str]) -> str:
        kind = match.lastgroup or "place"
        options = cast[kind]
        return options[zlib.crc32(match.group().encode()) % len(options)]

    text = _ENTITY.sub(entity, text)
    return _NUMBER.sub(lambda m: str(rng.randint(2, 2000)), text)


def _vary_words(text: str, rng: random.Random, rate: float) -> str:
    words = text.split(" ")
    out: list[str] = []
    for word in words:
        r = rng.random()
        key = word.lower()
        if r < rate and key in SYNONYMS:
            out.append(rng.choice(SYNONYMS[key]))
        elif r < rate * 0.4 and key in ("the", "a", "and", "that", "of") and out:
            continue
        else:
            out.append(word)
        if rng.random() < rate * 0.25:
            out.append(rng.choice(FILLERS))
    return " ".join(out)


def _report_sentences(rng: random.Random, sentences: list[str], clauses: list[str]) -> list[str]:
    out = []
    for _ in range(rng.randint(8, 16)):
        if rng.random() < 0.5:
            out.append(rng.choice(sentences))
        else:
            first, second = rng.sample(clauses, 2)
            out.append(f"{first}, while {second[0].lower()}{second[1:]}.")
    return out


def _paragraphs(sentences: list[str], rng: random.Random) -> str:
    paragraphs, current = [], []
    for s in sentences:
        current.append(s)
        if rng.random() < 0.45:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


def _article(ident: str, text: str, title: str, source: str, day: date | None) -> CleanArticle:
    return CleanArticle(
        id=ident,
        source=source,
        title=title,
        url=None,
        published_at=day,
        text=text,
        raw=text,
        cleaned=CleanedText(text=text, segments=(Segment(0, 0, len(text)),)),
    )


def _edit_copy(sentences: list[str], rng: random.Random) -> tuple[str, str]:
    """A syndicated copy: (kind, text)."""
    roll = rng.random()
    sents = list(sentences)
    if roll < 0.15:
        text = " ".join(sents)
        return "exact", text.upper() if rng.random() < 0.5 else text.replace(". ", ".  ")
    heavy = roll >= 0.9
    ops = ["words", "drop", "boiler", "dateline"]
    chosen = ops if heavy else rng.sample(ops, rng.randint(1, 2))
    if "drop" in chosen and len(sents) >= 10:
        sents.pop(rng.randrange(1, len(sents)))
    text = " ".join(sents)
    if "words" in chosen:
        words = text.split(" ")
        for _ in range(3 if heavy else rng.randint(1, 2)):
            k = rng.randrange(len(words))
            words[k] = rng.choice([*FILLERS, "officials", "sources", "leaders"])
        text = " ".join(words)
    if "dateline" in chosen:
        text = f"{rng.choice(CITIES).upper()} ({rng.choice(SOURCES)}) — {text}"
    if "boiler" in chosen:
        text = f"{text}\n\n{rng.choice(BOILERPLATE)}"
    return ("heavy" if heavy else "light"), text


def build_corpus(n: int, seed: int) -> list[Item]:
    rng = random.Random(seed)
    sentences, clauses = _seed_material()
    items: list[Item] = []
    history: list[tuple[dict[str, list[str]], list[str], date | None]] = []
    report = event = 0
    while len(items) < n:
        follow_up = bool(history) and rng.random() < 0.1
        if follow_up:
            cast, previous, old_day = rng.choice(history)
            day = old_day + timedelta(days=rng.randint(14, 60)) if old_day else None
        else:
            cast = _cast(rng)
            day = date(2021, 1, 1) + timedelta(days=rng.randrange(3 * 365)) if rng.random() >= 0.1 else None
        reports = 1 if follow_up else rng.choices([1, 2, 3], weights=[60, 25, 15])[0]
        for _ in range(reports):
            body = [
                _vary_words(_substitute(x, cast, rng), rng, 0.35) for x in _report_sentences(rng, sentences, clauses)
            ]
            if follow_up:
                keep = rng.sample(previous, len(previous) // 2)
                body = keep + body[: max(4, len(previous) - len(keep))]
                rng.shuffle(body)
            report_day = day + timedelta(days=rng.randint(0, 1)) if day else None
            history.append((cast, body, report_day))
            name = f"{cast['first'][0]} {cast['last'][0]}"
            verb = rng.choice(["hold", "discuss", "review"])
            topic = rng.choice(["talks", "call", "crisis", "security"])
            title = f"{name} and {cast['last'][1]} {verb} {cast['place'][0]} {topic}"
            source = rng.choice(SOURCES)
            text = _paragraphs(body, rng)
            items.append(Item(_article(f"r{report}", text, title, source, report_day), report, event, False))
            if rng.random() < 0.35:
                for c in range(rng.choices([1, 2, 3, 4], weights=[50, 25, 15, 10])[0]):
                    _, copy_text = _edit_copy(body, rng)
                    copy_title = f"{rng.choice(['UPDATE', 'WORLD', 'Breaking', 'Diplomacy'])}: {title.lower()}"
                    copy_day = report_day + timedelta(days=rng.randint(0, 1)) if report_day else None
                    copy = _article(f"r{report}c{c}", copy_text, copy_title, rng.choice(SOURCES), copy_day)
                    items.append(Item(copy, report, event, True))
            report += 1
        event += 1
    items = items[:n]
    rng.shuffle(items)
    return items


def _pairs_same(labels: Sequence[int]) -> int:
    return sum(c * (c - 1) // 2 for c in Counter(labels).values())


def pairwise_scores(truth: Sequence[int], predicted: Sequence[int]) -> tuple[float, float]:
    """Pairwise precision and recall of ``predicted`` grouping against ``truth``."""
    both = _pairs_same(list(zip(truth, predicted, strict=True)))  # type: ignore[arg-type]
    pred, true = _pairs_same(predicted), _pairs_same(truth)
    return (both / pred if pred else 1.0), (both / true if true else 1.0)


class TimedEmbedder:
    """Embeds what grouping asks for, as in the service (the leads only), and keeps the model's time apart
    from the clustering's."""

    def __init__(self, inner: Any) -> None:
        self.name = inner.name
        self._inner = inner
        self.seconds = 0.0
        self.texts = 0

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        start = time.perf_counter()
        vectors: NDArray[np.float32] = self._inner.encode(texts)
        self.seconds += time.perf_counter() - start
        self.texts += len(texts)
        return vectors


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load(path: Path) -> list[Item]:
    with path.open("rb") as f:
        items: list[Item] = pickle.load(f)
    return items


def _shingle_jaccard(a: str, b: str, size: int = 3) -> float:
    from service.pipeline.dedup import normalise

    def shingles(text: str) -> set[str]:
        w = normalise(text).split()
        return {" ".join(w[i : i + size]) for i in range(max(1, len(w) - size + 1))}

    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y)


def stage_dedup(path: Path) -> dict[str, Any]:
    from service.pipeline.dedup import near_duplicates
    from service.settings import Settings

    items = _load(path)
    settings = Settings()
    articles = [it.article for it in items]
    before = _rss_mb()
    start = time.perf_counter()
    result = near_duplicates(
        articles,
        threshold=settings.dedup_threshold,
        shingle_words=settings.dedup_shingle_words,
        num_perm=settings.dedup_num_perm,
        batch_chars=settings.dedup_batch_chars,
        workers=settings.dedup_workers,
    )
    wall = time.perf_counter() - start
    peak = _maxrss_mb()
    group_of = {a.id: i for i, a in enumerate(articles)}
    for g_index, g in enumerate(result.groups):
        for ident in (g.kept, *g.copies):
            group_of[ident] = len(articles) + g_index
    precision, recall = pairwise_scores([it.report for it in items], [group_of[a.id] for a in articles])
    copies = [it for it in items if it.is_copy]
    original = {it.report: it.article for it in items if not it.is_copy}
    found = reachable = found_reachable = linked = 0
    for it in copies:
        if it.report not in original:
            continue
        linked += 1
        same = group_of[it.article.id] == group_of[original[it.report].id]
        found += same
        if _shingle_jaccard(it.article.text, original[it.report].text) >= settings.dedup_threshold:
            reachable += 1
            found_reachable += same
    return {
        "copy_recall": found / max(1, linked),
        "copy_recall_reachable": found_reachable / max(1, reachable),
        "unreachable": linked - reachable,
        "n": len(items),
        "wall_s": wall,
        "peak_mb": peak,
        "delta_mb": max(0.0, peak - before),
        "precision": precision,
        "recall": recall,
        "copies": len(copies),
        "groups": len(result.groups),
        "kept": len(result.kept),
        "chars_mb": sum(len(a.text) for a in articles) / 2**20,
    }


class TimedLinguist:
    """spaCy's NER over the leads, timed apart from the rest of grouping."""

    def __init__(self, inner: Any) -> None:
        self.name = inner.name
        self._inner = inner
        self.seconds = 0.0

    def entities(self, texts: Sequence[str]) -> Any:
        start = time.perf_counter()
        found = self._inner.entities(texts)
        self.seconds += time.perf_counter() - start
        return found


def stage_grouping(path: Path, size: int, embedder_kind: str) -> dict[str, Any]:
    from service.nlp.linguist import shared_linguist
    from service.pipeline.grouping import event_clusters, grouping_params, lead_sentences
    from service.settings import Settings

    batch = _load(path)
    items = [it for it in batch if not it.is_copy]  # what dedup keeps of the batch
    batch_size = len(batch)
    del batch
    if size:
        items = items[:size]
    articles = [it.article for it in items]
    params = grouping_params(Settings())
    out: dict[str, Any] = {"batch": batch_size, "n": len(articles), "embedder": embedder_kind}
    start = time.perf_counter()
    leads = [lead_sentences(a) for a in articles]
    out["split_s"] = time.perf_counter() - start

    if embedder_kind == "minilm":
        from service.models.embeddings import MiniLMEmbedder

        model: Any = MiniLMEmbedder()
    else:
        model = HashingEmbedder()
    timed = TimedEmbedder(model)
    linguist = TimedLinguist(shared_linguist())
    before = _rss_mb()
    start = time.perf_counter()
    clusters = event_clusters(articles, timed, linguist, params, sentences=leads)  # type: ignore[arg-type]
    out["embed_s"] = timed.seconds
    out["ner_s"] = linguist.seconds
    out["cluster_s"] = time.perf_counter() - start - timed.seconds - linguist.seconds
    out["texts"] = timed.texts
    out["peak_mb"] = _maxrss_mb()
    out["delta_mb"] = max(0.0, out["peak_mb"] - before)
    label = {a.id: k for k, c in enumerate(clusters) for a in c}
    out["clusters"] = len(clusters)
    out["largest"] = max(len(c) for c in clusters)
    out["precision"], out["recall"] = pairwise_scores([it.event for it in items], [label[a.id] for a in articles])
    return out


def stage_minilm(path: Path, sample: int) -> dict[str, Any]:
    from service.models.embeddings import MiniLMEmbedder
    from service.pipeline.grouping import LEAD_SENTENCES
    from service.pipeline.sentences import split_sentences

    articles = [it.article for it in _load(path) if not it.is_copy][:sample]
    sentences = [split_sentences(a) for a in articles]
    leads = [
        f"{a.title or ''}\n" + " ".join(x.text for x in s[:LEAD_SENTENCES])
        for a, s in zip(articles, sentences, strict=True)
    ]
    sents = [x.text for s in sentences for x in s]
    model = MiniLMEmbedder()
    model.encode(leads[:8])
    start = time.perf_counter()
    model.encode(leads)
    lead_s = time.perf_counter() - start
    start = time.perf_counter()
    model.encode(sents)
    sent_s = time.perf_counter() - start
    return {
        "articles": len(articles),
        "leads_per_s": len(leads) / lead_s,
        "sentences_per_s": len(sents) / sent_s,
        "sentences_per_article": len(sents) / len(articles),
    }


def check_corpus(path: Path) -> dict[str, Any]:
    """Shingle Jaccard between random distinct reports, follow-ups and copies (exact, on sets)."""
    items = _load(path)
    rng = random.Random(1)
    jac = _shingle_jaccard

    originals = [it for it in items if not it.is_copy]
    by_report = {it.report: it for it in originals}
    distinct = [jac(*(it.article.text for it in rng.sample(originals, 2))) for _ in range(2000)]
    copies = [
        jac(by_report[it.report].article.text, it.article.text) for it in items if it.is_copy and it.report in by_report
    ][:2000]
    return {
        "distinct_mean": float(np.mean(distinct)),
        "distinct_max": float(np.max(distinct)),
        "copy_min": float(np.min(copies)),
        "copy_p05": float(np.percentile(copies, 5)),
        "copy_mean": float(np.mean(copies)),
        "copies_below_0.7": float(np.mean(np.array(copies) < 0.7)),
    }


def _subprocess(args: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"stage {args} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _batch_rows(path: Path) -> list[dict[str, Any]]:
    rows = []
    for item in _load(path):
        a = item.article
        row: dict[str, Any] = {"id": a.id, "source": a.source, "title": a.title, "text": a.text}
        if a.published_at is not None:
            row["published_at"] = a.published_at.isoformat()
        rows.append(row)
    return rows


def _stories(path: Path) -> dict[str, str]:
    out = {}
    with path.open(encoding="utf-8") as f:
        for line in f:
            out[json.loads(line)["key"]] = line
    return out


def story_grouping(corpus: Path, stories: Path) -> dict[str, float]:
    """Pairwise precision and recall of the batch's stories against the generator's events, over the articles
    that are not syndicated copies (what the grouping stage above scores), so the figures of a whole batch run
    compare with the grouping stage's."""
    story_of: dict[str, int] = {}
    with stories.open(encoding="utf-8") as f:
        for number, line in enumerate(f):
            for article_id in json.loads(line)["articles"]:
                story_of[article_id["id"]] = number
    items = [it for it in _load(corpus) if not it.is_copy]
    unplaced = len(story_of) + len(items)  # an article in no story is a story of its own
    predicted = [story_of.get(it.article.id, unplaced + k) for k, it in enumerate(items)]
    precision, recall = pairwise_scores([it.event for it in items], predicted)
    return {"precision": precision, "recall": recall, "articles": len(items), "events": len({it.event for it in items})}


def engine_runs(
    corpus_of: Any,
    sizes: list[int],
    embedder: str,
    workdir: Path,
    reuse: bool = False,
    engines: Sequence[str] = ("ray", "inprocess"),
) -> list[dict[str, Any]]:
    """``python -m service batch`` in-process and on local Ray per size: same output, time, memory.

    Each size's results are kept in ``workdir/engine-<n>-<embedder>-<engines>.json`` (engines joined by "+");
    ``reuse`` takes them from a file that holds these engines or more instead of running that size again (to
    add a size to figures measured earlier). With one engine in
    ``engines`` the outputs are not compared (``same_output`` is None): at 100k on 2 cores each engine takes
    about an hour.
    """
    import shutil

    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFUSE_")}
    env.update(
        HF_HUB_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
        NEWSFUSE_EMBEDDING_BACKEND="minilm" if embedder == "minilm" else "hashing",
        NEWSFUSE_MODEL=str(workdir / "no-seq2seq-weights"),  # the extractive summarizer: no weights here
        NEWSFUSE_LOG_LEVEL="WARNING",
    )
    results: list[dict[str, Any]] = []
    for n in sizes:
        saved = workdir / f"engine-{n}-{embedder}-{'+'.join(sorted(engines))}.json"
        # Reuse a size's runs saved for these engines or more (the 10k pair when only Ray runs at 100k).
        earlier = [
            p
            for p in sorted(workdir.glob(f"engine-{n}-{embedder}-*.json"))
            if set(engines) <= set(p.stem.removeprefix(f"engine-{n}-{embedder}-").split("+"))
        ]
        if reuse and earlier:
            reused = json.loads(earlier[0].read_text())
            for r in reused:
                out = workdir / f"stories-{n}-{r['engine']}.jsonl"
                if "grouping" not in r and out.exists():  # runs saved before the grouping figures were added
                    r["grouping"] = story_grouping(corpus_of(n), out)
            earlier[0].write_text(json.dumps(reused))
            results += reused
            print(f"reused the {n}-article runs from {earlier[0]}", flush=True)
            continue
        source = workdir / f"batch-{n}.jsonl"
        if not source.exists():
            source.write_text("".join(json.dumps(r) + "\n" for r in _batch_rows(corpus_of(n))), encoding="utf-8")
        outputs = {}
        for engine in engines:
            out = workdir / f"stories-{n}-{engine}.jsonl"
            for stale in (out, out.with_name(out.name + ".summary.json")):
                stale.unlink(missing_ok=True)
            shutil.rmtree(out.with_name(out.name + ".checkpoint"), ignore_errors=True)
            command = [sys.executable, "-m", "service", "batch", str(source), "--out", str(out), "--engine", engine]
            start = time.perf_counter()
            done = subprocess.run([*command, "--no-progress"], cwd=ROOT, env=env, capture_output=True, text=True)
            wall = time.perf_counter() - start
            if done.returncode:
                raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-4000:]}")
            summary = json.loads(out.with_name(out.name + ".summary.json").read_text())
            memory = summary["peak_memory_mb"]
            workers = {k: v for k, v in memory.items() if not k.startswith(("driver", "this process"))}
            driver = [v for k, v in memory.items() if k.startswith(("driver", "this process"))]
            result = {
                "n": n,
                "engine": engine,
                "wall_s": wall,
                "articles_per_s": n / wall,
                "stories": summary["stories"],
                "duplicates": summary["duplicates"],
                "driver_peak_mb": max(driver) if driver else None,
                "worker_peak_mb": max(workers.values()) if workers else None,
                "workers": len(workers),
                "memory": memory,
                "timings": summary["timings"],
                "load_1m_after": round(os.getloadavg()[0], 2),
                "command": " ".join(command),
            }
            outputs[engine] = _stories(out)
            result["grouping"] = story_grouping(corpus_of(n), out)
            results.append(result)
            print("batch", json.dumps(result), flush=True)
        ran = len(engines)
        differ = None
        if {"inprocess", "ray"} <= outputs.keys():
            a, b = outputs["inprocess"], outputs["ray"]
            differ = sum(1 for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        results[-ran:] = sorted(results[-ran:], key=lambda r: r["engine"])  # in-process first in the tables
        for r in results[-ran:]:
            r["same_output"] = None if differ is None else differ == 0
            r["differing_stories"] = differ
        saved.write_text(json.dumps(results[-ran:]))
    return results


def print_engine_runs(results: list[dict[str, Any]], embedder: str) -> None:
    print()
    print(
        f"== python -m service batch: in-process vs local Ray ({os.cpu_count()} CPUs); embedder: "
        f"{'all-MiniLM-L6-v2' if embedder == 'minilm' else 'the hashing stand-in (not semantic, as grouping above)'}; "
        "summarizer: extractive fallback (no seq2seq weights on this machine) =="
    )
    print(
        f"{'articles':>9} {'engine':>9} {'wall s':>8} {'art/s':>7} {'stories':>8} {'same':>5} "
        f"{'driver MB':>9} {'worker MB':>9} {'workers':>7}"
    )
    same = {True: "yes", False: "NO", None: "-"}  # None: that size ran on one engine only
    for r in results:
        worker = f"{r['worker_peak_mb']:.0f}" if r["worker_peak_mb"] else "-"
        print(
            f"{r['n']:>9} {r['engine']:>9} {r['wall_s']:>8.1f} {r['articles_per_s']:>7.1f} {r['stories']:>8} "
            f"{same[r['same_output']]:>5} {r['driver_peak_mb']:>9.0f} {worker:>9} {r['workers']:>7}"
        )
    for r in results:
        if r["engine"] == "ray":
            per_worker = ", ".join(f"{k}: {v:.0f}" for k, v in r["memory"].items())
            print(f"  {r['n']} ray, peak MB per process: {per_worker}")
        stages = ", ".join(f"{k.removeprefix('stage ')} {v:.1f}" for k, v in r["timings"].items() if k != "read_s")
        load = f" (load average after: {r['load_1m_after']})" if "load_1m_after" in r else ""
        print(f"  {r['n']} {r['engine']} seconds: {stages}{load}")
        if "grouping" in r:
            g = r["grouping"]
            print(
                f"  {r['n']} {r['engine']} stories vs the generator's events, pairwise over {g['articles']} "
                f"non-copies of {g['events']} events: P {g['precision']:.4f} R {g['recall']:.4f}"
            )
    for engine in ("inprocess", "ray"):
        runs = [r for r in results if r["engine"] == engine]
        if len(runs) >= 2:
            a, b = runs[0], runs[-1]
            worker = (
                f", worker peak x{b['worker_peak_mb'] / a['worker_peak_mb']:.2f}"
                if a["worker_peak_mb"] and b["worker_peak_mb"]
                else ""
            )
            driver = b["driver_peak_mb"] / a["driver_peak_mb"]
            print(
                f"growth {engine} {a['n']} -> {b['n']} ({b['n'] / a['n']:.0f}x articles): wall "
                f"x{b['wall_s'] / a['wall_s']:.1f}, driver peak x{driver:.2f}{worker}"
            )
    sizes = ",".join(sorted({str(r["n"]) for r in results}, key=int))
    print(f"reproduce: python benchmarks/scale.py --engine ray --engine-sizes {sizes}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="Corpus sizes for dedup.")
    parser.add_argument(
        "--grouping-sizes",
        default="10000,100000",
        help="Batches whose distinct reports are grouped ('' to skip).",
    )
    parser.add_argument("--embedder", choices=["hashed", "minilm"], default="hashed")
    parser.add_argument("--minilm-sample", type=int, default=300, help="Articles for MiniLM throughput (0: skip).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newsfuse-scale")
    parser.add_argument("--check", action="store_true", help="Print shingle Jaccard statistics of the corpus.")
    parser.add_argument(
        "--engine",
        choices=["ray"],
        help="Run the batch command in-process and on local Ray at --engine-sizes instead of the stages above.",
    )
    parser.add_argument("--engine-sizes", default="10000,100000", help="Articles per batch for --engine.")
    parser.add_argument("--reuse", action="store_true", help="--engine: take sizes already measured from --workdir.")
    parser.add_argument(
        "--engine-runs",
        default="ray,inprocess",
        help="--engine: which engines to run at each size (one alone is not compared).",
    )
    parser.add_argument("--stage", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.stage:
        if args.stage == "corpus":
            items = build_corpus(args.n, args.seed)
            with args.corpus.open("wb") as f:
                pickle.dump(items, f, protocol=pickle.HIGHEST_PROTOCOL)
            result: dict[str, Any] = {"n": len(items)}
        elif args.stage == "dedup":
            result = stage_dedup(args.corpus)
        elif args.stage == "grouping":
            result = stage_grouping(args.corpus, args.n, args.embedder)
        elif args.stage == "minilm":
            result = stage_minilm(args.corpus, args.n)
        else:
            result = check_corpus(args.corpus)
        print(json.dumps(result))
        return

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    args.workdir.mkdir(parents=True, exist_ok=True)
    sizes = [int(x) for x in args.sizes.split(",") if x]
    grouping_sizes = [int(x) for x in args.grouping_sizes.split(",") if x]
    needed = max([*sizes, *grouping_sizes, args.minilm_sample * 2, 1])

    def corpus(n: int) -> Path:
        path = args.workdir / f"corpus-{n}-{args.seed}.pkl"
        if not path.exists():
            start = time.perf_counter()
            _subprocess(["--stage", "corpus", "--n", str(n), "--corpus", str(path), "--seed", str(args.seed)])
            print(f"built corpus of {n} articles in {time.perf_counter() - start:.1f} s -> {path}", flush=True)
        return path

    print(f"cores: {os.cpu_count()}, python {sys.version.split()[0]}", flush=True)
    if args.engine:
        engine_sizes = [int(x) for x in args.engine_sizes.split(",") if x]
        engines = [e for e in args.engine_runs.split(",") if e]
        results = engine_runs(corpus, engine_sizes, args.embedder, args.workdir, args.reuse, engines)
        print_engine_runs(results, args.embedder)
        return
    if args.check:
        print(
            "corpus check:", json.dumps(_subprocess(["--stage", "check", "--corpus", str(corpus(min(needed, 20000)))]))
        )

    dedup: list[dict[str, Any]] = []
    for n in sizes:
        r = _subprocess(["--stage", "dedup", "--corpus", str(corpus(n))])
        dedup.append(r)
        print("dedup", json.dumps(r), flush=True)
    grouping: list[dict[str, Any]] = []
    for g in grouping_sizes:
        r = _subprocess(["--stage", "grouping", "--corpus", str(corpus(g)), "--n", "0", "--embedder", args.embedder])
        grouping.append(r)
        print("grouping", json.dumps(r), flush=True)
    minilm = None
    if args.minilm_sample:
        path = corpus(max([*sizes, 2 * args.minilm_sample]))
        minilm = _subprocess(["--stage", "minilm", "--corpus", str(path), "--n", str(args.minilm_sample)])
        print("minilm", json.dumps(minilm), flush=True)

    print()
    print("== near-duplicates (target: <60 s and <4096 MB at 100k; precision and recall >= 0.98, pairwise) ==")
    print(
        f"{'articles':>9} {'text MB':>8} {'copies':>7} {'wall s':>8} {'peak MB':>8} {'+mem MB':>8} "
        f"{'precision':>9} {'recall':>7} {'copy rec':>8} {'rec J>=.7':>9}"
    )
    for r in dedup:
        print(
            f"{r['n']:>9} {r['chars_mb']:>8.1f} {r['copies']:>7} {r['wall_s']:>8.2f} {r['peak_mb']:>8.0f} "
            f"{r['delta_mb']:>8.0f} {r['precision']:>9.4f} {r['recall']:>7.4f} {r['copy_recall']:>8.4f} "
            f"{r['copy_recall_reachable']:>9.4f}"
        )
    if len(dedup) >= 2:
        a, b = dedup[0], dedup[-1]
        print(
            f"growth {b['n']}/{a['n']} = {b['n'] / a['n']:.0f}x articles: "
            f"wall x{b['wall_s'] / a['wall_s']:.1f} (linear = x{b['n'] / a['n']:.0f}, target: near linear)"
        )
    if grouping:
        print()
        print(f"== event grouping (embedder: {grouping[0]['embedder']}; candidate path above the exact limit) ==")
        print(
            f"{'batch':>7} {'reports':>8} {'split s':>8} {'embedded':>9} {'embed s':>8} {'NER s':>7} {'cluster s':>9} "
            f"{'peak MB':>8} {'+mem MB':>8} "
            f"{'clusters':>8} {'largest':>7} {'P(ev)':>6} {'R(ev)':>6}"
        )
        for r in grouping:
            print(
                f"{r['batch']:>7} {r['n']:>8} {r['split_s']:>8.1f} {r['texts']:>9} "
                f"{r['embed_s']:>8.1f} {r['ner_s']:>7.1f} {r['cluster_s']:>9.2f} "
                f"{r['peak_mb']:>8.0f} "
                f"{r['delta_mb']:>8.0f} {r['clusters']:>8} {r['largest']:>7} {r['precision']:>6.3f} {r['recall']:>6.3f}"
            )
        if len(grouping) >= 2:
            a, b = grouping[0], grouping[-1]
            print(
                f"growth {b['n']}/{a['n']} = {b['n'] / a['n']:.1f}x reports: "
                f"clustering wall x{b['cluster_s'] / a['cluster_s']:.1f}, split x{b['split_s'] / a['split_s']:.1f}"
            )
    if minilm:
        print()
        spa = minilm["sentences_per_article"]
        print(
            f"== MiniLM on this machine ({minilm['articles']} articles): {minilm['leads_per_s']:.0f} leads/s, "
            f"{minilm['sentences_per_s']:.0f} sentences/s, {spa:.1f} sentences/article =="
        )
        # Grouping sees the distinct reports of a batch, not its syndicated copies.
        reports = {r["batch"]: r["n"] for r in grouping}
        for batch in sorted({*grouping_sizes, *sizes}):
            n = reports.get(batch, batch)
            seconds = n / minilm["leads_per_s"]
            print(
                f"  projected MiniLM embedding of the leads for a batch of {batch:>7} ({n} reports): "
                f"{seconds / 60:7.1f} min (alignment later embeds the sentences of multi-source stories: "
                f"{n * spa / minilm['sentences_per_s'] / 60:.1f} min at most)"
            )


if __name__ == "__main__":
    main()
