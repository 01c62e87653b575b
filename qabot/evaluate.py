"""Quality measurement: Recall@1/5/10, MRR@10 and how often the answer holds the expected fact.

Two modes: a question file (TSV or JSONL with the expected article ids and,
optionally, the expected answer text) against the configured index, and a
known-item test that indexes a JSONL corpus without headlines and asks each
unique headline (duplicates of the same body count as one article).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from qabot.errors import SourceError
from qabot.models import Article
from qabot.settings import Settings

ANSWER_WINDOW = 600


@dataclass(frozen=True)
class Question:
    question: str
    expected: frozenset[str]
    answer: str = ""


@dataclass
class Scores:
    ranks: list[int | None] = field(default_factory=list)
    answered: list[bool] = field(default_factory=list)

    def add(self, rank: int | None, answered: bool | None = None) -> None:
        self.ranks.append(rank)
        if answered is not None:
            self.answered.append(answered)

    def summary(self) -> dict:
        n = len(self.ranks) or 1
        recall = {k: sum(1 for r in self.ranks if r is not None and r < k) / n for k in (1, 5, 10)}
        mrr = sum(1 / (r + 1) for r in self.ranks if r is not None and r < 10) / n
        out = {
            "questions": len(self.ranks),
            "recall@1": round(recall[1], 4),
            "recall@5": round(recall[5], 4),
            "recall@10": round(recall[10], 4),
            "mrr@10": round(mrr, 4),
        }
        if self.answered:
            out["answer_contains"] = round(sum(self.answered) / len(self.answered), 4)
        return out


def load_questions(path: Path) -> list[Question]:
    """JSONL {question, expected: [ids], answer?} or TSV: question, ids (comma-separated), answer?"""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise SourceError(f"{path}: cannot read questions ({e.__class__.__name__})") from e
    out: list[Question] = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        try:
            if line.lstrip().startswith("{"):
                record = json.loads(line)
                expected = record.get("expected", [])
                expected = [expected] if isinstance(expected, str) else expected
                out.append(Question(record["question"], frozenset(expected), record.get("answer", "")))
            else:
                cells = line.split("\t")
                ids = [i.strip() for i in cells[1].split(",") if i.strip()] if len(cells) > 1 else []
                out.append(Question(cells[0], frozenset(ids), cells[2] if len(cells) > 2 else ""))
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise SourceError(f"{path}:{number}: bad question line ({e})") from e
    return out


def score_questions(service, questions: list[Question]) -> Scores:
    scores = Scores()
    for q in questions:
        answer = service.ask(q.question)
        ranking = [h.article_id for h in answer.extra.get("ranking", [])]
        rank = next((i for i, doc_id in enumerate(ranking) if doc_id in q.expected), None)
        answered = (q.answer in answer.answer[:ANSWER_WINDOW]) if q.answer else None
        scores.add(rank, answered)
    return scores


def known_item(corpus: Path, settings: Settings, service_factory) -> Scores:
    """Indexes ``corpus`` without headlines into ``settings.data_dir`` and asks every headline."""
    from qabot.archive import load_sources
    from qabot.pipeline import ingest_articles

    articles = [a for a in load_sources([str(corpus)], settings) if isinstance(a, Article)]
    same_body: dict[str, set[str]] = {}
    for a in articles:
        same_body.setdefault(a.text, set()).add(a.article_id)
    by_title: dict[str, set[str]] = {}
    for a in articles:
        if a.title:
            by_title.setdefault(a.title, set()).update(same_body[a.text])
    service = service_factory(settings)
    report = ingest_articles(
        (replace(a, title="") for a in articles), settings, service.encoder, progress=sys.stderr.isatty()
    )
    print(f"index: {report.added} added, {report.unchanged} unchanged, "
          f"{report.duplicates} duplicates", file=sys.stderr)
    service.reload_if_changed()
    scores = Scores()
    for title, expected in by_title.items():
        ranking = [h.article_id for h in service.search(title, 10)]
        scores.add(next((i for i, doc_id in enumerate(ranking) if doc_id in expected), None))
    return scores


def run_eval(args, settings: Settings) -> int:
    from qabot.wiring import build_service

    if args.known_item:
        if not args.data_dir:
            settings = settings.model_copy(
                update={"data_dir": Path(settings.data_dir) / f"known-item-{Path(args.file).stem}"}
            )
        scores = known_item(Path(args.file), settings, lambda s: build_service(s, check=False))
    else:
        questions = load_questions(Path(args.file))
        if args.limit:
            questions = questions[: args.limit]
        scores = score_questions(build_service(settings), questions)
    summary = scores.summary()
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"{key:>16}: {value}")
    return 0
