"""How each FAISS index kind scales: build time, single-query latency, recall@10 and peak memory.

    python benchmarks/scale.py [--sizes 10000,100000,1000000] [--dim 384] [--json out.json]

Each (size, kind) is built in one fresh subprocess (ingesting batches of 50k, as the pipeline
would, and saving) and served from the saved file in another, so the build peak and the serving
peak are each that kind's alone. Vectors are synthetic: a normalised Gaussian mixture (topics ->
subtopics -> points, with a power-law noise spectrum and a shared mean direction), calibrated
against all-MiniLM-L6-v2 embeddings of news paragraphs (docs/index-types.md). Ground truth is the exact top-10 from a
streaming scan that never holds the whole collection. Targets at 1M: p95 <= 50 ms,
peak RSS <= 2.5 GB, recall@10 >= 0.95.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

BLOCK = 10_000  # generation unit: small so temporaries stay far below the index's own size
BATCH = 50_000  # ingestion unit, as a pipeline would add chunks
K = 10
FILTER_SHARE = 0.05  # a date filter admitting 5% of the archive, as a contiguous id range
TARGETS = {"p95_ms": 50.0, "peak_rss_mb": 2500.0, "recall": 0.95}


class Mixture:
    """Deterministic clustered vectors: row ``i`` of a stream is the same on every call."""

    def __init__(
        self,
        dim: int,
        seed: int = 0,
        topics: int = 100,
        subtopics: int = 30,
        spread: float = 0.8,
        noise: float = 1.1,
        decay: float = 0.65,
        shared: float = 0.5,
    ):
        rng = np.random.default_rng(seed)
        self.dim, self.seed = dim, seed
        self.mean = _unit(rng.standard_normal(dim)) * shared
        topic = _unit(rng.standard_normal((topics, dim)))
        sub = _unit(rng.standard_normal((topics * subtopics, dim))) * spread
        self.centres = (np.repeat(topic, subtopics, axis=0) + sub).astype(np.float32)
        q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
        self.rotation = q.astype(np.float32)
        spectrum = (1.0 + np.arange(dim)) ** -decay
        self.scale = (spectrum / np.linalg.norm(spectrum) * noise).astype(np.float32)

    def rows(self, stream: int, start: int, count: int) -> np.ndarray:
        """Rows [start, start+count) of ``stream`` (0 = the collection, 1 = held-out queries)."""
        out = []
        for b in range(start // BLOCK, (start + count - 1) // BLOCK + 1):
            block = self._block(stream, b)
            lo, hi = max(start - b * BLOCK, 0), min(start + count - b * BLOCK, BLOCK)
            out.append(block[lo:hi])
        return np.concatenate(out)

    def _block(self, stream: int, b: int) -> np.ndarray:
        rng = np.random.default_rng([self.seed, stream, b])
        which = rng.integers(0, len(self.centres), BLOCK)
        noise = rng.standard_normal((BLOCK, self.dim), dtype=np.float32) * self.scale
        return _unit(self.centres[which] + self.mean + noise @ self.rotation)


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def queries(mix: Mixture, n: int) -> np.ndarray:
    """Held-out vectors, perturbed a little (a question is near, not equal to, a passage)."""
    rng = np.random.default_rng([mix.seed, 7])
    held = mix.rows(1, 0, n)
    return _unit(held + rng.standard_normal(held.shape, dtype=np.float32) * 0.02)


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size of this process in MB."""
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    current = int(fields["VmRSS"].split()[0]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return current, peak


def filter_range(size: int) -> tuple[int, int]:
    lo = int(size * 0.40)
    return lo, lo + max(1, int(size * FILTER_SHARE))


# --- workers (each in its own process) ---------------------------------------------------------


def ground_truth(size: int, dim: int, nq: int, out: Path) -> None:
    """Exact top-K for every query, unfiltered and filtered, by streaming over the collection."""
    mix = Mixture(dim)
    q = queries(mix, nq)
    lo, hi = filter_range(size)
    best = {
        name: (np.full((nq, 0), -np.inf, np.float32), np.zeros((nq, 0), np.int64))
        for name in ("all", "filtered")
    }
    for start in range(0, size, BATCH):
        block = mix.rows(0, start, min(BATCH, size - start))
        ids = np.arange(start, start + len(block))
        for name, mask in (("all", slice(None)), ("filtered", (ids >= lo) & (ids < hi))):
            sub_ids = ids[mask]
            if len(sub_ids) == 0:
                continue
            scores = q @ block[mask].T
            s = np.concatenate([best[name][0], scores], axis=1)
            i = np.concatenate([best[name][1], np.broadcast_to(sub_ids, scores.shape)], axis=1)
            top = np.argpartition(-s, min(K, s.shape[1]) - 1, axis=1)[:, :K]
            best[name] = (np.take_along_axis(s, top, 1), np.take_along_axis(i, top, 1))
    np.savez(out, all=best["all"][1], filtered=best["filtered"][1])


def build(size: int, dim: int, kind: str, out: Path) -> dict:
    """Ingest ``size`` vectors batch by batch, then save: build time, build peak, file size."""
    from embeddings.local import faiss_index as fi

    mix = Mixture(dim)
    t0 = time.perf_counter()
    index = _fill(fi, fi.VectorIndex.create(dim, kind), mix, size)
    build_s = time.perf_counter() - t0
    index.save(out)
    row = {
        "size": size,
        "kind": kind,
        "build_s": round(build_s, 1),
        "build_peak_mb": round(rss_mb()[1]),
        "file_mb": round(out.stat().st_size / 2**20),
    }
    if kind == "ivf_sq8":
        row["nlist"], row["nprobe"] = index._index.nlist, fi.ivf_nprobe(index._index.nlist)
    return row


def serve(path: Path, dim: int, nq: int, gt_path: Path, threads: int, sweep: bool) -> dict:
    """Load the saved index as the app would and time single queries against the ground truth."""
    from embeddings.local import faiss_index as fi

    fi.SEARCH_THREADS = threads
    base_mb = rss_mb()[0]
    index = fi.VectorIndex.load(path)
    size = len(index)
    gt = np.load(gt_path)
    q = queries(Mixture(dim), nq)
    row = {"threads": threads, "base_mb": round(base_mb), **_latency(index, q, gt["all"])}
    lo, hi = filter_range(size)
    allowed = np.arange(lo, hi, dtype=np.int64)
    f = _latency(index, q[: max(1, nq // 5)], gt["filtered"], allowed)
    row.update({"filtered_p95_ms": f["p95_ms"], "filtered_recall": f["recall"]})
    if sweep and index.kind != "flat":
        row["sweep"] = _sweep(fi, index, q, gt["all"])
    row["serve_peak_mb"] = round(rss_mb()[1])
    return row


def _fill(fi, index, mix: Mixture, size: int):
    """Grow the index batch by batch as ingestion would, retraining IVF lists when it says so."""
    for start in range(0, size, BATCH):
        block = mix.rows(0, start, min(BATCH, size - start))
        index.add(np.arange(start, start + len(block), dtype=np.int64), block)
        target = fi.rebuild_target(index, index.kind)
        if target:
            index = fi.rebuild(index, target)
    return index


def _latency(index, q: np.ndarray, gt: np.ndarray, allowed: np.ndarray | None = None) -> dict:
    for row in q[:20]:  # warm-up: page in the index, spin up the thread pool
        index.search(row[None], K, allowed)
    times, hits = [], 0
    for n, row in enumerate(q):
        t = time.perf_counter()
        _, ids = index.search(row[None], K, allowed)
        times.append(time.perf_counter() - t)
        hits += len(np.intersect1d(ids[0], gt[n]))
    ms = np.array(times) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "recall": round(hits / (K * len(q)), 4),
    }


def _sweep(fi, index, q: np.ndarray, gt: np.ndarray) -> list[dict]:
    """Recall and latency against the search-breadth knob, to tune the defaults."""
    out = []
    if index.kind == "hnsw":
        default = fi.HNSW_EF_SEARCH
        for ef in (16, 32, 48, 64, 96, 128, 192, 256):
            fi.HNSW_EF_SEARCH = ef
            out.append({"efSearch": ef, **_latency(index, q[:200], gt[:200])})
        fi.HNSW_EF_SEARCH = default
    else:
        default = fi.ivf_nprobe
        for nprobe in (4, 8, 12, 16, 24, 32, 48, 64, 96, 128):
            fi.ivf_nprobe = lambda nlist, p=nprobe: min(nlist, p)
            out.append({"nprobe": nprobe, **_latency(index, q[:200], gt[:200])})
        fi.ivf_nprobe = default
    return out


# --- driver ------------------------------------------------------------------------------------


def _run_worker(args: list[str]) -> str:
    cmd = [sys.executable, __file__, *args]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"worker {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--dim", type=int, default=384)
    p.add_argument("--kinds", default="flat,hnsw,ivf_sq8")
    p.add_argument("--queries", type=int, default=500)
    p.add_argument("--threads", type=int, default=1, help="OpenMP threads while searching")
    p.add_argument("--sweep", action="store_true", help="also sweep nprobe / efSearch")
    p.add_argument("--json", type=Path, help="write the figures here")
    p.add_argument("--worker", choices=["gt", "build", "serve"], help=argparse.SUPPRESS)
    p.add_argument("--size", type=int, help=argparse.SUPPRESS)
    p.add_argument("--kind", help=argparse.SUPPRESS)
    p.add_argument("--gt", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    a = p.parse_args(argv)

    if a.worker == "gt":
        ground_truth(a.size, a.dim, a.queries, a.gt)
        return
    if a.worker == "build":
        print(json.dumps(build(a.size, a.dim, a.kind, a.index)))
        return
    if a.worker == "serve":
        print(json.dumps(serve(a.index, a.dim, a.queries, a.gt, a.threads, a.sweep)))
        return

    sizes = [int(s) for s in a.sizes.split(",")]
    kinds = a.kinds.split(",")
    rows: list[dict] = []
    started = time.perf_counter()
    print(
        f"cores={os.cpu_count()} dim={a.dim} queries={a.queries} search threads={a.threads} "
        f"load={os.getloadavg()[0]:.1f}"
    )
    print(_header())
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            gt = Path(tmp) / f"gt-{size}.npz"
            common = ["--dim", str(a.dim), "--queries", str(a.queries), "--gt", str(gt)]
            _run_worker(["--worker", "gt", "--size", str(size), *common])
            for kind in kinds:
                row = _measure(a, size, kind, Path(tmp) / f"{kind}-{size}.faiss", common)
                rows.append(row)
                print(_line(row), flush=True)
                for s in row.get("sweep", []):
                    print("      " + "  ".join(f"{k}={v}" for k, v in s.items()), flush=True)
    total = time.perf_counter() - started
    print(f"total {total / 60:.1f} min")
    if a.json:
        meta = {
            "cores": os.cpu_count(),
            "dim": a.dim,
            "queries": a.queries,
            "threads": a.threads,
            "targets": TARGETS,
            "total_s": round(total),
        }
        a.json.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")


def _measure(a: argparse.Namespace, size: int, kind: str, path: Path, common: list[str]) -> dict:
    """One (size, kind) row: built in one worker, served from the saved file in another."""
    row = json.loads(
        _run_worker(
            [
                "--worker",
                "build",
                "--size",
                str(size),
                "--kind",
                kind,
                "--index",
                str(path),
                *common,
            ]
        )
    )
    extra = ["--threads", str(a.threads)] + (["--sweep"] if a.sweep else [])
    row.update(
        json.loads(_run_worker(["--worker", "serve", "--index", str(path), *common, *extra]))
    )
    row["load"] = round(os.getloadavg()[0], 1)
    path.unlink()
    return row


def _header() -> str:
    return (
        f"{'size':>9} {'kind':<8} {'build s':>7} {'p50 ms':>7} {'p95 ms':>7} {'recall':>6} "
        f"{'filt p95':>8} {'f.recall':>8} {'file MB':>7} {'build pk':>8} {'serve pk':>8}  ok"
    )


def _line(r: dict) -> str:
    peak = max(r["build_peak_mb"], r["serve_peak_mb"])
    ok = (
        r["p95_ms"] <= TARGETS["p95_ms"]
        and r["recall"] >= TARGETS["recall"]
        and peak <= TARGETS["peak_rss_mb"]
    )
    return (
        f"{r['size']:>9} {r['kind']:<8} {r['build_s']:>7.1f} {r['p50_ms']:>7.2f} "
        f"{r['p95_ms']:>7.2f} {r['recall']:>6.3f} {r['filtered_p95_ms']:>8.2f} "
        f"{r['filtered_recall']:>8.3f} {r['file_mb']:>7} {r['build_peak_mb']:>8} "
        f"{r['serve_peak_mb']:>8}  {'yes' if ok else 'NO'}"
    )


if __name__ == "__main__":
    main()
