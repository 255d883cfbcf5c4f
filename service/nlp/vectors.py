"""Bags of terms as rows of a sparse matrix, weighted and scaled to unit length, for cosine similarities."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
from scipy import sparse


def bag_matrix(bags: Sequence[Counter[str]], weight: Callable[[str], float]) -> sparse.csr_matrix:
    """One unit-length row per bag: ``(1 + log count) * weight(term)`` per term (sublinear tf x idf)."""
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    values: list[float] = []
    for row, bag in enumerate(bags):
        for term, count in bag.items():
            value = (1.0 + math.log(count)) * weight(term)
            if value <= 0.0:
                continue
            rows.append(row)
            cols.append(vocabulary.setdefault(term, len(vocabulary)))
            values.append(value)
    matrix = sparse.csr_matrix(
        (np.asarray(values, dtype=np.float32), (rows, cols)), shape=(len(bags), max(1, len(vocabulary)))
    )
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


def row_cosines(matrix: sparse.csr_matrix, left: np.ndarray, right: np.ndarray, chunk: int = 1 << 16) -> np.ndarray:
    """Cosine of rows ``left[k]`` and ``right[k]`` for every k (rows are unit length), in chunks."""
    out = np.empty(len(left), dtype=np.float64)
    for start in range(0, len(left), chunk):
        a = matrix[left[start : start + chunk]]
        b = matrix[right[start : start + chunk]]
        out[start : start + chunk] = np.asarray(a.multiply(b).sum(axis=1)).ravel()
    return out
