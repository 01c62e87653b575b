"""The FAISS vector index as its callers see it: ids in, nearest ids out, filters, removal, files."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from embeddings.errors import StoreError
from embeddings.local import faiss_index
from embeddings.local.faiss_index import VectorIndex, choose_kind, rebuild, rebuild_target

DIM = 32
KINDS = ["flat", "hnsw", "ivf_sq8"]


@pytest.fixture(autouse=True)
def one_openmp_thread() -> Iterator[None]:
    """Results do not depend on the thread count; on a busy host spinning OpenMP workers make
    HNSW builds ~10x slower, so build with one."""
    import faiss

    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    yield
    faiss.omp_set_num_threads(before)


def clustered(n: int, seed: int = 0, clusters: int = 40) -> np.ndarray:
    """Normalised Gaussian-mixture vectors, shaped roughly like text embeddings."""
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, DIM))
    x = centres[rng.integers(0, clusters, n)] + 0.6 * rng.standard_normal((n, DIM))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def row_ids(n: int) -> np.ndarray:
    # Sparse, large ids like SQLite row ids after deletions: positions must not leak as ids.
    return 1_000 + 7 * np.arange(n, dtype=np.int64)


def build(kind: str, n: int = 2_000, seed: int = 0) -> tuple[VectorIndex, np.ndarray, np.ndarray]:
    vectors, ids = clustered(n, seed), row_ids(n)
    index = VectorIndex.create(DIM, kind)
    index.add(ids, vectors)
    return index, ids, vectors


def exact_top(vectors: np.ndarray, ids: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    return ids[np.argsort(-(queries @ vectors.T), axis=1, kind="stable")[:, :k]]


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    return float(
        np.mean([len(np.intersect1d(f, t)) / len(t) for f, t in zip(found, truth, strict=True)])
    )


@pytest.mark.parametrize("kind", KINDS)
def test_search_returns_the_nearest_id_with_its_cosine(kind: str) -> None:
    index, ids, vectors = build(kind)

    scores, found = index.search(vectors[[3, 500, 1999]], k=5)

    assert found[:, 0].tolist() == ids[[3, 500, 1999]].tolist()
    assert scores.shape == (3, 5) and scores.dtype == np.float32
    assert np.allclose(scores[:, 0], 1.0, atol=0.02)
    assert (np.diff(scores, axis=1) <= 1e-6).all()  # best first
    assert len(index) == 2_000


@pytest.mark.parametrize("kind", KINDS)
def test_removed_ids_are_never_returned_and_are_counted(kind: str) -> None:
    index, ids, vectors = build(kind)
    gone = ids[[10, 11, 12]]

    removed = index.remove(np.array([gone[0], gone[1], gone[2], gone[0], 999_999_999]))

    assert removed == 3
    assert len(index) == 1_997
    _, found = index.search(vectors[[10, 11, 12]], k=20)
    assert not np.isin(found, gone).any()
    _, found = index.search(vectors[[13]], k=1)
    assert found[0, 0] == ids[13]  # the rest is still there
    assert index.remove(gone) == 0
    index.add(gone[:1], vectors[[10]])  # a removed id can come back (an edited chunk)
    assert index.search(vectors[[10]], k=1)[1][0, 0] == gone[0]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("exact_below", [faiss_index.EXACT_FILTER_MAX, 0])
def test_allowed_ids_restrict_results_to_the_filter(
    kind: str, exact_below: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(faiss_index, "EXACT_FILTER_MAX", exact_below)  # both strategies of the approximate kinds
    index, ids, vectors = build(kind)
    rows = np.arange(400, 1_000)  # e.g. one date range of the archive
    allowed = np.concatenate([ids[rows], [5, 123_456_789]])  # unknown ids are ignored
    queries = clustered(50, seed=9)

    _, found = index.search(queries, k=10, allowed_ids=allowed)

    assert np.isin(found, ids[rows]).all()
    truth = exact_top(vectors[rows], ids[rows], queries, 10)
    assert recall(found, truth) >= 0.9


@pytest.mark.parametrize("kind", KINDS)
def test_a_narrow_filter_still_finds_its_nearest_passages(kind: str) -> None:
    index, ids, vectors = build(kind, n=4_000)
    rows = np.arange(1_000, 1_015)  # 15 of 4,000: the approximate kinds must widen their search
    queries = clustered(30, seed=11)

    _, found = index.search(queries, k=10, allowed_ids=ids[rows])

    assert recall(found, exact_top(vectors[rows], ids[rows], queries, 10)) >= 0.9


@pytest.mark.parametrize("kind", KINDS)
def test_concurrent_searches_agree_with_sequential_ones(kind: str) -> None:
    index, ids, _ = build(kind)
    queries = clustered(64, seed=4)
    allowed = ids[::3]
    expected = [index.search(q[None], k=10, allowed_ids=allowed)[1] for q in queries]

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda q: index.search(q[None], 10, allowed)[1], queries))

    assert all(np.array_equal(r, e) for r, e in zip(results, expected, strict=True))


@pytest.mark.parametrize("kind", KINDS)
def test_a_filter_matching_nothing_returns_no_results(kind: str) -> None:
    index, _, vectors = build(kind, n=200)

    scores, found = index.search(vectors[:2], k=3, allowed_ids=np.array([], dtype=np.int64))

    assert (found == -1).all() and np.isneginf(scores).all()


@pytest.mark.parametrize("kind", KINDS)
def test_k_larger_than_the_index_pads_with_minus_one(kind: str) -> None:
    index, ids, vectors = build(kind, n=20)

    scores, found = index.search(vectors[:1], k=25)

    assert sorted(found[0, :20].tolist()) == sorted(ids.tolist())
    assert (found[0, 20:] == -1).all()
    assert np.isneginf(scores[0, 20:]).all() and np.isfinite(scores[0, :20]).all()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("mmap", [False, True])
def test_save_and_load_keep_kind_ids_and_results(kind: str, mmap: bool, tmp_path: Path) -> None:
    index, ids, vectors = build(kind)
    index.remove(ids[:5])
    queries = clustered(20, seed=3)
    before = index.search(queries, k=10)
    path = tmp_path / "vectors.faiss"

    index.save(path)
    loaded = VectorIndex.load(path, mmap=mmap)

    assert (loaded.kind, loaded.dim, len(loaded)) == (kind, DIM, 1_995)
    after = loaded.search(queries, k=10)
    assert np.array_equal(after[1], before[1])
    assert np.allclose(after[0], before[0], atol=1e-5)
    assert np.allclose(loaded.vectors(ids[5:8]), index.vectors(ids[5:8]))
    if mmap:
        with pytest.raises(StoreError, match="read-only"):
            loaded.add(np.array([1], dtype=np.int64), vectors[:1])
    else:
        assert loaded.remove(ids[5:7]) == 2


def test_an_empty_ivf_index_round_trips_and_trains_on_first_add(tmp_path: Path) -> None:
    VectorIndex.create(DIM, "ivf_sq8").save(tmp_path / "empty.faiss")
    loaded = VectorIndex.load(tmp_path / "empty.faiss")
    vectors = clustered(500)

    assert loaded.kind == "ivf_sq8" and len(loaded) == 0
    assert (loaded.search(vectors[:1], k=2)[1] == -1).all()
    loaded.add(row_ids(500), vectors)
    assert loaded.search(vectors[[42]], k=1)[1][0, 0] == row_ids(500)[42]


def test_loading_a_missing_or_foreign_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="missing.faiss"):
        VectorIndex.load(tmp_path / "missing.faiss")
    junk = tmp_path / "junk.faiss"
    junk.write_bytes(b"this is not an index")
    with pytest.raises(StoreError, match="junk.faiss.*not a readable FAISS index"):
        VectorIndex.load(junk)


def test_vectors_returns_what_was_stored() -> None:
    index, ids, vectors = build("flat", n=100)

    assert np.array_equal(index.vectors(ids[[7, 3]]), vectors[[7, 3]])
    with pytest.raises(KeyError, match="12345"):
        index.vectors(np.array([12345]))


@pytest.mark.parametrize("kind", ["ivf_sq8", "hnsw"])
def test_rebuild_from_flat_keeps_ids_and_recall(kind: str) -> None:
    flat, ids, vectors = build("flat", n=4_000)
    queries = clustered(100, seed=5)
    truth = flat.search(queries, k=10)[1]

    converted = rebuild(flat, kind)

    assert converted.kind == kind and len(converted) == 4_000
    assert converted.contains(ids).all()
    assert recall(converted.search(queries, k=10)[1], truth) >= 0.9
    assert flat.kind == "flat" and len(flat) == 4_000  # the live index is left alone
    assert converted.search(vectors[[1234]], k=1)[1][0, 0] == ids[1234]


def test_rebuild_back_to_flat_keeps_every_id() -> None:
    ivf, ids, _ = build("ivf_sq8", n=3_000)

    flat = rebuild(ivf, "flat")

    assert len(flat) == 3_000
    assert np.array_equal(flat.contains(ids), np.ones(3_000, dtype=bool))


def test_adding_bad_input_fails_with_a_reason() -> None:
    index, ids, vectors = build("flat", n=10)

    with pytest.raises(ValueError, match="already in the index"):
        index.add(ids[:1], vectors[:1])
    with pytest.raises(ValueError, match="L2-normalised"):
        index.add(np.array([1]), vectors[:1] * 3)
    with pytest.raises(ValueError, match=r"shape \(n, 32\)"):
        index.add(np.array([1]), np.ones((1, 16), dtype=np.float32))
    with pytest.raises(ValueError, match="unknown index kind"):
        VectorIndex.create(DIM, "annoy")
    assert len(index) == 10


def test_size_policy_switches_to_ivf_above_the_flat_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    assert choose_kind(1_000) == "flat"
    assert choose_kind(faiss_index.FLAT_MAX) == "flat"
    assert choose_kind(faiss_index.FLAT_MAX + 1) == "ivf_sq8"

    monkeypatch.setattr(faiss_index, "FLAT_MAX", 1_000)
    index, _, _ = build("flat", n=1_500)
    assert rebuild_target(index) == "ivf_sq8"
    assert rebuild_target(index, "flat") is None
    ivf = rebuild(index, "ivf_sq8")
    ivf.remove(row_ids(1_500)[:800])  # shrinking a little does not flip back and forth
    assert rebuild_target(ivf) is None
    ivf.remove(row_ids(1_500)[800:1_100])
    assert rebuild_target(ivf) == "flat"


def test_an_ivf_index_that_outgrew_its_lists_asks_to_be_retrained() -> None:
    index = VectorIndex.create(DIM, "ivf_sq8")
    index.add(row_ids(400), clustered(400))  # trained on a small first batch
    assert rebuild_target(index, "ivf_sq8") is None

    more = clustered(6_000, seed=1)
    index.add(10_000_000 + np.arange(6_000), more)

    assert rebuild_target(index, "ivf_sq8") == "ivf_sq8"
    retrained = rebuild(index, "ivf_sq8")
    assert rebuild_target(retrained, "ivf_sq8") is None
    assert retrained.search(more[[17]], k=1)[1][0, 0] == 10_000_017
