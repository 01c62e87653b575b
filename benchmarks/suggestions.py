"""What suggested questions cost: ``ask`` latency without suggestions, with them on a fresh
service (every candidate asked back), and again on the same service (verdicts cached per index
version), over the dated archive's questions; and a new chat's suggestions, cold and cached.

    python benchmarks/suggestions.py [--data-dir DIR] [--limit N]

Without ``--data-dir`` it indexes ``benchmarks/dated/articles.jsonl`` into a temporary folder.
Prints one table and a JSON line; each figure is from this one run, on this machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from common import percentiles

HERE = Path(__file__).resolve().parent
DATED = HERE / "dated"


def timed(service, questions: list[dict], suggest: bool) -> tuple[list[float], int]:
    """Milliseconds per question, and how many suggestions were offered in all."""
    ms, offered = [], 0
    for q in questions:
        today = date.fromisoformat(q["today"]) if q.get("today") else None
        started = time.perf_counter()
        answer = service.ask(q["question"], today=today, suggest=suggest)
        ms.append((time.perf_counter() - started) * 1000)
        offered += len(answer.suggestions)
    return ms, offered


def run(data_dir: Path, limit: int) -> dict:
    from qabot.settings import Settings
    from qabot.wiring import build_service

    lines = (DATED / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line) for line in lines if line.strip()][:limit]
    settings = Settings(data_dir=data_dir)
    plain = build_service(settings)
    plain.search("warm up the model and the index", 5)
    timed(plain, questions[:5], False)  # first-question costs (dateparser, caches) out of the figures
    without, _ = timed(plain, questions, False)
    fresh = build_service(settings)
    fresh.search("warm up the model and the index", 5)
    timed(fresh, questions[:5], False)
    cold, offered = timed(fresh, questions, True)
    warm, _ = timed(fresh, questions, True)
    started = time.perf_counter()
    start = fresh.suggestions(today=date(2026, 12, 1))
    start_cold = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    fresh.suggestions(today=date(2026, 12, 1))
    start_warm = (time.perf_counter() - started) * 1000
    return {
        "questions": len(questions), "suggestions_offered": offered,
        "ask_without": percentiles(without), "ask_with_cold": percentiles(cold), "ask_with_cached": percentiles(warm),
        "new_chat_cold_ms": round(start_cold, 1), "new_chat_cached_ms": round(start_warm, 3),
        "new_chat_suggestions": list(start),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--limit", type=int, default=60)
    args = parser.parse_args(argv)
    if args.data_dir is None:
        from qabot.ingest.pipeline import ingest
        from qabot.settings import Settings
        from qabot.wiring import build_encoder

        with tempfile.TemporaryDirectory(prefix="qabot-suggest-") as scratch:
            settings = Settings(data_dir=Path(scratch))
            ingest([str(DATED / "articles.jsonl")], settings, build_encoder(settings))
            result = run(Path(scratch), args.limit)
    else:
        result = run(args.data_dir, args.limit)
    rows = [("ask, no suggestions", result["ask_without"]), ("ask + suggestions, fresh", result["ask_with_cold"]),
            ("ask + suggestions, cached", result["ask_with_cached"])]
    print(f"{'':<28}{'p50 ms':>9}{'p95 ms':>9}")
    for name, p in rows:
        print(f"{name:<28}{p['p50_ms']:>9}{p['p95_ms']:>9}")
    print(f"new chat: {result['new_chat_cold_ms']} ms fresh, {result['new_chat_cached_ms']} ms cached; "
          f"{result['suggestions_offered']} suggestions over {result['questions']} questions")
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
