"""Extractive answers: the sentences that answer the question, each cited to its article."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from embeddings.base import Store
from embeddings.keyword import terms
from qabot.models import Answer, Citation, Hit
from qabot.sentences import leans_on_previous, split_sentences

if TYPE_CHECKING:
    from qabot.followup import Turn
    from qabot.settings import Settings

ANSWER_ARTICLES = 3

_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|half|dozen)\b", re.I)
_MONEY = re.compile(r"[$£€¥]|\b(?:bn|m|%|per cent|percent|lei|euros?|dollars?|pounds?)\b", re.I)
_DATE = re.compile(
    r"\b(?:(?:19|20)\d\d|january|february|march|april|may|june|july|august|september|october|"
    r"november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|"
    r"today|last (?:week|month|year)|next (?:week|month|year))\b",
    re.I,
)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zà-ž'’-]+(?:\s+[A-Z][a-zà-ž'’-]+)+")


@dataclass(frozen=True)
class Scored:
    text: str
    hit_rank: int
    position: int
    score: float


def question_kind(question: str) -> str:
    q = question.lower()
    if re.search(r"\bhow (?:much|many|big|large|far|long|old|high|low|fast)\b|\bwhat (?:percentage|share|price|amount|rate|figure|number|time|score)\b|\bcost|\bworth\b", q):
        return "number"
    if re.search(r"\bwhen\b|\bwhat (?:date|day|year|month)\b", q):
        return "date"
    if re.search(r"\bwho(?:m|se)?\b|\bwhich (?:company|firm|man|woman|player|team|minister|person)\b", q):
        return "name"
    return "other"


def _cue(kind: str, sentence: str) -> float:
    if kind == "number":
        return 1.0 if _MONEY.search(sentence) else 0.6 if _NUMBER.search(sentence) else 0.0
    if kind == "date":
        return 1.0 if _DATE.search(sentence) else 0.0
    if kind == "name":
        return 1.0 if _NAME.search(sentence) else 0.0
    return 0.0


def _stem(word: str) -> str:
    return word[:6]


def overlap(question_terms: list[str], sentence: str) -> float:
    """Share of the question's content words found in the sentence (prefix-stemmed)."""
    if not question_terms:
        return 0.0
    words = {_stem(w) for w in terms(sentence)}
    return sum(1 for t in question_terms if _stem(t) in words) / len(question_terms)


@dataclass(frozen=True)
class AnswerWeights:
    similarity: float = 1.0
    overlap: float = 0.5
    cue: float = 0.15
    lead: float = 0.05
    rank: float = 0.1


@dataclass(frozen=True)
class Source:
    """A retrieved article and its passages in reading order, each with its similarity to the question."""

    hit: Hit
    passages: list[tuple[str, float]]


class Extractor:
    """Scores the sentences of the best articles and writes a short cited answer.

    Sentences are scored without running the model again (that would cost tens of
    milliseconds per sentence on a CPU): the similarity of the passage holding the
    sentence, the share of the question's words it contains, and whether it has
    what the question type asks for (a number, a name, a date).
    """

    def __init__(self, max_chars: int = 600, weights: AnswerWeights | None = None) -> None:
        self.max_chars = max_chars
        self.weights = weights or AnswerWeights()

    def score_sentences(self, question: str, sources: list[Source], focus_terms: list[str] | None = None) -> list[Scored]:
        kind = question_kind(question)
        q_terms = focus_terms if focus_terms is not None else terms(question)
        w = self.weights
        scored: list[Scored] = []
        for rank, source in enumerate(sources):
            best_sim: dict[str, float] = {}
            order: list[str] = []
            for body, sim in source.passages:
                for sentence in split_sentences(body):
                    if sentence not in best_sim:
                        order.append(sentence)
                    best_sim[sentence] = max(sim, best_sim.get(sentence, -1.0))
            for pos, sentence in enumerate(order):
                if len(sentence) < 20:
                    continue
                score = (
                    w.similarity * best_sim[sentence]
                    + w.overlap * overlap(q_terms, sentence)
                    + w.cue * _cue(kind, sentence)
                    + w.lead * (1.0 if pos == 0 else 0.0)
                    - w.rank * rank
                )
                scored.append(Scored(sentence, rank, pos, score))
        return scored

    def compose(
        self, scored: list[Scored], sources: list[Source]
    ) -> tuple[str, list[Citation]]:
        """Best sentences in reading order within the length budget, each with its marker."""
        if not scored:
            return "", []
        ranked = sorted(scored, key=lambda s: s.score, reverse=True)
        best = ranked[0]
        chosen: list[Scored] = [best]
        by_place = {(s.hit_rank, s.position): s for s in scored}
        # a sentence opening with "He", "But" or "The company" needs the one before it
        before = by_place.get((best.hit_rank, best.position - 1))
        if before and leans_on_previous(best.text):
            chosen.append(before)
        length = sum(len(s.text) + 5 for s in chosen)
        for candidate in ranked[1:]:
            if len(chosen) >= 4 or any(candidate.text == c.text for c in chosen):
                continue
            if candidate.score < best.score * 0.6:
                break
            if length + len(candidate.text) + 5 > self.max_chars:
                continue
            chosen.append(candidate)
            length += len(candidate.text) + 5
        chosen.sort(key=lambda s: (s.hit_rank, s.position))
        numbers: dict[int, int] = {}
        quoted: dict[int, list[str]] = {}
        parts = []
        for s in chosen:
            n = numbers.setdefault(s.hit_rank, len(numbers) + 1)
            quoted.setdefault(s.hit_rank, []).append(s.text)
            parts.append(f"{s.text} [{n}]")
        citations = []
        for rank, n in numbers.items():
            hit = sources[rank].hit
            citations.append(
                Citation(n, hit.article_id, hit.title, hit.url, hit.published, " ".join(quoted[rank]))
            )
        return " ".join(parts), citations


def assemble(
    question: str, focus: str, qvec: np.ndarray, hits: list[Hit], history: list[Turn], *,
    store: Store, extractor: Extractor, settings: Settings,
) -> Answer:
    """The answer from the best articles: extracted sentences, or the LLM's text when configured."""
    top = [h for h in hits[:ANSWER_ARTICLES] if h.score >= hits[0].score * 0.8]
    found = sources(store, top, qvec)
    scored = extractor.score_sentences(focus, found)
    text, citations = extractor.compose(scored, found)
    passages = tuple(
        {"n": i + 1, "article_id": h.article_id, "title": h.title, "url": h.url,
         "published": h.published, "score": h.score, "text": h.passages[0] if h.passages else ""}
        for i, h in enumerate(hits[:5])
    )
    llm_text = generate(question, found, history, settings) if settings.llm_url else None
    if llm_text is not None:
        text, citations = llm_text
    return Answer(
        question=question, answer=text, citations=tuple(citations), passages=passages,
        found=True, closest=tuple(hits[:3]), resolved_question=focus,
    )


def sources(store: Store, hits: list[Hit], qvec: np.ndarray) -> list[Source]:
    """Every passage of the answering articles, in order, with its exact similarity."""
    from qabot.retrieve import similarities

    by_doc = store.passage_ids(h.article_id for h in hits)
    ids = [i for h in hits for i in by_doc.get(h.article_id, [])]
    if not ids:
        return []
    sim_of = similarities(store, ids, qvec)
    chunks = store.passages(ids)
    return [
        Source(h, [(chunks[i].text, sim_of[i]) for i in by_doc.get(h.article_id, []) if i in chunks])
        for h in hits
    ]


def generate(
    question: str, sources: list[Source], history: list[Turn], settings: Settings
) -> tuple[str, list[Citation]] | None:
    """The LLM's answer from each article's three closest passages, or None to fall back."""
    from qabot.llm import LLMAnswerer, Passage

    hits = [s.hit for s in sources]
    passages = []
    for i, source in enumerate(sources):
        closest = sorted(range(len(source.passages)), key=lambda k: -source.passages[k][1])[:3]
        text = " ".join(source.passages[k][0] for k in sorted(closest))
        passages.append(Passage(i + 1, source.hit.title, source.hit.published, source.hit.url, text))
    past = [(t.question, t.answer.answer) for t in history]
    text = LLMAnswerer(settings).answer(question, passages, past)
    if text is None:
        return None
    used = sorted({int(n) for n in _markers(text)})
    citations = [
        Citation(n, hits[n - 1].article_id, hits[n - 1].title, hits[n - 1].url,
                 hits[n - 1].published, passages[n - 1].text[:300])
        for n in used
    ]
    return text, citations


def _markers(text: str) -> list[str]:
    return [n for group in re.findall(r"\[(\d+(?:\s*,\s*\d+)*)\]", text) for n in re.split(r"\s*,\s*", group)]
