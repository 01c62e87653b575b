"""Section 5: how ingest, search and memory costs grow at 10k and 100k chunks (synthetic copies, replayed vectors)."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
from common import all_chunk_ids, write_jsonl
from ingest_speed import IngestRun
from latency import latency


class ReplayEncoder:
    """Stands in for the model when building large synthetic indexes: returns real vectors of
    the BBC index (plus a little noise), so FAISS sees the real distribution at a tiny cost.
    Token counting is the real tokenizer's, so chunking costs what it costs in production."""

    def __init__(self, pool: np.ndarray, real, seed: int = 0) -> None:
        self.pool, self.real = pool, real
        self.rng = np.random.default_rng(seed)
        self.model_id, self.dim = real.model_id, pool.shape[1]
        self.max_tokens = real.max_tokens
        self.count_tokens = real.count_tokens
        self.embedded = 0

    def embed(self, texts: Sequence[str], *, progress: bool = False, kind: str = "passage") -> np.ndarray:
        rows = self.pool[self.rng.integers(0, len(self.pool), len(texts))]
        rows = rows + self.rng.standard_normal(rows.shape).astype(np.float32) * 0.01
        self.embedded += len(texts)
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


def synthetic_records(records: list[dict], count: int) -> Iterable[dict]:
    """``count`` articles cycling through the corpus under new ids, each body changed so the
    pipeline does not drop it as a duplicate."""
    for i in range(count):
        n, r = divmod(i, len(records))
        r = records[r]
        yield {**r, "id": f"copy{n}/{r['id']}", "text": f"{r['text']}\n\nArchive copy {n + 1}."}


def growth(records: list[dict], bbc_dir: Path, work: Path, sizes: Sequence[int],
           embed_s_per_chunk: float, queries: Path) -> list[dict]:
    """Ingest (storage measured, embedding at the measured rate), search and memory at each size."""
    from embeddings.encoders.sentence import SentenceEncoder
    from embeddings.local import LocalStore as Store
    from qabot.ingest.pipeline import ingest
    from qabot.settings import Settings

    store = Store.open(bbc_dir / "index")
    pool = store.vectors.vectors(all_chunk_ids(store))
    chunks_per_article = store.docs.counts()["chunks"] / max(1, store.docs.counts()["documents"])
    store.close()
    rows = []
    for size in sizes:
        data_dir = work / f"growth-{size}"
        count = max(1, round(size / chunks_per_article))
        source = write_jsonl(synthetic_records(records, count), work / f"growth-{size}.jsonl")
        encoder = ReplayEncoder(pool, SentenceEncoder())
        t = time.perf_counter()
        # max_file_mb: the synthetic file is one big dump, larger than the default cap
        report = ingest([str(source)], Settings(data_dir=data_dir, max_file_mb=10_000), encoder)
        storage_s = time.perf_counter() - t
        source.unlink()
        if report.failed:
            raise RuntimeError(f"synthetic ingest failed: {report.failed[0]}")
        serve = latency(data_dir, queries, threads=(1,))[0]
        chunks = report.chunks_embedded
        rows.append({"target_chunks": size, "articles": report.added, "chunks": chunks,
                     "storage_s": round(storage_s, 1),
                     "ingest_s_estimate": round(storage_s + chunks * embed_s_per_chunk, 1),
                     "search_p50_ms": serve["search"]["p50_ms"], "search_p95_ms": serve["search"]["p95_ms"],
                     "ask_p95_ms": serve["ask"]["p95_ms"], "max_rss_mb": serve["max_rss_mb"],
                     "load": serve["load"]})
    return rows


def embed_seconds_per_chunk(cands: dict | None, default: IngestRun) -> float:
    """The bulk encoder's time per chunk on the sample, or the whole ingest rate without it."""
    for row in (cands or {}).get("rows", []):
        if row["name"] == "openvino bf16 token-sorted b32 t2":
            return row["seconds"] / row["chunks"]
    return default.seconds / max(1, default.chunks)
