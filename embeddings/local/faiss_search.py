"""Search mechanics, with the tunables passed in so ``faiss_index`` stays the place to set them."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from embeddings.local.faiss_kinds import load_faiss


def search_params(
    index: Any, kind: str, k: int, fraction: float, selector: Any, *,
    ef_search: int, nprobe: Callable[[int], int],
) -> Any:
    """FAISS search parameters for ``kind``, widened for a filter that admits ``fraction`` of the
    vectors; ``ef_search`` and ``nprobe`` are the unfiltered breadths of HNSW and IVF."""
    faiss = load_faiss()
    # A filter that admits a fraction f of the vectors leaves ~f of the visited candidates,
    # so widen the search by 1/f to keep finding k allowed neighbours.
    widen = 1.0 / max(fraction, 1e-6)
    if kind == "flat":
        params: Any = faiss.SearchParameters(sel=selector) if selector is not None else None
    elif kind == "hnsw":
        ef = min(max(k, math.ceil(ef_search * widen)), 4096)
        params = faiss.SearchParametersHNSW(efSearch=ef)
    else:
        nlist = index.nlist
        params = faiss.SearchParametersIVF(nprobe=min(nlist, math.ceil(nprobe(nlist) * widen)))
    if selector is not None and kind != "flat":
        params.sel = selector
    return params


def id_selector(allowed: np.ndarray) -> Any:
    """A FAISS selector admitting the sorted, non-empty ``allowed`` ids."""
    faiss = load_faiss()
    top = int(allowed[-1])
    if top < 64 * len(allowed) + (1 << 20):
        # Row ids are dense, so a bitmap is smaller and faster to test than a hash set.
        bits = np.zeros(top + 1, dtype=bool)
        bits[allowed] = True
        bitmap = np.packbits(bits, bitorder="little")
        selector = faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap))  # n in bytes
        selector.bitmap_ref = bitmap  # keep the buffer alive while FAISS reads it
        return selector
    return faiss.IDSelectorBatch(allowed)


def exact_top_k(
    queries: np.ndarray, vectors: np.ndarray, ids: np.ndarray, k: int, threads: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """Top-``k`` of ``vectors`` (keyed by ``ids``) for each query, scored exactly."""
    # faiss.knn rather than a numpy matmul: it honours the search thread count, where a
    # multi-threaded BLAS call on a busy host costs milliseconds of wake-up for microseconds of work.
    faiss = load_faiss()
    scores, out = empty_results(len(queries), k)
    take = min(k, len(ids))
    with omp_threads(threads):
        top_scores, rows = faiss.knn(queries, vectors, take, metric=faiss.METRIC_INNER_PRODUCT)
    scores[:, :take] = top_scores
    out[:, :take] = ids[rows]
    return scores, out


@contextmanager
def omp_threads(n: int | None) -> Iterator[None]:
    """Runs the block with ``n`` OpenMP threads (None: leave the count alone)."""
    # The OpenMP thread count is per calling thread, so set it where the search runs
    # (e.g. an asyncio worker thread) and restore it for whatever that thread does next.
    if n is None:
        yield
        return
    faiss = load_faiss()
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def empty_results(nq: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Scores of -inf and ids of -1: what a search returns where it found nothing."""
    return np.full((nq, k), -np.inf, dtype=np.float32), np.full((nq, k), -1, dtype=np.int64)
