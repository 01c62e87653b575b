"""FAISS vector index: cosine similarity over L2-normalised float32 vectors, keyed by chunk row ids.

Three kinds, chosen by size (see ``choose_kind`` and docs/index-types.md for the measurements):
``flat`` is exact and cheap to update; ``ivf_sq8`` stores 1 byte per dimension and scans a few
lists per query, which keeps a million chunks inside the memory and latency targets; ``hnsw`` is a
graph that answers fastest but holds full float32 vectors and cannot delete in place.

Searches may run from several threads at once as long as nothing writes: the writer builds a new
copy (``rebuild``) or works on its own instance, and readers never mutate the FAISS object.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.errors import StoreError

KINDS = ("flat", "hnsw", "ivf_sq8")

# Size policy, measured by benchmarks/scale.py (docs/index-types.md): exact search over one
# million 384-d vectors misses the 50 ms p95 target and needs ~1.6 GB; IVF-SQ8 meets it in a
# quarter of the memory. Below FLAT_MAX a flat scan is fast enough and exact.
FLAT_MAX = 200_000

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 64
HNSW_EF_SEARCH = 96

# FAISS k-means warns below 39 training points per centroid and gets unstable; never ask for
# more centroids than the data can train.
MIN_POINTS_PER_CENTROID = 39
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
_NORM_TOLERANCE = 1e-2  # catches unnormalised input, tolerates float16 round-off


def _faiss() -> Any:
    import faiss

    return faiss


def ivf_nlist(n_vectors: int) -> int:
    """Number of IVF lists for ``n_vectors``: ~4*sqrt(n), capped so each centroid can be trained."""
    return max(1, min(round(4 * math.sqrt(n_vectors)), n_vectors // MIN_POINTS_PER_CENTROID))


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
        faiss = _faiss()
        if kind == "flat":
            index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
        elif kind == "hnsw":
            hnsw = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            hnsw.hnsw.efSearch = HNSW_EF_SEARCH
            index = faiss.IndexIDMap2(hnsw)
            index.own_fields = True
            hnsw.this.disown()  # the IDMap owns and frees it
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
        ids = _as_ids(ids)
        vectors = self._as_vectors(vectors, "vectors")
        if len(ids) != len(vectors):
            raise ValueError(f"{len(ids)} ids but {len(vectors)} vectors")
        if len(ids) == 0:
            return
        if (ids < 0).any():
            raise ValueError(f"ids must be non-negative, got {ids[ids < 0][:5].tolist()}")
        if len(np.unique(ids)) != len(ids):
            raise ValueError("ids contain duplicates")
        present = self.contains(ids)
        if present.any():
            raise ValueError(f"ids already in the index: {ids[present][:5].tolist()}")
        norms = np.linalg.norm(vectors, axis=1)
        bad = np.flatnonzero(np.abs(norms - 1) > _NORM_TOLERANCE)
        if len(bad):
            raise ValueError(
                f"vectors must be L2-normalised: row {bad[0]} has norm {norms[bad[0]]:.4f}"
            )
        if self._index is None:
            nlist = ivf_nlist(len(vectors))
            self._train_ivf(_train_sample(vectors, nlist, DEFAULT_TRAIN_SAMPLE), nlist)
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
        ids = np.unique(_as_ids(ids))
        ids = ids[self.contains(ids)]
        if len(ids) == 0:
            return 0
        faiss = _faiss()
        if self.kind == "flat":
            removed = self._index.remove_ids(faiss.IDSelectorBatch(ids))
        elif self.kind == "ivf_sq8":
            # The hashtable direct map only accepts an explicit id array for removal.
            removed = self._index.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids)))
        else:
            keep = np.setdiff1d(self._ids, ids, assume_unique=True)
            fresh = VectorIndex.create(self.dim, "hnsw")
            _copy_vectors(self, fresh, keep)
            self._index, removed = fresh._index, len(ids)
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
        queries = self._as_vectors(queries, "queries")
        nq = len(queries)
        if allowed_ids is None:
            scores, ids = self._search(queries, k, fraction=1.0, selector=None)
        else:
            allowed = np.unique(_as_ids(allowed_ids))
            allowed = allowed[self.contains(allowed)]
            if len(allowed) == 0 or nq == 0:
                scores, ids = _empty(nq, k)
            elif len(allowed) <= EXACT_FILTER_MAX and self.kind != "flat":
                # a narrow filter: scoring its vectors beats widening an approximate search
                scores, ids = _exact_top_k(queries, self.vectors(allowed), allowed, k)
            else:
                selector = _selector(allowed)
                scores, ids = self._search(queries, k, len(allowed) / len(self), selector)
        scores[ids < 0] = -np.inf
        return scores, ids

    def vectors(self, ids: np.ndarray) -> np.ndarray:
        """Stored vectors for ``ids`` (exact for flat and hnsw, decoded 8-bit for ivf_sq8)."""
        ids = _as_ids(ids)
        missing = ~self.contains(ids)
        if missing.any():
            raise KeyError(f"ids not in the index: {ids[missing][:5].tolist()}")
        if len(ids) == 0:
            return np.empty((0, self.dim), dtype=np.float32)
        with _omp_threads(SEARCH_THREADS):  # memory-bound; a second thread only adds wake-up
            return self._index.reconstruct_batch(ids)

    def save(self, path: Path) -> None:
        """Write the index to ``path`` and fsync it; the caller swaps folders atomically."""
        faiss = _faiss()
        index = self._index
        if index is None:  # an untrained, empty ivf_sq8: store a trainable stand-in
            index = _ivf_sq8(faiss, self.dim, 1)
        try:
            faiss.write_index(index, str(path))
            with open(path, "rb+") as f:
                os.fsync(f.fileno())
        except (RuntimeError, OSError) as e:
            raise StoreError(f"cannot write FAISS index {path}: {_first_line(e)}") from e

    @classmethod
    def load(cls, path: Path, mmap: bool = False) -> VectorIndex:
        """Read an index written by ``save``; with ``mmap`` the vectors stay in the page cache
        (shared between processes, not counted twice) and the index is read-only."""
        faiss = _faiss()
        if not Path(path).is_file():
            raise StoreError(f"{path}: FAISS index file not found")
        try:
            index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC if mmap else 0)
        except RuntimeError as e:
            raise StoreError(f"{path}: not a readable FAISS index ({_first_line(e)})") from e
        if index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise StoreError(f"{path}: index does not use inner product; rebuild the index")
        kind, ids = _inspect(faiss, index, path)
        dim = int(index.d)
        if kind == "ivf_sq8" and not index.is_trained:
            index = None  # saved before any data: train on the first add
        return cls(index, kind, dim, ids, read_only=mmap)

    # --- internals -------------------------------------------------------------------------

    def _train_ivf(self, sample: np.ndarray, nlist: int) -> None:
        faiss = _faiss()
        index = _ivf_sq8(faiss, self.dim, nlist)
        index.train(sample)
        index.nprobe = ivf_nprobe(nlist)
        self._index = index

    def _search(
        self, queries: np.ndarray, k: int, fraction: float, selector: Any
    ) -> tuple[np.ndarray, np.ndarray]:
        if len(self) == 0 or len(queries) == 0:
            return _empty(len(queries), k)
        faiss = _faiss()
        # A filter that admits a fraction f of the vectors leaves ~f of the visited candidates,
        # so widen the search by 1/f to keep finding k allowed neighbours.
        widen = 1.0 / max(fraction, 1e-6)
        if self.kind == "flat":
            params: Any = faiss.SearchParameters(sel=selector) if selector is not None else None
        elif self.kind == "hnsw":
            ef = min(max(k, math.ceil(HNSW_EF_SEARCH * widen)), 4096)
            params = faiss.SearchParametersHNSW(efSearch=ef)
        else:
            nlist = self._index.nlist
            params = faiss.SearchParametersIVF(
                nprobe=min(nlist, math.ceil(ivf_nprobe(nlist) * widen))
            )
        if selector is not None and self.kind != "flat":
            params.sel = selector
        with _omp_threads(SEARCH_THREADS if len(queries) < _BATCHED_QUERIES else None):
            scores, ids = self._index.search(queries, k, params=params)
        return scores, ids

    def _check_writable(self) -> None:
        if self.read_only:
            raise StoreError("this vector index was loaded with mmap and is read-only")

    def _as_vectors(self, x: np.ndarray, what: str) -> np.ndarray:
        x = np.asarray(x, dtype=np.float32)
        if x.ndim == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[1] != self.dim:
            raise ValueError(f"{what} must have shape (n, {self.dim}), got {x.shape}")
        if not np.isfinite(x).all():
            raise ValueError(f"{what} contain NaN or infinite values")
        return np.ascontiguousarray(x)


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
        fresh._train_ivf(_normalised(index.vectors(sample)), nlist)
    _copy_vectors(index, fresh, ids)
    return fresh


def _train_sample(vectors: np.ndarray, nlist: int, limit: int) -> np.ndarray:
    size = max(limit, nlist * MIN_POINTS_PER_CENTROID)
    if len(vectors) <= size:
        return vectors
    rows = np.random.default_rng(0).choice(len(vectors), size=size, replace=False)
    return vectors[np.sort(rows)]


def _copy_vectors(src: VectorIndex, dst: VectorIndex, ids: np.ndarray) -> None:
    # In batches: the two indexes are in memory together, but never a third decoded copy.
    for start in range(0, len(ids), _BATCH):
        batch = ids[start : start + _BATCH]
        dst.add(batch, _normalised(src.vectors(batch)))


@contextmanager
def _omp_threads(n: int | None) -> Iterator[None]:
    # The OpenMP thread count is per calling thread, so set it where the search runs
    # (e.g. an asyncio worker thread) and restore it for whatever that thread does next.
    if n is None:
        yield
        return
    faiss = _faiss()
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def _normalised(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)


def _ivf_sq8(faiss: Any, dim: int, nlist: int) -> Any:
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.own_fields = True
    quantizer.this.disown()
    # A hashtable direct map lets us reconstruct and remove by arbitrary (row) id.
    index.set_direct_map_type(faiss.DirectMap.Hashtable)
    return index


def _inspect(faiss: Any, index: Any, path: Path) -> tuple[str, np.ndarray]:
    """Recover the kind and the sorted ids from a loaded FAISS index."""
    if isinstance(index, faiss.IndexIDMap2):
        inner = faiss.downcast_index(index.index)
        ids = np.sort(faiss.vector_to_array(index.id_map).astype(np.int64))
        if isinstance(inner, faiss.IndexFlat):
            return "flat", ids
        if isinstance(inner, faiss.IndexHNSW):
            return "hnsw", ids
    elif isinstance(index, faiss.IndexIVFScalarQuantizer):
        if index.sq.qtype == faiss.ScalarQuantizer.QT_8bit:
            if index.ntotal and index.direct_map.type != faiss.DirectMap.Hashtable:
                raise StoreError(f"{path}: IVF index has no id map; rebuild the index")
            return "ivf_sq8", _ivf_ids(faiss, index)
    raise StoreError(f"{path}: unsupported FAISS index type {type(index).__name__}")


def _ivf_ids(faiss: Any, index: Any) -> np.ndarray:
    lists = index.invlists
    parts = [np.empty(0, dtype=np.int64)]
    for list_no in range(index.nlist):
        size = lists.list_size(list_no)
        if size:
            ptr = lists.get_ids(list_no)
            parts.append(faiss.rev_swig_ptr(ptr, size).astype(np.int64))
            lists.release_ids(list_no, ptr)
    return np.sort(np.concatenate(parts))


def _selector(allowed: np.ndarray) -> Any:
    faiss = _faiss()
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


def _exact_top_k(
    queries: np.ndarray, vectors: np.ndarray, ids: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    # faiss.knn rather than a numpy matmul: it honours the search thread count, where a
    # multi-threaded BLAS call on a busy host costs milliseconds of wake-up for microseconds of work.
    faiss = _faiss()
    scores, out = _empty(len(queries), k)
    take = min(k, len(ids))
    with _omp_threads(SEARCH_THREADS if len(queries) < _BATCHED_QUERIES else None):
        top_scores, rows = faiss.knn(queries, vectors, take, metric=faiss.METRIC_INNER_PRODUCT)
    scores[:, :take] = top_scores
    out[:, :take] = ids[rows]
    return scores, out


def _empty(nq: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    return np.full((nq, k), -np.inf, dtype=np.float32), np.full((nq, k), -1, dtype=np.int64)


def _as_ids(ids: np.ndarray) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be one-dimensional, got shape {ids.shape}")
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be integers, got {ids.dtype}")
    return np.ascontiguousarray(ids, dtype=np.int64)


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
