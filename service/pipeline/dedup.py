"""Near-duplicate removal: syndicated copies of one story are analysed once and count as one source.

Exact copies (same words once case and punctuation are ignored) are grouped by a hash of the normalised
text. Near copies are found with MinHash over word shingles and LSH banding, all in numpy and in batches,
so 100,000 articles take seconds, not hours, and memory stays bounded:

1. each article is normalised once in Python (``lower`` and one regex substitution, both in C);
2. a batch of normalised texts is joined into one byte buffer, words are hashed with a polynomial
   rolling hash over the bytes (prefix sums, no Python object per word), shingles of ``shingle_words``
   words are combined from the word hashes and mixed to 32 bits;
3. the MinHash signature is the column minimum of ``a * fmix32(h) + b mod 2**32`` over each article's
   shingles, the same permutation family as datasketch's ``affine32`` scheme (a datasketch ``MinHash`` fed
   the same 32-bit values gives the same signature: see tests/test_dedup.py);
4. LSH: datasketch's optimal (bands, rows) for the threshold; articles whose band values collide are
   candidates, and each candidate pair is kept only if its estimated Jaccard reaches the threshold;
5. connected components of the kept pairs (plus exact copies) are the duplicate groups.

Batches run on a small thread pool: numpy releases the GIL in its kernels, so two cores are both used.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from datasketch import MinHashLSH
from numpy.typing import NDArray
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from service.pipeline.types import CleanArticle, DuplicateGroup

_NON_WORD = re.compile(r"\W+", re.UNICODE)
_SPACE = 0x20
_NEWLINE = 0x0A
_MASK32 = np.uint64(0xFFFFFFFF)
# Odd multiplier of the polynomial word hash (and its inverse mod 2**64) and of the shingle combination.
_POLY = 0x100000001B3
_POLY_INV = pow(_POLY, -1, 1 << 64)
_COMBINE = np.uint64(0x9E3779B97F4A7C15)
_EMPTY_SHINGLE = np.uint32(0x5BD1E995)
# Buckets larger than this are not expanded to all their pairs: each member is compared with the first
# ``_MAX_BUCKET`` members only, so one degenerate bucket cannot make the candidate count quadratic.
_MAX_BUCKET = 64


@dataclass(frozen=True)
class DedupResult:
    kept: tuple[CleanArticle, ...]
    groups: tuple[DuplicateGroup, ...]
    """Only groups with at least one copy."""


def normalise(text: str) -> str:
    """The words of ``text``, lower-cased, joined by single spaces (punctuation and layout ignored)."""
    return _NON_WORD.sub(" ", text.lower()).strip()


def _completeness(article: CleanArticle) -> tuple[int, int, str]:
    # The longest copy usually carries the full wire text; metadata breaks ties; id keeps it deterministic.
    known = sum(x is not None for x in (article.source, article.title, article.published_at, article.url))
    return (len(article.text), known, article.id)


def _fmix64(h: NDArray[np.uint64]) -> NDArray[np.uint64]:
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xFF51AFD7ED558CCD)
    h = h ^ (h >> np.uint64(33))
    h = h * np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


def _fmix32(h: NDArray[np.uint32]) -> NDArray[np.uint32]:
    # MurmurHash3's finaliser, as datasketch applies it before its affine32 permutations.
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    return h ^ (h >> np.uint32(16))


def permutations(num_perm: int, seed: int = 1) -> tuple[NDArray[np.uint32], NDArray[np.uint32]]:
    """``a`` (odd) and ``b`` of ``h -> a * h + b mod 2**32``, drawn as datasketch 2's ``affine32`` draws them."""
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def shingle_hashes(texts: Sequence[bytes], shingle_words: int) -> tuple[NDArray[np.uint32], NDArray[np.int64]]:
    """32-bit hashes of the word shingles of each normalised text, concatenated, and how many each has.

    A text shorter than ``shingle_words`` words is one shingle of all its words (an empty one, a fixed
    value), so every text has at least one shingle. Repeated shingles are kept: they do not change a minimum.
    """
    n = len(texts)
    buf = np.frombuffer(b"\n".join(texts), dtype=np.uint8)
    size = len(buf)
    if size == 0:
        return np.full(n, _EMPTY_SHINGLE, dtype=np.uint32), np.ones(n, dtype=np.int64)
    is_word = (buf != _SPACE) & (buf != _NEWLINE)
    before = np.concatenate(([False], is_word[:-1]))
    after = np.concatenate((is_word[1:], [False]))
    starts = np.flatnonzero(is_word & ~before)
    ends = np.flatnonzero(is_word & ~after) + 1
    article = np.cumsum(buf == _NEWLINE)[starts]

    # Polynomial hash of each word from prefix sums: sum(c[t] * p**(t+1)) over the word, divided by p**start.
    powers = np.cumprod(np.full(size, _POLY, dtype=np.uint64))
    prefix = np.concatenate((np.zeros(1, dtype=np.uint64), np.cumsum(buf.astype(np.uint64) * powers)))
    inverse = np.concatenate((np.ones(1, dtype=np.uint64), np.cumprod(np.full(size, _POLY_INV, dtype=np.uint64))))
    words = _fmix64((prefix[ends] - prefix[starts]) * inverse[starts])
    del powers, prefix, inverse

    counts = np.bincount(article, minlength=n)
    k = shingle_words
    parts_hash: list[NDArray[np.uint64]] = []
    parts_article: list[NDArray[np.int64]] = []
    if len(words) >= k:
        windows = len(words) - k + 1
        combined = words[:windows].copy()
        for j in range(1, k):
            combined = combined * _COMBINE + words[j : j + windows]
        valid = article[:windows] == article[k - 1 :]
        parts_hash.append(combined[valid])
        parts_article.append(article[:windows][valid])
    first_word = np.concatenate(([0], np.cumsum(counts)[:-1]))
    for i in np.flatnonzero((counts > 0) & (counts < k)):
        start, count = int(first_word[i]), int(counts[i])
        value = words[start : start + 1].copy()
        for j in range(1, count):
            value = value * _COMBINE + words[start + j : start + j + 1]
        parts_hash.append(value)
        parts_article.append(np.array([i], dtype=np.int64))
    empty = np.flatnonzero(counts == 0)
    hashes = np.concatenate(
        [(_fmix64(h) >> np.uint64(32)).astype(np.uint32) for h in parts_hash] or [np.zeros(0, np.uint32)]
    )
    owners = np.concatenate([*parts_article, np.zeros(0, dtype=np.int64)])
    if len(empty):
        hashes = np.concatenate((hashes, np.full(len(empty), _EMPTY_SHINGLE, dtype=np.uint32)))
        owners = np.concatenate((owners, empty.astype(np.int64)))
    order = np.argsort(owners, kind="stable")
    return hashes[order], np.bincount(owners, minlength=n).astype(np.int64)


def signatures(
    hashes: NDArray[np.uint32], counts: NDArray[np.int64], perms: tuple[NDArray[np.uint32], NDArray[np.uint32]]
) -> NDArray[np.uint32]:
    """MinHash signature (one row per text) of shingles grouped by ``counts`` (every count at least 1)."""
    a, b = perms
    mixed = _fmix32(hashes)
    permuted = np.multiply(a[:, None], mixed[None, :])
    permuted += b[:, None]
    offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
    return np.ascontiguousarray(np.minimum.reduceat(permuted, offsets, axis=1).T)


def _batch_signatures(
    texts: Sequence[bytes], shingle_words: int, perms: tuple[NDArray[np.uint32], NDArray[np.uint32]]
) -> NDArray[np.uint32]:
    hashes, counts = shingle_hashes(texts, shingle_words)
    return signatures(hashes, counts, perms)


def _batches(texts: Sequence[bytes], batch_chars: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    start = size = 0
    for i, text in enumerate(texts):
        size += len(text) + 1
        if size >= batch_chars:
            spans.append((start, i + 1))
            start, size = i + 1, 0
    if start < len(texts):
        spans.append((start, len(texts)))
    return spans


def lsh_shape(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's optimal ``(bands, rows)`` of LSH for ``threshold`` with ``num_perm`` permutations."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


def band_keys(sig: NDArray[np.uint32], bands: int, rows: int) -> NDArray[np.uint64]:
    """One 64-bit key per (row of ``sig``, band): equal keys mean equal values on every row of the band."""
    keys = np.zeros((sig.shape[0], bands), dtype=np.uint64)
    for band in range(bands):
        key = np.zeros(sig.shape[0], dtype=np.uint64)
        for col in range(band * rows, (band + 1) * rows):
            key = _fmix64(key * _COMBINE + sig[:, col].astype(np.uint64))
        keys[:, band] = key
    return keys


def bucket_pairs(members: NDArray[np.int64], n: int, max_bucket: int = _MAX_BUCKET) -> NDArray[np.int64]:
    """Pairs ``i * n + j`` (i < j) proposed by one LSH bucket whose ``members`` are sorted ascending: all
    pairs, or for a bucket over ``max_bucket``, each member with the first ``max_bucket`` members only.

    The same pairs as :func:`band_pairs` draws from that bucket (a batch engine groups buckets by a shuffle).
    """
    length = len(members)
    if length < 2:
        return np.zeros(0, dtype=np.int64)
    if length <= max_bucket:
        first, second = np.triu_indices(length, k=1)
        left, right = members[first], members[second]
    else:
        left = np.concatenate([np.repeat(members[j], length - j - 1) for j in range(max_bucket)])
        right = np.concatenate([members[j + 1 :] for j in range(max_bucket)])
    return np.minimum(left, right).astype(np.int64) * n + np.maximum(left, right)


def band_pairs(keys: NDArray[np.uint64], max_bucket: int = _MAX_BUCKET) -> NDArray[np.int64]:
    """Pairs ``i * n + j`` (i < j, unique, sorted) of rows whose keys agree in at least one band."""
    n = keys.shape[0]
    found: list[NDArray[np.int64]] = []
    for band in range(keys.shape[1]):
        key = keys[:, band]
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        boundary = np.flatnonzero(np.concatenate(([True], sorted_key[1:] != sorted_key[:-1], [True])))
        lengths = np.diff(boundary)
        for length in np.unique(lengths[lengths > 1]):
            run_starts = boundary[:-1][lengths == length]
            members = order[run_starts[:, None] + np.arange(length)[None, :]]
            if length <= max_bucket:
                first, second = np.triu_indices(int(length), k=1)
                lefts, rights = [members[:, first].ravel()], [members[:, second].ravel()]
            else:
                lefts = [np.repeat(members[:, j], length - j - 1) for j in range(max_bucket)]
                rights = [members[:, j + 1 :].ravel() for j in range(max_bucket)]
            for left, right in zip(lefts, rights, strict=True):
                lo, hi = np.minimum(left, right), np.maximum(left, right)
                found.append(lo.astype(np.int64) * n + hi)
    if not found:
        return np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(found))


def _estimated_jaccard(
    sig: NDArray[np.uint32], left: NDArray[np.int64], right: NDArray[np.int64]
) -> NDArray[np.float64]:
    out = np.empty(len(left), dtype=np.float64)
    step = 65536
    for s in range(0, len(left), step):
        out[s : s + step] = (sig[left[s : s + step]] == sig[right[s : s + step]]).mean(axis=1)
    return out


@dataclass(frozen=True)
class ExactCopies:
    """Articles with the same normalised text: only one representative of each is sketched."""

    rep: NDArray[np.int64]
    """For each article, the index of the first article with its normalised text."""
    rep_of_slot: NDArray[np.int64]
    """Representatives in order of first appearance: slot -> article index."""
    slot_of: NDArray[np.int64]
    """Article index -> its slot (-1 for a copy that is not a representative)."""


def normalised_bytes(text: str) -> bytes:
    return normalise(text).encode()


def text_digest(normalised: bytes) -> bytes:
    return hashlib.blake2b(normalised, digest_size=16).digest()


def exact_copies(digests: Sequence[bytes]) -> ExactCopies:
    """Representatives of the articles with these digests of their normalised texts (first one wins)."""
    n = len(digests)
    first_by_digest: dict[bytes, int] = {}
    rep = np.empty(n, dtype=np.int64)
    slot_of = np.full(n, -1, dtype=np.int64)
    rep_of_slot: list[int] = []
    for i, digest in enumerate(digests):
        r = first_by_digest.setdefault(digest, i)
        rep[i] = r
        if r == i:
            slot_of[i] = len(rep_of_slot)
            rep_of_slot.append(i)
    return ExactCopies(rep=rep, rep_of_slot=np.asarray(rep_of_slot, dtype=np.int64), slot_of=slot_of)


def text_signatures(
    texts: Sequence[bytes],
    *,
    shingle_words: int = 3,
    num_perm: int = 128,
    batch_chars: int = 1_000_000,
    workers: int | None = None,
) -> NDArray[np.uint32]:
    """MinHash signatures (one row per normalised text), hashed in batches of ``batch_chars`` on threads.

    A text's signature depends on that text alone, so any split of a corpus gives the same rows.
    """
    perms = permutations(num_perm)
    spans = _batches(texts, batch_chars)
    pool_size = workers or min(4, os.cpu_count() or 1)
    if pool_size > 1 and len(spans) > 1:
        with ThreadPoolExecutor(pool_size) as pool:
            parts = list(pool.map(lambda s: _batch_signatures(texts[s[0] : s[1]], shingle_words, perms), spans))
    else:
        parts = [_batch_signatures(texts[s:e], shingle_words, perms) for s, e in spans]
    return np.concatenate(parts) if parts else np.zeros((0, num_perm), dtype=np.uint32)


def duplicate_groups(
    articles: Sequence[CleanArticle],
    exact: ExactCopies,
    sig: NDArray[np.uint32],
    pairs: NDArray[np.int64],
    threshold: float,
) -> DedupResult:
    """Confirm candidate ``pairs`` (codes over the slots of ``sig``) by estimated Jaccard, join them with the
    exact copies, and keep the most complete article of each connected group."""
    n = len(articles)
    slots = len(exact.rep_of_slot)
    left, right = pairs // max(slots, 1), pairs % max(slots, 1)
    confirmed = _estimated_jaccard(sig, left, right) >= threshold
    rep_index = exact.rep_of_slot
    exact_rep, slot_of = exact.rep, exact.slot_of
    edge_from = np.concatenate((rep_index[left[confirmed]], exact_rep))
    edge_to = np.concatenate((rep_index[right[confirmed]], np.arange(n, dtype=np.int64)))
    graph = coo_matrix((np.ones(len(edge_from), dtype=np.int8), (edge_from, edge_to)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    labels = np.asarray(labels, dtype=np.int64)

    order = np.argsort(labels, kind="stable")
    bounds = np.flatnonzero(np.diff(labels[order])) + 1
    kept_index: list[int] = []
    groups: list[tuple[int, DuplicateGroup]] = []
    for indices_array in np.split(order, bounds):
        indices = indices_array.tolist()
        if len(indices) == 1:
            kept_index.append(indices[0])
            continue
        best = max(indices, key=lambda k: _completeness(articles[k]))
        kept_index.append(best)
        others = [k for k in indices if k != best]
        best_slot = slot_of[exact_rep[best]]
        other_slots = slot_of[exact_rep[others]]
        sims = _estimated_jaccard(sig, np.full(len(others), best_slot, dtype=np.int64), other_slots)
        similarity = {
            articles[k].id: 1.0 if exact_rep[k] == exact_rep[best] else round(float(s), 3)
            for k, s in zip(others, sims, strict=True)
        }
        copies = tuple(articles[k].id for k in others)
        groups.append((min(indices), DuplicateGroup(kept=articles[best].id, copies=copies, similarity=similarity)))
    kept_index.sort()
    groups.sort(key=lambda g: g[0])
    return DedupResult(kept=tuple(articles[i] for i in kept_index), groups=tuple(g for _, g in groups))


def near_duplicates(
    articles: Sequence[CleanArticle],
    *,
    threshold: float = 0.7,
    shingle_words: int = 3,
    num_perm: int = 128,
    batch_chars: int = 1_000_000,
    workers: int | None = None,
) -> DedupResult:
    """Group exact copies by normalised hash and near copies by MinHash LSH over word shingles.

    LSH only proposes candidates; each is confirmed by its estimated Jaccard similarity, so the cost stays
    near linear in the number of articles instead of comparing all pairs. ``batch_chars`` bounds the text
    hashed at once (memory); ``workers`` threads hash batches (default: the CPU count, at most 4).

    The steps are functions a batch engine runs apart (``service/batch/``): :func:`exact_copies`,
    :func:`text_signatures`, :func:`band_keys` and :func:`bucket_pairs` (or :func:`band_pairs`), then
    :func:`duplicate_groups`.
    """
    if not articles:
        return DedupResult(kept=(), groups=())
    normalised = [normalised_bytes(a.text) for a in articles]
    exact = exact_copies([text_digest(t) for t in normalised])
    rep_texts = [normalised[i] for i in exact.rep_of_slot.tolist()]
    del normalised
    sig = text_signatures(
        rep_texts, shingle_words=shingle_words, num_perm=num_perm, batch_chars=batch_chars, workers=workers
    )
    rep_texts.clear()
    bands, rows = lsh_shape(threshold, num_perm)
    pairs = band_pairs(band_keys(sig, bands, rows))
    return duplicate_groups(articles, exact, sig, pairs, threshold)
