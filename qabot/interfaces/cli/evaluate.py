"""Quality measurement: Recall@1/5/10, MRR@10 and how often the answer holds the expected fact.

Two modes: a question file (TSV or JSONL with the expected article ids and,
optionally, the expected answer text) against the configured index, and a
known-item test that indexes a JSONL corpus without headlines and asks each
unique headline (duplicates of the same body count as one article).

JSONL questions may carry ``today`` (YYYY-MM-DD), the date the question was written for: "now"
in it means that day, so present-tense questions keep their answers as the archive ages.
They may carry a ``kind`` (latest, asof, timeline, entity, plain, offtopic, list, compare, why,
digest); the report then adds one line per kind with its own measure of "right" (``kind_right``):
off-topic questions are right when refused, timelines when they cite at least 3 of the
``expected_ids`` with dates ascending; lists, comparisons, causes and digests when every one of
the ``expected_ids`` is cited and every string of ``answers`` is in the answer (they answer from a
set of articles, so they are left out of the ranking figures); the others when an expected
article is cited first and the answer holds the fact.

Each question has a ``language`` (the field, else detected from its text: ``qabot.text.lang``),
and the report gives the scores and kinds per language too; an off-topic question is right
only when refused in its own language.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from qabot.errors import SourceError
from qabot.models import Article
from qabot.settings import Settings

ANSWER_WINDOW = 600
SET_KINDS = frozenset({"list", "compare", "why", "digest"})  # judged on every expected article cited


@dataclass(frozen=True)
class Question:
    question: str
    expected: frozenset[str]
    answer: str = ""
    kind: str = ""
    expected_ids: tuple[str, ...] = ()  # timelines: the story's articles, oldest first
    today: date | None = None  # the date "now" means for this question (default: the clock)
    facts: tuple[str, ...] = ()  # lists, comparisons, causes, digests: every one must be in the answer
    language: str = ""  # the question's language: the file's field, else detected when scored


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
                timeline = tuple(record.get("expected_ids", ()))
                facts = record.get("answers", [])
                facts = (facts,) if isinstance(facts, str) else tuple(str(f) for f in facts)
                out.append(Question(record["question"], frozenset(expected or timeline), record.get("answer", ""),
                                    str(record.get("kind", "")), timeline, _today(record.get("today")), facts,
                                    _language(record.get("language"))))
            else:
                cells = line.split("\t")
                ids = [i.strip() for i in cells[1].split(",") if i.strip()] if len(cells) > 1 else []
                out.append(Question(cells[0], frozenset(ids), cells[2] if len(cells) > 2 else ""))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise SourceError(f"{path}:{number}: bad question line ({e})") from e
    return out


def _language(value: object) -> str:
    """The ``language`` field: a code qabot speaks ("en", "ro"), or absent."""
    from qabot.text.lang import SUPPORTED, supported

    if value in (None, ""):
        return ""
    code = supported(value) if isinstance(value, str) else None
    if code is None:
        raise ValueError(f"language {value!r} is not one of {', '.join(SUPPORTED)}")
    return code


def _today(value: object) -> date | None:
    """The ``today`` field: a YYYY-MM-DD date, or absent."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise ValueError(f"today must be a YYYY-MM-DD string, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"today {value!r} is not a YYYY-MM-DD date") from None


@dataclass
class LanguageScores:
    """One language's share of an evaluation: its scores and its kinds."""

    scores: Scores = field(default_factory=Scores)
    by_kind: dict[str, list[bool]] = field(default_factory=dict)

    def summary(self) -> dict:
        out = self.scores.summary()
        if self.by_kind:
            out["by_kind"] = kind_summary(self.by_kind)
        return out


def kind_summary(by_kind: dict[str, list[bool]]) -> dict:
    return {kind: {"questions": len(v), "right": round(sum(v) / len(v), 4)} for kind, v in sorted(by_kind.items())}


def score_questions(
    service, questions: list[Question], by_kind: dict[str, list[bool]] | None = None, misses=None,
    by_language: dict[str, LanguageScores] | None = None,
) -> Scores:
    """Ranking and answer scores over ``questions``; with ``by_kind``, also whether each question
    of a kind was answered right (appended per kind), and each wrong one written to ``misses``
    (without a kind: not ranked first, or the fact missing); with ``by_language``, the same
    per question language."""
    from qabot.text.lang import detect

    scores = Scores()
    for q in questions:
        q = q if q.language else replace(q, language=detect(q.question))
        answer = service.ask(q.question, today=q.today)
        mine = by_language.setdefault(q.language, LanguageScores()) if by_language is not None else None
        if by_kind is not None and q.kind:
            right = kind_right(q, answer)
            by_kind.setdefault(q.kind, []).append(right)
            if mine is not None:
                mine.by_kind.setdefault(q.kind, []).append(right)
            if misses is not None and not right:
                cited = ", ".join(f"{c.article_id} ({c.published[:10] or 'undated'})" for c in answer.citations)
                print(f"miss [{q.kind}] {q.question} -> {cited or 'refused'}", file=misses)
        if q.kind == "offtopic" or q.kind in SET_KINDS or (not q.expected and q.kind):
            continue  # refused or not, an off-topic question has no rank; a list is judged whole
        ranking = [h.article_id for h in answer.extra.get("ranking", [])]
        rank = next((i for i, doc_id in enumerate(ranking) if doc_id in q.expected), None)
        answered = (q.answer in answer.answer[:ANSWER_WINDOW]) if q.answer else None
        scores.add(rank, answered)
        if mine is not None:
            mine.scores.add(rank, answered)
        if misses is not None and not q.kind and (rank != 0 or answered is False):
            cited = ", ".join(c.article_id for c in answer.citations)
            print(f"miss [rank {rank}, fact {'yes' if answered else 'no'}] {q.question} -> {cited or 'refused'}",
                  file=misses)
    return scores


def kind_right(q: Question, answer) -> bool:
    """Whether the answer is right for its kind of question (see the module docstring)."""
    if q.kind == "offtopic" or not q.expected:
        return not answer.found and (not q.language or answer.language == q.language)
    if not answer.found or not answer.citations:
        return False
    if q.kind in SET_KINDS:
        cited_ids = {c.article_id for c in answer.citations}
        return set(q.expected_ids or q.expected) <= cited_ids and all(f in answer.answer for f in q.facts)
    if q.kind == "timeline":
        cited = [c for c in answer.citations if c.article_id in q.expected]
        dates = [c.published for c in answer.citations]
        return len(cited) >= 3 and dates == sorted(dates)
    first = answer.citations[0].article_id in q.expected
    return first and (not q.answer or q.answer in answer.answer[:ANSWER_WINDOW])


def known_item(corpus: Path, settings: Settings, service_factory) -> Scores:
    """Indexes ``corpus`` without headlines into ``settings.data_dir`` and asks every headline."""
    from qabot.ingest.loaders import load_sources
    from qabot.ingest.pipeline import ingest_articles

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


def _known_item_apart(corpus: Path, settings: Settings, into: str | None, service_factory) -> Scores:
    """The known-item test indexes the corpus without headlines: never into the configured
    index (it would blank the stored headlines), but into ``into`` or a temporary folder."""
    import tempfile

    if into:
        return known_item(corpus, settings.model_copy(update={"data_dir": Path(into)}), service_factory)
    with tempfile.TemporaryDirectory(prefix="qabot-known-item-") as scratch:
        return known_item(corpus, settings.model_copy(update={"data_dir": Path(scratch)}), service_factory)


def run_eval(args, settings: Settings) -> int:
    from qabot.wiring import build_service

    by_kind: dict[str, list[bool]] = {}
    by_language: dict[str, LanguageScores] = {}
    if args.known_item:
        scores = _known_item_apart(Path(args.file), settings, getattr(args, "into", None),
                                   lambda s: build_service(s, check=False))
    else:
        questions = load_questions(Path(args.file))
        if args.limit:
            questions = questions[: args.limit]
        misses = sys.stderr if getattr(args, "misses", False) else None
        scores = score_questions(build_service(settings), questions, by_kind, misses, by_language)
    summary = scores.summary()
    if by_kind:
        summary["by_kind"] = kind_summary(by_kind)
    if by_language:
        summary["by_language"] = {lang: part.summary() for lang, part in sorted(by_language.items())}
    if args.json:
        print(json.dumps(summary))
    else:
        _print_summary(summary)
    return 0


def _print_summary(summary: dict) -> None:
    for key, value in summary.items():
        if key not in ("by_kind", "by_language"):
            print(f"{key:>16}: {value}")
    for kind, v in summary.get("by_kind", {}).items():
        print(f"{kind:>16}: {v['right']} right of {v['questions']}")
    for lang, part in summary.get("by_language", {}).items():
        figures = ", ".join(f"{k} {v}" for k, v in part.items() if k != "by_kind")
        kinds = ", ".join(f"{k} {v['right']} of {v['questions']}" for k, v in part.get("by_kind", {}).items())
        print(f"{'language ' + lang:>16}: {figures}" + (f"; {kinds}" if kinds else ""))
