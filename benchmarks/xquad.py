"""XQuAD as archives, in all four directions, through ``qabot ask``.

    python benchmarks/xquad.py [--model multilingual] [--directions en-en,ro-en,ro-ro,en-ro]
                               [--limit N] [--json]

For each archive language the 240 paragraphs of ``../shared/corpora/xquad`` become 240 articles
(one JSON line each, id ``p000``..``p239``, no headline) indexed by ``qabot ingest`` into a
temporary data folder; then the 1,190 questions in the question language go through
``qabot ask -`` (one JSON line out each). A question scores when its first citation is its gold
paragraph, and when the answer text holds one of its gold answers as the archive's language
writes it (case, accents and spacing ignored). Refused: the answer said the archive has nothing
on it. ``--model`` is QABOT_MODEL (empty: the default all-MiniLM-L6-v2). Figures and commands: docs/quality.md.

The corpus is read at run time from ``../shared`` and never copied; without it the script
says so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, child_env, load_avg, table, write_jsonl  # noqa: E402

XQUAD = ROOT.parent / "shared" / "corpora" / "xquad"
DIRECTIONS = ("en-en", "ro-en", "ro-ro", "en-ro")  # question language -> archive language


def load(lang: str) -> tuple[list[str], list[dict]]:
    """(paragraphs, questions): each question with its gold paragraph index and answers."""
    data = json.loads((XQUAD / f"xquad.{lang}.json").read_text(encoding="utf-8"))
    paragraphs, questions = [], []
    for article in data["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                questions.append({"id": qa["id"], "question": qa["question"], "gold": len(paragraphs),
                                  "answers": [a["text"] for a in qa["answers"]]})
            paragraphs.append(paragraph["context"])
    return paragraphs, questions


def folded(text: str) -> str:
    """Lower case without accents or cedillas and with single spaces, for answer matching."""
    text = unicodedata.normalize("NFKD", text.replace("ş", "ș").replace("ţ", "ț").lower())
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def qabot(args: list[str], env: dict[str, str], stdin: str | None = None) -> str:
    proc = subprocess.run([sys.executable, "-m", "qabot", *args], env=env, input=stdin,
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"qabot {' '.join(args[:3])} exited {proc.returncode}: {proc.stderr.strip()[-600:]}")
    return proc.stdout


def build_archive(lang: str, paragraphs: list[str], folder: Path, env: dict[str, str]) -> dict:
    source = write_jsonl(({"id": f"p{i:03d}", "title": "", "text": p} for i, p in enumerate(paragraphs)),
                         folder / f"xquad-{lang}.jsonl")
    started = time.perf_counter()
    report = json.loads(qabot(["--data-dir", str(folder / lang), "ingest", str(source), "--json"], env))
    return {"seconds": round(time.perf_counter() - started, 1), "chunks": report["chunks_embedded"]}


def score(direction: str, questions: list[dict], answers: list[dict], golds: dict[str, list[str]]) -> dict:
    """``golds``: each question's answers as the archive writes them (XQuAD's languages are
    aligned by question id): an answer quotes the archive, whatever the question's language."""
    first = held = refused = 0
    for q, a in zip(questions, answers, strict=True):
        cited = [c["article_id"] for c in a["citations"]]
        first += bool(cited) and cited[0] == f"p{q['gold']:03d}"
        text = folded(a["answer"])
        held += any(folded(g) in text for g in golds[q["id"]])
        refused += not a["found"]
    n = len(questions)
    return {"direction": direction, "questions": n, "first citation right": round(first / n, 3),
            "answer holds gold": round(held / n, 3), "refused": round(refused / n, 3)}


def run(model: str, directions: list[str], limit: int) -> list[dict]:
    env = child_env(QABOT_MODEL=model, TRANSFORMERS_OFFLINE="1")
    corpus = {lang: load(lang) for lang in ("en", "ro")}
    rows = []
    with tempfile.TemporaryDirectory(prefix="qabot-xquad-") as tmp:
        folder = Path(tmp)
        built: dict[str, dict] = {}
        for direction in directions:
            asked, archive = direction.split("-")
            if archive not in built:
                built[archive] = build_archive(archive, corpus[archive][0], folder, env)
                print(f"# {archive} archive: {built[archive]}, load {load_avg()}", file=sys.stderr)
            questions = corpus[asked][1][: limit or None]
            started = time.perf_counter()
            out = qabot(["--data-dir", str(folder / archive), "ask", "-"], env,
                        stdin="\n".join(q["question"].replace("\n", " ") for q in questions) + "\n")
            answers = [json.loads(line) for line in out.splitlines() if line.strip()]
            row = score(direction, questions, answers, {q["id"]: q["answers"] for q in corpus[archive][1]})
            row["ms/question"] = round((time.perf_counter() - started) * 1000 / len(questions), 1)
            rows.append(row)
            print(f"# {row}", file=sys.stderr)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default="multilingual", help="QABOT_MODEL ('' = all-MiniLM-L6-v2)")
    parser.add_argument("--directions", default=",".join(DIRECTIONS))
    parser.add_argument("--limit", type=int, default=0, help="questions per direction (0 = all 1,190)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not (XQUAD / "xquad.en.json").exists():
        print(f"no XQuAD corpus at {XQUAD}: nothing to measure")
        return 0
    directions = [d.strip() for d in args.directions.split(",") if d.strip()]
    rows = run(args.model, directions, args.limit)
    if args.json:
        print(json.dumps({"model": args.model or "default", "rows": rows}))
    else:
        print(f"model: {args.model or 'default (all-MiniLM-L6-v2)'}")
        print(table(rows, ["direction", "questions", "first citation right", "answer holds gold", "refused",
                           "ms/question"]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
