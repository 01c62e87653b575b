"""Builds each index kind's FAISS structure, so ``VectorIndex`` handles ids, not FAISS classes."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

KINDS = ("flat", "hnsw", "ivf_sq8")

# FAISS k-means warns below 39 training points per centroid and gets unstable; never ask for
# more centroids than the data can train.
MIN_POINTS_PER_CENTROID = 39


def load_faiss() -> Any:
    import faiss

    return faiss


def ivf_nlist(n_vectors: int) -> int:
    """Number of IVF lists for ``n_vectors``: ~4*sqrt(n), capped so each centroid can be trained."""
    return max(1, min(round(4 * math.sqrt(n_vectors)), n_vectors // MIN_POINTS_PER_CENTROID))


def flat_index(dim: int) -> Any:
    """Exact inner product, keyed by arbitrary int64 ids."""
    faiss = load_faiss()
    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def hnsw_index(dim: int, m: int, ef_construction: int, ef_search: int) -> Any:
    """An HNSW graph over full float32 vectors, keyed by arbitrary int64 ids."""
    faiss = load_faiss()
    hnsw = faiss.IndexHNSWFlat(dim, m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = ef_construction
    hnsw.hnsw.efSearch = ef_search
    index = faiss.IndexIDMap2(hnsw)
    index.own_fields = True
    hnsw.this.disown()  # the IDMap owns and frees it
    return index


def ivf_sq8_index(dim: int, nlist: int) -> Any:
    """An untrained IVF index with 8-bit scalar-quantised vectors and ``nlist`` lists."""
    faiss = load_faiss()
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.own_fields = True
    quantizer.this.disown()
    # A hashtable direct map lets us reconstruct and remove by arbitrary (row) id.
    index.set_direct_map_type(faiss.DirectMap.Hashtable)
    return index


def remove_ids(index: Any, kind: str, ids: np.ndarray) -> int:
    """Remove ``ids`` from a ``flat`` or ``ivf_sq8`` index in place; returns how many went."""
    faiss = load_faiss()
    if kind == "flat":
        return int(index.remove_ids(faiss.IDSelectorBatch(ids)))
    # The hashtable direct map only accepts an explicit id array for removal.
    return int(index.remove_ids(faiss.IDSelectorArray(len(ids), faiss.swig_ptr(ids))))


def training_sample(vectors: np.ndarray, nlist: int, limit: int) -> np.ndarray:
    """A reproducible sample of ``limit`` vectors, or the ``nlist`` lists' minimum if larger."""
    size = max(limit, nlist * MIN_POINTS_PER_CENTROID)
    if len(vectors) <= size:
        return vectors
    rows = np.random.default_rng(0).choice(len(vectors), size=size, replace=False)
    return vectors[np.sort(rows)]


def normalised(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length again (decoded 8-bit vectors drift off it)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)
