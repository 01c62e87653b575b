"""How well and how fast qabot tells a question's language: XQuAD's English and Romanian questions
(``../shared/corpora/xquad``, the same 1,190 questions in each) through ``qabot.text.lang.detect``.

    python benchmarks/language.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
XQUAD = REPO.parent / "shared" / "corpora" / "xquad"
sys.path.insert(0, str(REPO))


def questions(language: str) -> list[str]:
    data = json.loads((XQUAD / f"xquad.{language}.json").read_text(encoding="utf-8"))
    return [qa["question"] for article in data["data"] for p in article["paragraphs"] for qa in p["qas"]]


def main() -> int:
    if not XQUAD.exists():
        print(f"skipped: {XQUAD} is absent")
        return 0
    from qabot.text.lang import detect

    started = time.perf_counter()
    detect("the detector loads on first use")
    loaded = time.perf_counter() - started
    asked = {lang: questions(lang) for lang in ("en", "ro")}
    started = time.perf_counter()
    wrong = {lang: [q for q in qs if detect(q) != lang] for lang, qs in asked.items()}
    per_question_ms = (time.perf_counter() - started) * 1000 / sum(map(len, asked.values()))
    total = sum(map(len, asked.values()))
    right = total - sum(map(len, wrong.values()))
    print(f"accuracy {right / total:.4f} ({right} of {total}); "
          + "; ".join(f"{lang} wrong {len(wrong[lang])} of {len(asked[lang])}" for lang in asked)
          + f"; {per_question_ms:.3f} ms a question; model loaded in {loaded:.2f} s")
    for lang, missed in wrong.items():
        for q in missed[:5]:
            print(f"  taken for not {lang}: {q}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
