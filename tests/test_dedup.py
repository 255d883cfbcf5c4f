from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from service.pipeline import dedup as dedup_module
from service.pipeline.clean import clean_article
from service.pipeline.dedup import near_duplicates, normalise, permutations, shingle_hashes, signatures
from service.pipeline.types import ArticleInput, CleanArticle

SEEDS = Path(__file__).parent.parent / "seeds"


@pytest.fixture(scope="module")
def seeds() -> list[CleanArticle]:
    return [
        clean_article(ArticleInput(id=path.name[:3], text=path.read_text(encoding="utf-8")))
        for path in sorted(SEEDS.glob("*.txt"))
    ]


def _near_copy(article: CleanArticle, ident: str) -> CleanArticle:
    words = article.text.split(" ")
    words[len(words) // 2] = "reportedly"
    text = " ".join(words) + "\n\nCopyright 2022 Some Wire. All rights reserved."
    return replace(article, id=ident, text=text, title="WORLD: a different headline", source="Some Wire")


def test_distinct_seeds_are_not_merged(seeds: list[CleanArticle]) -> None:
    result = near_duplicates(seeds)
    assert result.groups == ()
    assert [a.id for a in result.kept] == [a.id for a in seeds]


def test_exact_and_near_copies_are_found_and_reported(seeds: list[CleanArticle]) -> None:
    original = seeds[2]
    exact = replace(original, id="exact", text=original.text.upper().replace(". ", ".  "))
    near = _near_copy(original, "near")
    result = near_duplicates([*seeds, exact, near])

    (group,) = result.groups
    assert {group.kept, *group.copies} == {original.id, "exact", "near"}
    assert len(group.copies) == 2
    assert set(group.similarity) == set(group.copies)
    # The near copy is the longest (it carries an extra line), so it is the one kept.
    assert group.kept == "near"
    assert group.similarity["exact"] > 0.7
    assert group.similarity[original.id] == group.similarity["exact"]
    assert [a.id for a in result.kept] == [a.id for a in seeds if a.id != original.id] + ["near"]


def test_most_complete_copy_is_kept(seeds: list[CleanArticle]) -> None:
    full = seeds[3]
    paragraphs = full.text.split("\n\n")
    shorter = replace(full, id="shorter", text="\n\n".join(paragraphs[:-1]), title=None)
    result = near_duplicates([shorter, full, seeds[0]])
    (group,) = result.groups
    assert group.kept == full.id
    assert group.copies == ("shorter",)
    assert 0.7 <= group.similarity["shorter"] < 1.0


def test_identical_text_different_metadata_keeps_the_richer(seeds: list[CleanArticle]) -> None:
    bare = replace(seeds[1], id="bare", title=None, source=None, url=None, published_at=None)
    result = near_duplicates([bare, seeds[1]])
    (group,) = result.groups
    assert group.kept == seeds[1].id
    assert group.similarity == {"bare": 1.0}


def test_batches_and_threads_do_not_change_the_result(seeds: list[CleanArticle]) -> None:
    rng = random.Random(3)
    articles = list(seeds)
    for k in range(60):
        articles.append(_near_copy(rng.choice(seeds), f"copy{k}"))
    one = near_duplicates(articles, batch_chars=10_000_000, workers=1)
    many = near_duplicates(articles, batch_chars=3_000, workers=2)
    assert one == many
    assert sum(len(g.copies) + 1 for g in one.groups) == len(articles)


def test_crowded_bucket_still_groups_every_copy(seeds: list[CleanArticle], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dedup_module, "_MAX_BUCKET", 4)
    copies = [_near_copy(seeds[0], f"c{k}") for k in range(20)]
    copies = [replace(c, text=c.text + f" variant {k}") for k, c in enumerate(copies)]
    result = near_duplicates([seeds[0], *copies])
    (group,) = result.groups
    assert len(group.copies) == 20


def test_short_and_empty_texts() -> None:
    base = clean_article(ArticleInput(id="x", text="Some words that are long enough to be a story."))
    short = replace(base, id="short", text="Two words")
    short_again = replace(base, id="short2", text="two WORDS!")
    empty = replace(base, id="empty", text="...")
    result = near_duplicates([base, short, short_again, empty])
    assert [(g.kept, g.copies) for g in result.groups] == [("short2", ("short",))]
    hashes, counts = shingle_hashes([b"", b"two words", b"a b c d"], 3)
    assert counts.tolist() == [1, 1, 2]
    assert len(hashes) == 4


def test_signatures_match_datasketch(seeds: list[CleanArticle]) -> None:
    datasketch = pytest.importorskip("datasketch")
    texts = [normalise(a.text).encode() for a in seeds]
    hashes, counts = shingle_hashes(texts, 3)
    sig = signatures(hashes, counts, permutations(128))
    offsets = np.concatenate(([0], np.cumsum(counts)))
    for k in range(len(texts)):
        try:
            reference = datasketch.MinHash(num_perm=128, seed=1, hashfunc=int, scheme="affine32")
        except TypeError:  # datasketch < 2 has no affine32 scheme
            pytest.skip("datasketch without the affine32 scheme")
        reference.update_batch(hashes[offsets[k] : offsets[k + 1]].tolist())
        assert np.array_equal(reference.hashvalues, sig[k])


def test_shingles_follow_words_not_punctuation() -> None:
    a, _ = shingle_hashes([normalise("Blinken, Lavrov; talks!").encode()], 3)
    b, _ = shingle_hashes([b"blinken lavrov talks"], 3)
    c, _ = shingle_hashes([b"lavrov blinken talks"], 3)
    assert a.tolist() == b.tolist()
    assert a.tolist() != c.tolist()
