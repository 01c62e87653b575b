"""Checks ids and vectors before FAISS sees them, since FAISS takes bad input without a word."""

from __future__ import annotations

import numpy as np

_NORM_TOLERANCE = 1e-2  # catches unnormalised input, tolerates float16 round-off


def as_ids(ids: np.ndarray) -> np.ndarray:
    """``ids`` as a contiguous one-dimensional int64 array."""
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be one-dimensional, got shape {ids.shape}")
    if ids.size and not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be integers, got {ids.dtype}")
    return np.ascontiguousarray(ids, dtype=np.int64)


def as_vectors(x: np.ndarray, dim: int, what: str) -> np.ndarray:
    """``x`` (one vector or a matrix) as a contiguous finite float32 matrix of ``dim`` columns."""
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(f"{what} must have shape (n, {dim}), got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError(f"{what} contain NaN or infinite values")
    return np.ascontiguousarray(x)


def check_new(ids: np.ndarray, vectors: np.ndarray, present: np.ndarray) -> None:
    """Raises unless ``ids`` are new, distinct, non-negative and match unit-length ``vectors``;
    ``present`` marks the ids already in the index."""
    if len(ids) != len(vectors):
        raise ValueError(f"{len(ids)} ids but {len(vectors)} vectors")
    if (ids < 0).any():
        raise ValueError(f"ids must be non-negative, got {ids[ids < 0][:5].tolist()}")
    if len(np.unique(ids)) != len(ids):
        raise ValueError("ids contain duplicates")
    if present.any():
        raise ValueError(f"ids already in the index: {ids[present][:5].tolist()}")
    norms = np.linalg.norm(vectors, axis=1)
    bad = np.flatnonzero(np.abs(norms - 1) > _NORM_TOLERANCE)
    if len(bad):
        raise ValueError(
            f"vectors must be L2-normalised: row {bad[0]} has norm {norms[bad[0]]:.4f}"
        )
