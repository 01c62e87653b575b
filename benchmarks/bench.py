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

Each section is a module beside this file (startup, ingest_speed, candidates, latency, growth;
shared helpers in common); this file runs them in order, prints the report, and is the command
the sections re-run for their worker processes (``--baseline-worker``, ``--serve-worker``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the section modules beside this file

from candidates import candidates, load_articles  # noqa: E402
from common import QUESTIONS, ROOT, load_avg, load_records, spread, table, write_jsonl  # noqa: E402
from growth import embed_seconds_per_chunk, growth  # noqa: E402
from ingest_speed import (  # noqa: E402
    DEFAULT_VARIANTS,
    baseline_ingest,
    fidelity,
    mean_run,
    retrieval_quality,
    run_baseline,
    run_qabot_ingest,
    slug,
    variants,
)
from latency import latency, latency_only, latency_table, make_queries, serve_worker  # noqa: E402
from startup import startup  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "bbc" / "articles.jsonl"
TARGETS = {"ingest_ratio": 3.0, "cosine": 0.999, "search_p95_ms": 30.0, "ask_p95_ms": 50.0,
           "peak_rss_mb": 900.0}


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


# --- the report and the command line ----------------------------------------------------------------


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
