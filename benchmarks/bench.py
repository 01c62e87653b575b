"""Speed and memory of qabot (ingest, search, ask, serving memory), side by side with a baseline.

    python benchmarks/bench.py [--corpus PATH] [--limit N] [--json]

The baseline is the usual tutorial pipeline, run by this script on the same articles and the same
packaged model: 1,000-character splits with 200 overlap, sentence-transformers fp32 ``encode``
(batch 32), a FAISS ``IndexFlatIP``. The machine is shared (2 cores), so absolute timings drift
with the load of other processes: every speed is also given as a ratio to the baseline measured
in the same run, and the load average is printed with each section. See docs/performance.md.

Sections: 1. start-up; 2. ingest (whole ``qabot ingest`` command vs the baseline command) and the
cosine between our stored vectors and fp32 vectors of the same texts; 3. encoder and chunking
candidates on a sample (bf16/fp32, batch size, threads, chunk size and overlap, int8, ONNX
Runtime when installed); 4. search and ask latency with 1 and 2 torch threads, and the peak RSS
of the serving process; 5. cost growth at 10k and 100k chunks (synthetic copies of the corpus).
The 1M-vector FAISS figures are benchmarks/scale.py's (docs/index-types.md).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "bbc" / "articles.jsonl"
QUESTIONS = ROOT / "benchmarks" / "bbc_questions.jsonl"
BASELINE_CHARS, BASELINE_OVERLAP, BASELINE_BATCH = 1000, 200, 32
TARGETS = {"ingest_ratio": 3.0, "cosine": 0.999, "search_p95_ms": 30.0, "ask_p95_ms": 50.0,
           "peak_rss_mb": 900.0}


# --- small helpers ------------------------------------------------------------------------------


def load_records(corpus: Path, limit: int = 0) -> list[dict]:
    """The corpus's JSON records (``limit`` 0 = all), read at run time, never copied."""
    records = []
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                records.append(json.loads(line))
                if limit and len(records) >= limit:
                    break
    return records


def write_jsonl(records: Iterable[dict], path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return path


def spread(items: Sequence, n: int) -> list:
    """``n`` items evenly spaced over ``items`` (every section of the corpus is represented)."""
    if n >= len(items):
        return list(items)
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def char_split(text: str, size: int = BASELINE_CHARS, overlap: int = BASELINE_OVERLAP) -> list[str]:
    """The tutorial's plain character splitter: fixed windows of ``size`` characters."""
    if size <= overlap:
        raise ValueError(f"chunk size {size} must exceed the overlap {overlap}")
    chunks, start = [], 0
    while True:
        chunks.append(text[start : start + size])
        if start + size >= len(text):
            return chunks
        start += size - overlap


def baseline_text(record: dict) -> str:
    """The whole article as the tutorial would feed it: headline line, then the body."""
    title = str(record.get("title") or "").strip()
    return f"{title}\n\n{record['text']}" if title else str(record["text"])


def percentiles(ms: Sequence[float]) -> dict[str, float]:
    a = np.asarray(ms, dtype=np.float64)
    return {"p50_ms": round(float(np.percentile(a, 50)), 1),
            "p95_ms": round(float(np.percentile(a, 95)), 1), "n": len(a)}


def load_avg() -> str:
    return "/".join(f"{x:.2f}" for x in os.getloadavg())


def child_env(**extra: str) -> dict[str, str]:
    """The environment for measured subprocesses: offline, no stray QABOT_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("QABOT_")}
    env.update(HF_HUB_OFFLINE="1", TOKENIZERS_PARALLELISM="false")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


def children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_json(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[dict, float]:
    """Runs ``cmd``; returns its last stdout line parsed as JSON and the wall time.
    The child's CPU time is added to the JSON as ``_cpu_s``."""
    t, cpu = time.perf_counter(), children_cpu_s()
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    cpu = children_cpu_s() - cpu
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])}... exited {proc.returncode}: {proc.stderr.strip()[-800:]}")
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    if isinstance(data, dict):
        data["_cpu_s"] = round(cpu, 1)
    return data, seconds


def qabot_command() -> list[str]:
    script = Path(sys.executable).parent / "qabot"
    return [str(script)] if script.exists() else [sys.executable, "-m", "qabot"]


def this_script(*args: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), *args]


# --- 1. start-up --------------------------------------------------------------------------------


def startup(repeats: int = 5) -> dict:
    """Wall time of ``qabot --help`` and of importing the CLI (no torch may be imported)."""
    env, out = child_env(), {}
    for name, cmd in (("qabot --help", [*qabot_command(), "--help"]),
                      ("import qabot.cli", [sys.executable, "-c", "import qabot.cli"])):
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, check=True)
            times.append(time.perf_counter() - t)
        out[name] = {"min_s": round(min(times), 3), "median_s": round(statistics.median(times), 3)}
    probe = "import sys, qabot.cli; print(sorted(m for m in ('torch', 'sentence_transformers', 'faiss', 'numpy') if m in sys.modules))"
    heavy = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.strip()
    out["heavy_modules_after_import"] = heavy
    return out


# --- 2. ingest: the whole command, ours and the baseline's --------------------------------------


def baseline_ingest(records: list[dict], out_dir: Path, batch_size: int = BASELINE_BATCH) -> dict:
    """The tutorial pipeline: split, fp32 encode, IndexFlatIP, save (index + texts)."""
    t0 = time.perf_counter()
    import faiss
    from sentence_transformers import SentenceTransformer

    from embeddings.encoder import packaged_model_path

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


def all_chunk_ids(store) -> np.ndarray:
    """Every stored passage id of a local index."""
    return np.asarray([r[0] for r in store.docs._query("SELECT id FROM chunks")], dtype=np.int64)


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
            # the pipeline embeds the headline line with every passage (qabot/chunk.py)
            texts.append(f"{title}\n{chunks[i].text}" if title else chunks[i].text)
        return ids.tolist(), texts, store.vectors.vectors(ids)
    finally:
        store.close()


def fidelity(data_dir: Path, sample: int = 300) -> dict:
    """Cosine between the vectors in our index and fp32 vectors of the same chunk texts."""
    from sentence_transformers import SentenceTransformer

    from embeddings.encoder import packaged_model_path

    ids, texts, stored = stored_chunks(data_dir, sample)
    model = SentenceTransformer(packaged_model_path(), device="cpu")
    fp32 = model.encode(texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=True)
    cos = np.sum(stored * fp32, axis=1)
    return {"chunks": len(ids), "mean": round(float(cos.mean()), 5), "min": round(float(cos.min()), 5),
            "p01": round(float(np.percentile(cos, 1)), 5)}


# --- 3. candidates on a sample, in one process ---------------------------------------------------


@dataclass
class Candidate:
    name: str
    embed: Callable[[list[str]], np.ndarray]
    texts: list[str]
    threads: int
    quality_ref: str | None = None  # name of the fp32 candidate over the same texts
    times: list[float] = field(default_factory=list)
    vectors: np.ndarray | None = None


def our_texts(articles: list, chunk_tokens: int, overlap: int | str, count_tokens, max_model_tokens: int) -> list[str]:
    from qabot.chunk import chunk_article

    max_tokens = min(chunk_tokens, max_model_tokens - 2)  # as qabot/pipeline.py
    return [c.text for a in articles for c in chunk_article(a, count_tokens, max_tokens, overlap)]


def load_articles(jsonl: Path) -> list:
    """Articles through qabot's own loader (the cleaning the pipeline applies)."""
    from qabot.archive import load_sources
    from qabot.models import Article
    from qabot.settings import Settings

    return [a for a in load_sources([str(jsonl)], Settings()) if isinstance(a, Article)]


def st_embed(model, batch_size: int, bf16: bool) -> Callable[[list[str]], np.ndarray]:
    def embed(texts: list[str]) -> np.ndarray:
        import torch

        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            v = model.encode(texts, batch_size=batch_size, convert_to_tensor=True,
                             normalize_embeddings=False, show_progress_bar=False)
        v = v.float().numpy()  # normalised in fp32: a bf16 model would normalise in bf16
        return v / np.linalg.norm(v, axis=1, keepdims=True)
    return embed


def bf16_model(model):
    """A copy of the model with bfloat16 weights: no per-call casts, but LayerNorm and softmax in
    bf16 too (autocast keeps those in fp32)."""
    import copy

    import torch

    return copy.deepcopy(model).to(torch.bfloat16)


def int8_model(model):
    """A copy of the model with dynamically quantised int8 Linear layers (torch)."""
    import copy
    import warnings

    import torch

    with warnings.catch_warnings():  # torch's deprecation notice for quantised tensors
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(copy.deepcopy(model), {torch.nn.Linear}, dtype=torch.qint8)


def onnx_sessions(model, work: Path, threads: int) -> dict[str, Callable[[list[str]], np.ndarray]]:
    """fp32 and int8 ONNX Runtime sessions exported from the packaged model, or {} when
    onnx/onnxruntime are not installed (``optimum`` is not used: it pins transformers < 4.58)."""
    try:
        import onnxruntime as ort
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError:
        return {}
    import torch

    bert = model[0].auto_model.eval()

    class Hidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = model.tokenizer(["a short text", "a slightly longer text to export"], padding=True, return_tensors="pt")
    fp32_path, int8_path = work / "minilm.onnx", work / "minilm-int8.onnx"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Hidden(bert), tuple(sample[n] for n in names), str(fp32_path),
                          input_names=names, output_names=["hidden"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch", 1: "seq"} for n in [*names, "hidden"]})
    quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    out = {}
    for label, path in (("onnx fp32", fp32_path), ("onnx int8", int8_path)):
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        out[label] = _ort_embed(session, model.tokenizer, model.max_seq_length)
    return out


def _ort_embed(session, tokenizer, max_len: int, batch_size: int = 64) -> Callable[[list[str]], np.ndarray]:
    def embed(texts: list[str]) -> np.ndarray:
        order = np.argsort([-len(t) for t in texts], kind="stable")  # length-sorted, as sentence-transformers
        out = np.empty((len(texts), 0), dtype=np.float32)
        rows = []
        for start in range(0, len(texts), batch_size):
            batch = [texts[i] for i in order[start : start + batch_size]]
            enc = tokenizer(batch, padding=True, truncation=True, max_length=max_len, return_tensors="np")
            feeds = {n: enc[n].astype(np.int64) for n in ("input_ids", "attention_mask", "token_type_ids")}
            hidden = session.run(None, feeds)[0]
            mask = enc["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
            rows.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        out = np.empty((len(texts), rows[0].shape[1]), dtype=np.float32)
        out[order] = np.concatenate(rows)
        return out
    return embed


def candidates(articles: list, records: list[dict], rounds: int, work: Path, onnx: bool) -> dict:
    """Embedding time of each candidate over the same articles, interleaved over ``rounds``;
    the fastest round counts (the one least disturbed by other processes)."""
    import torch

    from embeddings.encoder import SentenceEncoder, load_model, packaged_model_path

    encoder = SentenceEncoder(backend="torch", batch_size=64)  # torch, batches sorted by tokens
    openvino = SentenceEncoder(backend="openvino")  # what `qabot ingest` uses for large batches
    model = load_model(packaged_model_path(), "cpu")
    count, max_len = encoder.count_tokens, int(model.max_seq_length)
    base_texts = [c for r in records for c in char_split(baseline_text(r))]
    texts = {(ct, ov): our_texts(articles, ct, ov, count, max_len) for ct, ov in
             ((128, 1), (128, 0), (128, "auto"), (256, 1))}
    t128 = texts[(128, 1)]
    cands = [Candidate("baseline fp32 b32 t2 (1000/200 chars)", st_embed(model, 32, False), base_texts, 2),
             Candidate("fp32 b32 t2", st_embed(model, 32, False), t128, 2),
             Candidate("fp32 b32 t1", st_embed(model, 32, False), t128, 1, "fp32 b32 t2")]
    for bs in (32, 64, 128):
        cands.append(Candidate(f"bf16 b{bs} t2", st_embed(model, bs, True), t128, 2, "fp32 b32 t2"))
    cands.append(Candidate("bf16 b64 t1", st_embed(model, 64, True), t128, 1, "fp32 b32 t2"))
    cands.append(Candidate("bf16 weights b64 t2", st_embed(bf16_model(model), 64, False), t128, 2, "fp32 b32 t2"))
    # the rows above sort batches by characters (sentence-transformers); qabot's encoder by tokens
    cands.append(Candidate("bf16 token-sorted b64 t2", encoder.embed, t128, 2, "fp32 b32 t2"))
    cands.append(Candidate("openvino bf16 token-sorted b32 t2", openvino.embed, t128, 2, "fp32 b32 t2"))
    for ct, ov in ((128, "auto"), (128, 0), (256, 1)):
        cands.append(Candidate(f"openvino bf16 b32 t2 chunks {ct}/{ov}", openvino.embed, texts[(ct, ov)], 2))
    notes = []
    try:
        q8 = int8_model(model)
    except Exception as e:  # an API that moved between torch releases: report, don't stop
        notes.append(f"torch int8 not tried: {type(e).__name__}: {e}")
    else:
        cands.append(Candidate("int8 (torch dynamic) b64 t1", st_embed(q8, 64, False), t128, 1, "fp32 b32 t2"))
    if onnx:
        sessions = {}
        try:
            sessions = onnx_sessions(model, work, 1)
        except Exception as e:
            notes.append(f"ONNX Runtime not measured: export failed: {type(e).__name__}: {str(e)[:200]}")
        else:
            if not sessions:
                notes.append("ONNX Runtime not tried: onnx/onnxruntime not installed")
        for label, fn in sessions.items():
            cands.append(Candidate(f"{label} b64 t1", fn, t128, 1, "fp32 b32 t2"))
    for c in cands:  # warm-up: first call pays for kernel selection and page-in
        torch.set_num_threads(c.threads)
        c.embed(c.texts[:16])
    for r in range(rounds):
        for c in cands if r % 2 == 0 else reversed(cands):
            torch.set_num_threads(c.threads)
            t = time.perf_counter()
            vectors = c.embed(c.texts)
            c.times.append(time.perf_counter() - t)
            if c.vectors is None:
                c.vectors = np.asarray(vectors, dtype=np.float32)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    by_name = {c.name: c for c in cands}
    base = min(cands[0].times)
    rows = []
    for c in cands:
        best = min(c.times)
        row = {"name": c.name, "chunks": len(c.texts), "tokens": int(sum(count(c.texts))),
               "seconds": round(best, 2), "chunks_per_s": round(len(c.texts) / best, 1),
               "articles_per_s": round(len(articles) / best, 2), "speed_vs_baseline": round(base / best, 2)}
        if c.quality_ref:
            ref = by_name[c.quality_ref].vectors
            cos = np.sum(ref * c.vectors, axis=1)
            row["cosine_vs_fp32_mean"] = round(float(cos.mean()), 5)
            row["cosine_vs_fp32_min"] = round(float(cos.min()), 5)
        rows.append(row)
    return {"articles": len(articles), "rounds": rounds, "rows": rows, "notes": notes}


# --- 4. search / ask latency and serving memory (a subprocess each) ------------------------------


def serve_worker(data_dir: Path, queries_path: Path, threads: int) -> dict:
    """Opens the service as the bot would, runs the queries, reports latency and max RSS."""
    import torch

    torch.set_num_threads(threads)
    from qabot.settings import Settings
    from qabot.wiring import build_service

    queries = json.loads(queries_path.read_text())
    t = time.perf_counter()
    service = build_service(Settings(data_dir=data_dir), check=False)
    service.search("warm up the model and the index", 10)
    open_s = time.perf_counter() - t
    for q in queries["search"][:10]:
        service.search(q, 10)
    for q in queries["ask"][:5]:
        service.ask(q)
    timed = {}
    for kind in ("search", "ask", "embed"):
        ms = []
        for q in queries["ask" if kind == "ask" else "search"]:
            t = time.perf_counter()
            if kind == "search":
                service.search(q, 10)
            elif kind == "ask":
                service.ask(q)
            else:
                service.encoder.embed([q])
            ms.append((time.perf_counter() - t) * 1000)
        timed[kind] = percentiles(ms)
    return {"threads": threads, "open_s": round(open_s, 2), **timed, "max_rss_mb": peak_rss_mb(),
            "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def peak_rss_mb() -> int:
    """This program's peak RSS (VmHWM). ``ru_maxrss`` is printed too, but Linux carries it over
    from the parent through fork and exec, so a child of a big process reports the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def make_queries(records: list[dict], n: int, path: Path) -> Path:
    """Headlines as search queries; the question set (then headlines) as questions."""
    headlines = [str(r["title"]).strip() for r in spread(records, n) if str(r.get("title") or "").strip()]
    questions = []
    if QUESTIONS.exists():
        ids = {r["id"] for r in records if "id" in r}
        for line in QUESTIONS.read_text().splitlines():
            if line.strip():
                q = json.loads(line)
                if not ids or set(q.get("expected", [])) & ids:
                    questions.append(q["question"])
    asks = (questions + headlines)[:n]
    path.write_text(json.dumps({"search": headlines, "ask": asks, "questions_from_file": min(len(questions), n)}))
    return path


def latency(data_dir: Path, queries: Path, threads: Sequence[int] = (1, 2)) -> list[dict]:
    rows = []
    for n in threads:
        data, _ = run_json(this_script("--serve-worker", str(data_dir), str(queries), str(n)),
                           child_env(), data_dir.parent)
        rows.append({**data, "load": load_avg()})
    return rows


def latency_only(data_dir: Path, corpus: Path, n: int, as_json: bool) -> int:
    """Section 4 alone, over an index built beforehand: the serving figures without the
    ingest sections, so they can be measured in a short quiet window."""
    with tempfile.TemporaryDirectory() as tmp:
        rows = latency(data_dir.resolve(), make_queries(load_records(corpus), n, Path(tmp) / "queries.json"))
    lat = latency_table(rows)
    print(json.dumps(lat, indent=2) if as_json else table(lat, list(lat[0])))
    return 0


# --- 5. cost growth --------------------------------------------------------------------------------


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

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
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
    from embeddings.encoder import SentenceEncoder
    from embeddings.local import LocalStore as Store
    from qabot.pipeline import ingest
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


# --- the run --------------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict:
    corpus = Path(args.corpus)
    records = load_records(corpus, args.limit)
    out: dict = {"corpus": str(corpus), "articles": len(records), "cores": os.cpu_count(),
                 "load_start": load_avg(), "targets": TARGETS}

    def say(text: str) -> None:  # progress on stderr, so --json output stays one object
        print(text, file=sys.stderr, flush=True)
        if args.save:  # what is measured so far survives a later failure
            Path(args.save).write_text(json.dumps(out, indent=2))

    with tempfile.TemporaryDirectory(prefix="qabot-bench-") as tmp:
        work = Path(tmp)
        jsonl = corpus if not args.limit else write_jsonl(records, work / "articles.jsonl")
        say(f"[{load_avg()}] start-up")
        out["startup"] = startup()

        say(f"[{load_avg()}] ingest: baseline")
        baselines = [run_baseline(jsonl, work, len(records))]
        runs = []
        for name, env in variants(args.variants):
            say(f"[{load_avg()}] ingest: qabot {name}")
            runs.append(run_qabot_ingest(f"qabot ({name})", jsonl, work / f"data-{slug(name)}", len(records), env,
                                         cache_dir=work / "model-cache"))
        say(f"[{load_avg()}] ingest: baseline again")
        baselines.append(run_baseline(jsonl, work, len(records), "baseline-2"))
        base = mean_run(baselines)
        out["ingest"] = [r.row(base) for r in [base, *baselines, *runs]]
        if not args.limit and QUESTIONS.exists():
            say(f"[{load_avg()}] retrieval quality of each variant (qabot eval)")
            for row, (name, env) in zip(out["ingest"][3:], variants(args.variants), strict=True):
                row.update(retrieval_quality(work / f"data-{slug(name)}", env))
        bbc_dir = work / "data-default"
        say(f"[{load_avg()}] fidelity")
        out["fidelity"] = fidelity(bbc_dir, args.fidelity_sample)

        if args.sample:
            say(f"[{load_avg()}] candidates on {args.sample} articles x {args.rounds} rounds")
            sample = spread(records, args.sample)
            sample_articles = load_articles(write_jsonl(sample, work / "sample.jsonl"))
            out["candidates"] = candidates(sample_articles, sample, args.rounds, work, onnx=not args.no_onnx)

        queries = make_queries(records, args.queries, work / "queries.json")
        say(f"[{load_avg()}] latency")
        out["latency"] = latency(bbc_dir, queries)

        if args.growth:
            sizes = [int(s) for s in args.growth.split(",")]
            say(f"[{load_avg()}] growth {sizes}")
            default = next(r for r in runs if r.name == "qabot (default)")
            per_chunk = embed_seconds_per_chunk(out.get("candidates"), default)
            out["growth"] = growth(records, bbc_dir, work, sizes, per_chunk, queries)
            out["growth_embed_s_per_chunk"] = round(per_chunk, 5)
    out["load_end"] = load_avg()
    say("done")
    return out


def embed_seconds_per_chunk(cands: dict | None, default: IngestRun) -> float:
    """The bulk encoder's time per chunk on the sample, or the whole ingest rate without it."""
    for row in (cands or {}).get("rows", []):
        if row["name"] == "openvino bf16 token-sorted b32 t2":
            return row["seconds"] / row["chunks"]
    return default.seconds / max(1, default.chunks)


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


# --- the report -------------------------------------------------------------------------------------


def table(rows: list[dict], cols: Sequence[str]) -> str:
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    return "\n".join(lines)


def latency_table(rows: list[dict]) -> list[dict]:
    return [{"threads": r["threads"], "search_p50": r["search"]["p50_ms"], "search_p95": r["search"]["p95_ms"],
             "ask_p50": r["ask"]["p50_ms"], "ask_p95": r["ask"]["p95_ms"], "embed_p50": r["embed"]["p50_ms"],
             "embed_p95": r["embed"]["p95_ms"], "queries": f"{r['search']['n']}/{r['ask']['n']}",
             "peak_rss_mb": r["max_rss_mb"], "ru_maxrss_mb": r["ru_maxrss_mb"], "open_s": r["open_s"],
             "load": r["load"]} for r in rows]


def report(out: dict) -> str:
    parts = [f"corpus: {out['corpus']} ({out['articles']} articles); cores: {out['cores']}; "
             f"load average (1/5/15 min) at start {out['load_start']}, at end {out['load_end']}"]
    s = out["startup"]
    parts.append("\n## Start-up\n" + "\n".join(f"- {k}: {v}" for k, v in s.items()))
    parts.append("\n## Ingest (whole command, model load included)\n"
                 + table(out["ingest"], ["name", "seconds", "cpu_s", "articles_per_s", "chunks", "chunks_per_s",
                                         "speed_vs_baseline", "cpu_vs_baseline", "recall@1", "recall@5", "mrr@10",
                                         "answer_contains", "load", "settings"]))
    f = out["fidelity"]
    parts.append(f"\nstored vectors vs fp32 of the same {f['chunks']} chunk texts: mean cosine {f['mean']}, "
                 f"1st percentile {f['p01']}, min {f['min']} (target mean >= {TARGETS['cosine']})")
    if "candidates" in out:
        c = out["candidates"]
        parts.append(f"\n## Candidates ({c['articles']} articles, best of {c['rounds']} interleaved rounds)\n"
                     + table(c["rows"], ["name", "chunks", "tokens", "seconds", "articles_per_s",
                                         "speed_vs_baseline", "cosine_vs_fp32_mean", "cosine_vs_fp32_min"]))
        parts += [f"- {n}" for n in c["notes"]]
    lat = latency_table(out["latency"])
    parts.append("\n## Search and ask latency (ms, after warm-up) and serving memory\n"
                 + table(lat, list(lat[0])))
    if "growth" in out:
        parts.append("\n## Cost growth (synthetic copies; embedding at "
                     f"{out['growth_embed_s_per_chunk'] * 1000:.1f} ms/chunk measured above)\n"
                     + table(out["growth"], list(out["growth"][0]))
                     + "\n1M vectors: see docs/index-types.md (benchmarks/scale.py).")
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="JSONL articles (default: the BBC corpus)")
    p.add_argument("--limit", type=int, default=0, help="use only the first N articles (0 = all)")
    p.add_argument("--json", action="store_true", help="print the results as one JSON object")
    p.add_argument("--sample", type=int, default=80, help="articles for the candidate grid (0 = skip)")
    p.add_argument("--rounds", type=int, default=2, help="interleaved rounds of the candidate grid")
    p.add_argument("--no-onnx", action="store_true", help="skip the ONNX Runtime candidates")
    p.add_argument("--queries", type=int, default=200, help="search and ask queries per latency run")
    p.add_argument("--fidelity-sample", type=int, default=300, help="stored chunks compared with fp32")
    p.add_argument("--growth", default="10000,100000", help="chunk counts for the growth table ('' = skip)")
    p.add_argument("--variants", default=DEFAULT_VARIANTS,
                   help="extra whole-command ingests, 'name:QABOT_X=V,OMP_NUM_THREADS=1;...' ('' = none)")
    p.add_argument("--save", help="also write the results (so far) to this JSON file after each section")
    p.add_argument("--latency-only", metavar="DATA", help="only section 4, over the index already in "
                   "DATA (e.g. `qabot --data-dir DATA ingest` of the corpus)")
    p.add_argument("--baseline-worker", nargs=2, metavar=("JSONL", "OUT"), help=argparse.SUPPRESS)
    p.add_argument("--serve-worker", nargs=3, metavar=("DATA", "QUERIES", "THREADS"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    if args.baseline_worker:
        print(json.dumps(baseline_ingest(load_records(Path(args.baseline_worker[0])), Path(args.baseline_worker[1]))))
        return 0
    if args.serve_worker:
        data, queries, threads = args.serve_worker
        print(json.dumps(serve_worker(Path(data), Path(queries), int(threads))))
        return 0
    if not Path(args.corpus).is_file():
        print(f"bench: corpus {args.corpus} not found; nothing to measure (skipped)")
        return 0
    if args.latency_only:
        return latency_only(Path(args.latency_only), Path(args.corpus), args.queries, args.json)
    out = run(args)
    print(json.dumps(out, indent=2) if args.json else report(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
