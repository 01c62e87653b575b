"""Helpers every bench.py section shares (corpus files, baseline splitter, timed subprocesses, tables), so all measure alike."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BENCH = Path(__file__).resolve().with_name("bench.py")  # the entry point, re-run for its workers
QUESTIONS = ROOT / "benchmarks" / "bbc_questions.jsonl"
BASELINE_CHARS, BASELINE_OVERLAP, BASELINE_BATCH = 1000, 200, 32


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
    """The command that runs bench.py (the entry point) again with ``args``: its worker modes."""
    return [sys.executable, str(BENCH), *args]


def all_chunk_ids(store) -> np.ndarray:
    """Every stored passage id of a local index."""
    return np.asarray([r[0] for r in store.docs._query("SELECT id FROM chunks")], dtype=np.int64)


def table(rows: list[dict], cols: Sequence[str]) -> str:
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in rows:
        lines.append("| " + " | ".join(str(r.get(c, "")) for c in cols) + " |")
    return "\n".join(lines)
