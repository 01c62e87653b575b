"""Keyword search on a large local archive: the cost of ranking every match, and of the planned
search (``embeddings.keyword.plan``) at several candidate budgets.

    python benchmarks/keyword_budget.py DATA [--budgets 2000,5000,10000,20000]

DATA is an archive folder built by ``benchmarks/scale_hybrid.py --work W`` (``W/hybrid-N``) or
by ``qabot ingest``. Queries: the BBC question sets and 100 BBC headlines (read at run time from
``../shared``; the script exits 0 with a note without them). For each budget it prints the
keyword search's wall time per query (p50/p95, document frequencies already known, as in a
serving process) and the share of the full search's top 10 it also lists. "full" ranks every
document that has a kept word (``plan`` without a budget); "rarest only" matches and ranks the
budgeted rare words alone (the cheapest lossy variant). See docs/scaling-benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

QUESTIONS = [ROOT / "benchmarks" / "bbc_questions.jsonl", ROOT / "benchmarks" / "bbc_heldout.jsonl"]
CORPUS = ROOT.parent / "shared" / "corpora" / "bbc" / "articles.jsonl"


def queries(corpus: Path) -> list[str]:
    asks = [json.loads(line)["question"] for path in QUESTIONS for line in path.read_text().splitlines()
            if line.strip()]
    titles = [json.loads(line)["title"] for line in corpus.read_text().splitlines() if line.strip()]
    return asks + titles[:: max(1, len(titles) // 100)][:100]


def percentiles(ms: list[float]) -> str:
    ms = sorted(ms)
    return f"{ms[len(ms) // 2]:.1f} / {ms[int(len(ms) * 0.95)]:.1f}"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("data", type=Path)
    p.add_argument("--budgets", default="2000,5000,10000,20000")
    p.add_argument("--rank-budgets", default="", help="also compare RANK_POSTINGS values (comma-separated; "
                   "'none' for no cap), at the default candidate budget")
    p.add_argument("--corpus", type=Path, default=CORPUS)
    a = p.parse_args()
    if not a.corpus.exists():
        print(f"skipped: no BBC corpus at {a.corpus} (evaluation data, not in the repo)")
        return 0
    import embeddings.keyword as keyword
    from embeddings.factory import open_store
    from embeddings.keyword import match_terms, terms

    store = open_store(a.data / "index")
    docs = store.docs
    n = docs.document_count()
    texts = [q for q in queries(a.corpus) if terms(q)]
    for q in texts:  # document frequencies, remembered per version as in a serving process
        docs.keyword_plan(terms(q))

    def ranked(expr: str) -> list[int]:
        rows = docs._query("SELECT rowid, bm25(documents_fts, 2.0, 1.0) AS s FROM documents_fts "
                           "WHERE documents_fts MATCH ? ORDER BY s LIMIT 10", [expr])
        return [r[0] for r in rows]

    def timed(run) -> tuple[list[float], list[list[int]]]:
        ms, tops = [], []
        for q in texts:
            t = time.perf_counter()
            tops.append(run(q))
            ms.append((time.perf_counter() - t) * 1000)
        return ms, tops

    candidates, rank_postings = keyword.CANDIDATE_POSTINGS, keyword.RANK_POSTINGS
    keyword.CANDIDATE_POSTINGS = keyword.RANK_POSTINGS = 10**12
    full_ms, full = timed(lambda q: ranked(match_terms(docs.keyword_plan(terms(q)).rank)))
    print(f"{n} articles, {len(texts)} queries")
    print("| search | budget | ms p50 / p95 | same top 10 as full |\n|---|---|---|---|")
    print(f"| full (every document with a kept word) | - | {percentiles(full_ms)} | 1.000 |")

    def same(tops: list[list[int]]) -> float:
        return sum(len(set(t) & set(f)) / max(1, len(f)) for t, f in zip(tops, full, strict=True)) / len(full)

    for rank_budget in [r for r in a.rank_budgets.split(",") if r]:
        keyword.CANDIDATE_POSTINGS = candidates
        keyword.RANK_POSTINGS = 10**12 if rank_budget == "none" else int(rank_budget)
        ms, tops = timed(lambda q: [d for d, _ in store.keyword_search(q, 10)])
        rowids = [[docs._query("SELECT rowid FROM documents WHERE doc_id = ?", [d])[0][0] for d in t] for t in tops]
        print(f"| planned, ranking words up to {rank_budget} postings | {candidates} | {percentiles(ms)} "
              f"| {same(rowids):.3f} |", flush=True)
    keyword.RANK_POSTINGS = rank_postings
    for budget in (int(b) for b in a.budgets.split(",")):
        keyword.CANDIDATE_POSTINGS = budget
        ms, tops = timed(lambda q: [d for d, _ in store.keyword_search(q, 10)])
        rowids = [[docs._query("SELECT rowid FROM documents WHERE doc_id = ?", [d])[0][0] for d in t] for t in tops]
        print(f"| planned (rarer words AND kept words) | {budget} | {percentiles(ms)} | {same(rowids):.3f} |")
        ms, tops = timed(lambda q: ranked(match_terms(docs.keyword_plan(terms(q)).match)))
        print(f"| rarest words only | {budget} | {percentiles(ms)} | {same(tops):.3f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
