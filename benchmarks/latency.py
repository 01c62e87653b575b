"""Section 4: search and ask latency and peak RSS of a serving process (a subprocess per thread count), vs the targets."""

from __future__ import annotations

import json
import os
import resource
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from common import (
    QUESTIONS,
    child_env,
    load_avg,
    load_records,
    percentiles,
    run_json,
    spread,
    table,
    this_script,
)


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
                service.encoder.embed([q], kind="query")
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
    """Serving figures per thread count; the worker answers with the model the caller's
    QABOT_MODEL names (an index built with the multilingual model is measured with it)."""
    model = {"QABOT_MODEL": os.environ["QABOT_MODEL"]} if os.environ.get("QABOT_MODEL") else {}
    rows = []
    for n in threads:
        data, _ = run_json(this_script("--serve-worker", str(data_dir), str(queries), str(n)),
                           child_env(**model), data_dir.parent)
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


def latency_table(rows: list[dict]) -> list[dict]:
    return [{"threads": r["threads"], "search_p50": r["search"]["p50_ms"], "search_p95": r["search"]["p95_ms"],
             "ask_p50": r["ask"]["p50_ms"], "ask_p95": r["ask"]["p95_ms"], "embed_p50": r["embed"]["p50_ms"],
             "embed_p95": r["embed"]["p95_ms"], "queries": f"{r['search']['n']}/{r['ask']['n']}",
             "peak_rss_mb": r["max_rss_mb"], "ru_maxrss_mb": r["ru_maxrss_mb"], "open_s": r["open_s"],
             "load": r["load"]} for r in rows]
