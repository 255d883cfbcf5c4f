"""Near-duplicate removal: syndicated copies of one story are analysed once and count as one source."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from datasketch import MinHash, MinHashLSH

from service.pipeline.types import CleanArticle, DuplicateGroup

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class DedupResult:
    kept: tuple[CleanArticle, ...]
    groups: tuple[DuplicateGroup, ...]
    """Only groups with at least one copy."""


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _shingles(words: list[str], size: int) -> set[bytes]:
    if len(words) < size:
        return {" ".join(words).encode()}
    return {" ".join(words[i : i + size]).encode() for i in range(len(words) - size + 1)}


def _completeness(article: CleanArticle) -> tuple[int, int, str]:
    # The longest copy usually carries the full wire text; metadata breaks ties; id keeps it deterministic.
    known = sum(x is not None for x in (article.source, article.title, article.published_at, article.url))
    return (len(article.text), known, article.id)


def _estimated_jaccard(hashes: dict[int, MinHash], a: int, b: int) -> float:
    return 1.0 if a == b else round(float(hashes[a].jaccard(hashes[b])), 3)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def near_duplicates(
    articles: Sequence[CleanArticle],
    *,
    threshold: float = 0.7,
    shingle_words: int = 3,
    num_perm: int = 128,
) -> DedupResult:
    """Group exact copies by normalised hash and near copies by MinHash LSH over word shingles.

    LSH only proposes candidates; each is confirmed by its estimated Jaccard similarity, so the cost stays
    near linear in the number of articles instead of comparing all pairs.
    """
    n = len(articles)
    uf = _UnionFind(n)
    word_lists = [_words(a.text) for a in articles]

    first_by_hash: dict[str, int] = {}
    exact_rep: list[int] = []
    for i, words in enumerate(word_lists):
        digest = hashlib.blake2b(" ".join(words).encode(), digest_size=16).hexdigest()
        rep = first_by_hash.setdefault(digest, i)
        exact_rep.append(rep)
        if rep != i:
            uf.union(rep, i)
    representatives = [i for i in range(n) if exact_rep[i] == i]

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes: dict[int, MinHash] = {}
    for i in representatives:
        mh = MinHash(num_perm=num_perm, seed=1)
        mh.update_batch(list(_shingles(word_lists[i], shingle_words)))
        for j in lsh.query(mh):
            score = mh.jaccard(hashes[j])
            if score >= threshold:
                uf.union(i, j)
        lsh.insert(i, mh)
        hashes[i] = mh

    members: dict[int, list[int]] = {}
    for i in range(n):
        members.setdefault(uf.find(i), []).append(i)

    kept: list[CleanArticle] = []
    groups: list[DuplicateGroup] = []
    for indices in members.values():
        best = max(indices, key=lambda k: _completeness(articles[k]))
        kept.append(articles[best])
        if len(indices) > 1:
            copies = tuple(articles[k].id for k in indices if k != best)
            sims = {
                articles[k].id: _estimated_jaccard(hashes, exact_rep[best], exact_rep[k]) for k in indices if k != best
            }
            groups.append(DuplicateGroup(kept=articles[best].id, copies=copies, similarity=sims))
    order = {a.id: i for i, a in enumerate(articles)}
    kept.sort(key=lambda a: order[a.id])
    return DedupResult(kept=tuple(kept), groups=tuple(groups))
