"""Section 2: whole `qabot ingest` time vs the tutorial baseline, and stored vectors vs fp32: faster, yet the same vectors?"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from common import (
    BASELINE_BATCH,
    QUESTIONS,
    all_chunk_ids,
    baseline_text,
    char_split,
    child_env,
    load_avg,
    qabot_command,
    run_json,
    this_script,
)


def baseline_ingest(records: list[dict], out_dir: Path, batch_size: int = BASELINE_BATCH) -> dict:
    """The tutorial pipeline: split, fp32 encode, IndexFlatIP, save (index + texts)."""
    t0 = time.perf_counter()
    import faiss
    from sentence_transformers import SentenceTransformer

    from embeddings.encoders.sentence import packaged_model_path

    model = SentenceTransformer(packaged_model_path(), device="cpu")
    loaded = time.perf_counter() - t0
    texts = [c for r in records for c in char_split(baseline_text(r))]
    vectors = model.encode(texts, batch_size=batch_size, convert_to_numpy=True,
                           normalize_embeddings=True, show_progress_bar=False)
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    out_dir.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(out_dir / "index.faiss"))
    (out_dir / "chunks.json").write_text(json.dumps(texts))
    return {"chunks": len(texts), "model_load_s": round(loaded, 2),
            "in_process_s": round(time.perf_counter() - t0, 2)}


@dataclass
class IngestRun:
    name: str
    seconds: float
    articles: int
    chunks: int
    load: str
    cpu_s: float = 0.0
    env: dict[str, str] = field(default_factory=dict)

    def row(self, baseline: IngestRun) -> dict:
        """Wall-time ratio, and the CPU-time ratio, which other processes' load disturbs less
        (they take cores away, which stretches wall time but not the work done)."""
        return {"name": self.name, "seconds": round(self.seconds, 1), "cpu_s": self.cpu_s,
                "articles_per_s": round(self.articles / self.seconds, 2),
                "chunks": self.chunks, "chunks_per_s": round(self.chunks / self.seconds, 1),
                "speed_vs_baseline": round(baseline.seconds / self.seconds, 2),
                "cpu_vs_baseline": round(baseline.cpu_s / self.cpu_s, 2) if self.cpu_s else None,
                "load": self.load,
                "settings": self.env}


BASELINE_NAME = "baseline (1000/200 chars, fp32, batch 32, IndexFlatIP)"


def run_baseline(jsonl: Path, work: Path, articles: int, folder: str = "baseline") -> IngestRun:
    data, seconds = run_json(this_script("--baseline-worker", str(jsonl), str(work / folder)),
                             child_env(), work)
    return IngestRun(BASELINE_NAME, seconds, articles, data["chunks"], load_avg(), data["_cpu_s"])


def mean_run(runs: list[IngestRun]) -> IngestRun:
    """The baseline is run before and after qabot's ingests; ratios use the mean of the two, so
    a host that speeds up or slows down during the run favours neither side."""
    first = runs[0]
    return IngestRun(f"{first.name}, mean of {len(runs)} runs", sum(r.seconds for r in runs) / len(runs),
                     first.articles, first.chunks, first.load, round(sum(r.cpu_s for r in runs) / len(runs), 1))


def run_qabot_ingest(name: str, jsonl: Path, data_dir: Path, articles: int,
                     env: dict[str, str] | None = None, cache_dir: Path | None = None) -> IngestRun:
    """``qabot --data-dir D ingest JSONL --json`` in a fresh folder, model load included.
    ``cache_dir`` holds the converted OpenVINO model: empty for the first run, reused after."""
    env = env or {}
    cache = {"QABOT_CACHE_DIR": str(cache_dir)} if cache_dir else {}
    report, seconds = run_json([*qabot_command(), "--data-dir", str(data_dir), "ingest", str(jsonl), "--json"],
                               child_env(**cache, **env), data_dir.parent)
    if report.get("failed"):
        raise RuntimeError(f"qabot ingest failed on {len(report['failed'])} records: {report['failed'][:2]}")
    return IngestRun(name, seconds, articles, int(report["chunks_embedded"]), load_avg(), report["_cpu_s"], env)


# The first qabot run converts the model for OpenVINO and stores it; "model stored" is the same
# command again, as every later ingest or refresh runs; the overlap variants reuse it too.
DEFAULT_VARIANTS = "model stored:;overlap 1:QABOT_CHUNK_OVERLAP=1;overlap 0:QABOT_CHUNK_OVERLAP=0"


def variants(specs: str) -> list[tuple[str, dict[str, str]]]:
    """``name:KEY=VAL,KEY=VAL;...`` -> [(name, env)]; "default" (no overrides) always comes first."""
    out: list[tuple[str, dict[str, str]]] = [("default", {})]
    for spec in filter(None, (x.strip() for x in specs.split(";"))):
        name, _, pairs = spec.partition(":")
        env = dict(p.split("=", 1) for p in pairs.split(",") if p)
        out.append((name.strip(), env))
    return out


def slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name)


def retrieval_quality(data_dir: Path, env: dict[str, str]) -> dict:
    """``qabot eval`` on the BBC question set: does a variant find (and answer) as well?"""
    data, _ = run_json([*qabot_command(), "--data-dir", str(data_dir), "eval", str(QUESTIONS), "--json"],
                       child_env(**env), data_dir.parent)
    return {k: data[k] for k in ("recall@1", "recall@5", "mrr@10", "answer_contains") if k in data}


def stored_chunks(data_dir: Path, sample: int, seed: int = 0) -> tuple[list[int], list[str], np.ndarray]:
    """A random sample of stored chunks: ids, the exact text that was embedded, stored vectors."""
    from embeddings.local import LocalStore as Store

    store = Store.open(data_dir / "index")
    try:
        ids = all_chunk_ids(store)
        rng = np.random.default_rng(seed)
        ids = np.sort(rng.choice(ids, size=min(sample, len(ids)), replace=False))
        chunks = store.docs.chunks(ids.tolist())
        docs = store.docs.get_many(c.doc_id for c in chunks.values())
        texts = []
        for i in ids.tolist():
            title = docs[chunks[i].doc_id].title.strip()
            # the pipeline embeds the headline line with every passage (qabot/ingest/chunk.py)
            texts.append(f"{title}\n{chunks[i].text}" if title else chunks[i].text)
        return ids.tolist(), texts, store.vectors.vectors(ids)
    finally:
        store.close()


def fidelity(data_dir: Path, sample: int = 300) -> dict:
    """Cosine between the vectors in our index and fp32 vectors of the same chunk texts."""
    from sentence_transformers import SentenceTransformer

    from embeddings.encoders.sentence import packaged_model_path

    ids, texts, stored = stored_chunks(data_dir, sample)
    model = SentenceTransformer(packaged_model_path(), device="cpu")
    fp32 = model.encode(texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=True)
    cos = np.sum(stored * fp32, axis=1)
    return {"chunks": len(ids), "mean": round(float(cos.mean()), 5), "min": round(float(cos.min()), 5),
            "p01": round(float(np.percentile(cos, 1)), 5)}
