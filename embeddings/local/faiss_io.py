"""Index files: fsynced when written; when read, kind and ids recovered or the bad file named."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.errors import StoreError
from embeddings.local.faiss_kinds import ivf_sq8_index, load_faiss


def write_index(index: Any, dim: int, path: Path) -> None:
    """Write ``index`` (None: an untrained, empty ivf_sq8) to ``path`` and fsync it."""
    faiss = load_faiss()
    if index is None:  # store a trainable stand-in
        index = ivf_sq8_index(dim, 1)
    try:
        faiss.write_index(index, str(path))
        with open(path, "rb+") as f:
            os.fsync(f.fileno())
    except (RuntimeError, OSError) as e:
        raise StoreError(f"cannot write FAISS index {path}: {_first_line(e)}") from e


def read_index(path: Path, mmap: bool) -> tuple[Any, str, int, np.ndarray]:
    """(FAISS index or None for an untrained ivf_sq8, kind, dimension, sorted ids) from ``path``."""
    faiss = load_faiss()
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
    return index, kind, dim, ids


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


def _first_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
