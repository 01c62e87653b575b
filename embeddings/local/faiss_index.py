"""FAISS vector index: cosine similarity over L2-normalised float32 vectors, keyed by chunk row ids.

Three kinds, chosen by size (see ``choose_kind`` and docs/index-types.md for the measurements):
``flat`` is exact and cheap to update; ``ivf_sq8`` stores 1 byte per dimension and scans a few
lists per query, which keeps a million chunks inside the memory and latency targets; ``hnsw`` is a
graph that answers fastest but holds full float32 vectors and cannot delete in place.

Searches may run from several threads at once as long as nothing writes: the writer builds a new
copy (``rebuild``) or works on its own instance, and readers never mutate the FAISS object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from embeddings.errors import StoreError
from embeddings.local.faiss_checks import as_ids, as_vectors, check_new
from embeddings.local.faiss_io import read_index, write_index
from embeddings.local.faiss_kinds import (
    KINDS,
    MIN_POINTS_PER_CENTROID,
    flat_index,
    hnsw_index,
    ivf_nlist,
    ivf_sq8_index,
    normalised,
    remove_ids,
    training_sample,
)
from embeddings.local.faiss_search import (
    empty_results,
    exact_top_k,
    id_selector,
    omp_threads,
    search_params,
)

# The tunables are read from this module when used, so tests and benchmarks/scale.py can set them.

# Size policy, measured by benchmarks/scale.py (docs/index-types.md): exact search over one
# million 384-d vectors misses the 50 ms p95 target and needs ~1.6 GB; IVF-SQ8 meets it in a
# quarter of the memory. Below FLAT_MAX a flat scan is fast enough and exact.
FLAT_MAX = 200_000

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 64
HNSW_EF_SEARCH = 96

DEFAULT_TRAIN_SAMPLE = 100_000

# Filters go to FAISS as an id selector, with the search widened by 1/(allowed share) so enough
# allowed candidates are visited; excluded ids cost only a bitmap test. HNSW's graph walk still
# visits excluded nodes, so below this many allowed ids it is faster to score them exactly.
EXACT_FILTER_MAX = 10_000

# OpenMP threads for a search of fewer than _BATCHED_QUERIES queries (None: OpenMP's default).
# Measured in docs/index-types.md: a single query gains nothing from a second thread, and on a
# busy 2-core host idle OpenMP workers spin and slow everything down.
SEARCH_THREADS: int | None = 1
_BATCHED_QUERIES = 16

_BATCH = 65_536


def ivf_nprobe(nlist: int) -> int:
    """Lists scanned per query: ~3x what synthetic data needs to plateau (recall@10 ~0.99 from
    10k to 1M), because real MiniLM embeddings needed about twice the probes (index-types.md)."""
    if nlist <= 64:
        # Under ~2.5k vectors the lists are trained on few points (2k vectors, 16 of 51 lists:
        # recall 0.89) and scanning all of them costs microseconds.
        return nlist
    return max(16, nlist // 64)


class VectorIndex:
    """Cosine similarity (inner product on L2-normalised float32 vectors) keyed by int64 ids.

    The ids are the SQLite chunk row ids. An instance loaded with ``mmap=True`` is read-only.
    """

    def __init__(self, index: Any, kind: str, dim: int, ids: np.ndarray, read_only: bool = False):
        self._index = index
        self.kind = kind
        self.dim = dim
        self._ids = ids  # sorted; lets us check membership without asking FAISS
        self.read_only = read_only

    @classmethod
    def create(cls, dim: int, kind: str = "flat") -> VectorIndex:
        """An empty index; ``ivf_sq8`` is trained by its first ``add`` (or by ``rebuild``)."""
        if kind not in KINDS:
            raise ValueError(f"unknown index kind {kind!r}; expected one of {', '.join(KINDS)}")
        if dim < 1:
            raise ValueError(f"index dimension must be positive, got {dim}")
        if kind == "flat":
            index = flat_index(dim)
        elif kind == "hnsw":
            index = hnsw_index(dim, HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH)
        else:
            index = None  # needs training data to size its lists
        return cls(index, kind, dim, np.empty(0, dtype=np.int64))

    def __len__(self) -> int:
        return len(self._ids)

    def __repr__(self) -> str:
        return f"VectorIndex(kind={self.kind!r}, dim={self.dim}, size={len(self)})"

    def contains(self, ids: np.ndarray) -> np.ndarray:
        """Boolean mask: which of ``ids`` are in the index."""
        ids = np.asarray(ids, dtype=np.int64)
        pos = np.searchsorted(self._ids, ids)
        found = pos < len(self._ids)
        found[found] = self._ids[pos[found]] == ids[found]
        return found

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under new ids; an id already present is an error (remove it first)."""
        self._check_writable()
        ids = as_ids(ids)
        vectors = as_vectors(vectors, self.dim, "vectors")
        check_new(ids, vectors, self.contains(ids))
        if len(ids) == 0:
            return
        if self._index is None:
            nlist = ivf_nlist(len(vectors))
            self._train_ivf(training_sample(vectors, nlist, DEFAULT_TRAIN_SAMPLE), nlist)
        self._index.add_with_ids(vectors, ids)
        if len(self._ids) == 0 or ids.min() > self._ids[-1]:
            # Row ids grow monotonically, so appending usually keeps the order without a sort.
            self._ids = np.concatenate([self._ids, np.sort(ids)])
        else:
            self._ids = np.union1d(self._ids, ids)

    def remove(self, ids: np.ndarray) -> int:
        """Remove ids (absent ones are ignored); returns how many were removed.

        HNSW cannot delete from its graph, so for ``hnsw`` this rebuilds the graph from the
        remaining vectors: O(n log n), fine for occasional batches, slow for frequent ones.
        """
        self._check_writable()
        ids = np.unique(as_ids(ids))
        ids = ids[self.contains(ids)]
        if len(ids) == 0:
            return 0
        if self.kind == "hnsw":
            keep = np.setdiff1d(self._ids, ids, assume_unique=True)
            fresh = VectorIndex.create(self.dim, "hnsw")
            _copy_vectors(self, fresh, keep)
            self._index, removed = fresh._index, len(ids)
        else:
            removed = remove_ids(self._index, self.kind, ids)
        self._ids = np.setdiff1d(self._ids, ids, assume_unique=True)
        if removed != len(ids):
            raise StoreError(
                f"FAISS removed {removed} of {len(ids)} ids; the index is inconsistent"
            )
        return int(removed)

    def search(
        self, queries: np.ndarray, k: int, allowed_ids: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` by cosine: scores (nq, k) float32 and ids (nq, k) int64, best first.

        Missing results (fewer than ``k`` candidates) have id -1 and score -inf. ``allowed_ids``
        restricts results to those ids (date or section filters); ids not in the index are ignored.
        """
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        queries = as_vectors(queries, self.dim, "queries")
        nq = len(queries)
        if allowed_ids is None:
            scores, ids = self._search(queries, k, fraction=1.0, selector=None)
        else:
            allowed = np.unique(as_ids(allowed_ids))
            allowed = allowed[self.contains(allowed)]
            if len(allowed) == 0 or nq == 0:
                scores, ids = empty_results(nq, k)
            elif len(allowed) <= EXACT_FILTER_MAX and self.kind != "flat":
                # a narrow filter: scoring its vectors beats widening an approximate search
                threads = _search_threads(nq)
                scores, ids = exact_top_k(queries, self.vectors(allowed), allowed, k, threads)
            else:
                selector = id_selector(allowed)
                scores, ids = self._search(queries, k, len(allowed) / len(self), selector)
        scores[ids < 0] = -np.inf
        return scores, ids

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """Stored vectors for ``ids`` (exact for flat and hnsw, decoded 8-bit for ivf_sq8)."""
        ids = as_ids(ids)
        missing = ~self.contains(ids)
        if missing.any():
            raise KeyError(f"ids not in the index: {ids[missing][:5].tolist()}")
        if len(ids) == 0:
            return np.empty((0, self.dim), dtype=np.float32)
        with omp_threads(SEARCH_THREADS):  # memory-bound; a second thread only adds wake-up
            return self._index.reconstruct_batch(ids)

    def save(self, path: Path) -> None:
        """Write the index to ``path`` and fsync it; the caller swaps folders atomically."""
        write_index(self._index, self.dim, path)

    @classmethod
    def load(cls, path: Path, mmap: bool = False) -> VectorIndex:
        """Read an index written by ``save``; with ``mmap`` the vectors stay in the page cache
        (shared between processes, not counted twice) and the index is read-only."""
        index, kind, dim, ids = read_index(path, mmap)
        return cls(index, kind, dim, ids, read_only=mmap)

    # --- internals -------------------------------------------------------------------------

    def _train_ivf(self, sample: np.ndarray, nlist: int) -> None:
        index = ivf_sq8_index(self.dim, nlist)
        index.train(sample)
        index.nprobe = ivf_nprobe(nlist)
        self._index = index

    def _search(
        self, queries: np.ndarray, k: int, fraction: float, selector: Any
    ) -> tuple[np.ndarray, np.ndarray]:
        if len(self) == 0 or len(queries) == 0:
            return empty_results(len(queries), k)
        params = search_params(
            self._index, self.kind, k, fraction, selector,
            ef_search=HNSW_EF_SEARCH, nprobe=ivf_nprobe,
        )
        with omp_threads(_search_threads(len(queries))):
            scores, ids = self._index.search(queries, k, params=params)
        return scores, ids

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("this vector index was loaded with mmap and is read-only")


def choose_kind(n_vectors: int) -> str:
    """The index kind for ``n_vectors`` when the setting is "auto"."""
    return "flat" if n_vectors <= FLAT_MAX else "ivf_sq8"


def rebuild_target(index: VectorIndex, setting: str = "auto") -> str | None:
    """The kind to ``rebuild`` into after ingestion, or None when the index is fine as it is.

    With "auto", switch kinds only with hysteresis (back to flat below half of FLAT_MAX) so an
    archive hovering around the threshold is not rebuilt every run. An ``ivf_sq8`` that has
    grown past four times the size its lists were trained for is retrained.
    """
    n = len(index)
    if setting == "auto":
        target = choose_kind(n)
        if index.kind != "flat" and target == "flat" and n > FLAT_MAX // 2:
            target = index.kind
    elif setting in KINDS:
        target = setting
    else:
        raise ValueError(f"unknown index setting {setting!r}; expected auto or one of {KINDS}")
    if target != index.kind:
        return target
    if index.kind == "ivf_sq8" and index._index is not None:
        if index._index.nlist * 2 <= ivf_nlist(n):
            return "ivf_sq8"
    return None


def rebuild(index: VectorIndex, kind: str, train_sample: int = DEFAULT_TRAIN_SAMPLE) -> VectorIndex:
    """A new index of ``kind`` holding the same ids and vectors; ``index`` is left untouched.

    ``ivf_sq8`` trains its lists on a random sample of ``train_sample`` vectors (raised to FAISS's
    39 points per list). Vectors read back from an ``ivf_sq8`` are decoded 8-bit approximations.
    """
    fresh = VectorIndex.create(index.dim, kind)
    ids = index._ids.copy()
    if kind == "ivf_sq8" and len(ids):
        nlist = ivf_nlist(len(ids))
        size = min(len(ids), max(train_sample, nlist * MIN_POINTS_PER_CENTROID))
        sample = np.sort(np.random.default_rng(0).choice(ids, size=size, replace=False))
        fresh._train_ivf(normalised(index.vectors(sample)), nlist)
    _copy_vectors(index, fresh, ids)
    return fresh


def _search_threads(n_queries: int) -> int | None:
    """OpenMP threads for a search of ``n_queries``: ``SEARCH_THREADS`` unless it is a batch."""
    return SEARCH_THREADS if n_queries < _BATCHED_QUERIES else None


def _copy_vectors(src: VectorIndex, dst: VectorIndex, ids: np.ndarray) -> None:
    # In batches: the two indexes are in memory together, but never a third decoded copy.
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        dst.add(batch, normalised(src.vectors(batch)))
