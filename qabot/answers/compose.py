"""Composes the answer: the kind of question decides its layout (qabot.answers.news), and a
configured LLM may write a plain question's answer from the same passages.

Kept apart from the extraction itself (``extract``) so that the news layouts and timelines,
which build on the extractor, sit between the two and nothing imports upward.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from embeddings.base import Store
from qabot.answers.causes import because, event_first
from qabot.answers.extract import ANSWER_ARTICLES, Extractor, Source, lead_vectors, sources
from qabot.answers.intent import PLAIN, WHY, Intent
from qabot.answers.news import Composed, NewsAnswers
from qabot.models import Answer, Citation, Hit
from qabot.text.dates import long_date

if TYPE_CHECKING:
    from qabot.settings import Settings
    from qabot.state.followup import Turn


def assemble(
    question: str, focus: str, qvec: np.ndarray, hits: list[Hit], history: list[Turn], *,
    store: Store, extractor: Extractor, settings: Settings,
    intent: Intent | None = None, name_hits: Sequence[Hit] = (), dated: bool = False, today: date | None = None,
    language: str = "en", across: bool = False, about: Callable[[str, list[str]], np.ndarray] | None = None,
) -> Answer:
    """The answer from the best articles, laid out for the kind of question (qabot.answers.news):
    extracted sentences with their dates, a dated list, a person's introduction and quotes;
    or the LLM's text when configured (plain questions only). Dates and labels are written in
    ``language``, the question's; quoted sentences stay in their article's. ``across``: the
    question is in another language than the archive's (``Extractor.score_sentences``), and
    ``about`` then the model's similarity of a topic to sentences (``NewsAnswers``)."""
    intent = intent or Intent(PLAIN)
    news = NewsAnswers(extractor, lambda chosen, v: sources(store, chosen, v),
                       lambda doc_ids: lead_vectors(store, doc_ids), dated=dated, as_of_days=settings.as_of_days,
                       today=today, language=language, across=across, about=about)
    # in a dated archive (news): an archive without dates (the BBC corpus) answers "why" as before,
    # where the reason is usually in the best passage and reordering by headline cost two answers
    if intent.kind == WHY and hits and dated:
        composed = _why(focus, qvec, hits, store, extractor, intent)
    else:
        composed = news.compose(intent, focus, qvec, hits or list(name_hits), list(name_hits))
    text, citations = composed.text, composed.citations
    passages = tuple(
        {"n": i + 1, "article_id": h.article_id, "title": h.title, "url": h.url,
         "published": h.published, "score": h.score, "text": h.passages[0] if h.passages else ""}
        for i, h in enumerate(hits[:5])
    )
    if settings.llm_url and intent.kind == PLAIN and hits:
        top = [h for h in hits[:ANSWER_ARTICLES] if h.score >= hits[0].score * 0.8]
        llm_text = generate(question, sources(store, top, qvec), history, settings)
        if llm_text is not None:
            text, citations = llm_text
    return Answer(
        question=question, answer=text, citations=tuple(citations), passages=passages,
        found=True, closest=tuple(hits[:3]), resolved_question=focus,
        extra={"leading": composed.leading}, kind=intent.kind, timeline=composed.timeline,
    )


def _why(
    focus: str, qvec: np.ndarray, hits: list[Hit], store: Store, extractor: Extractor, intent: Intent
) -> Composed:
    """A cause question: the article reporting the event, its reasons first (qabot.answers.causes)."""
    ordered = event_first(focus, hits, dates=intent.dates)
    found = sources(store, ordered[:1], qvec)
    notes = {0: ("", long_date(ordered[0].published) or "undated")}
    text, citations = because(extractor, focus, found, notes)
    return Composed(text, citations, [ordered[0].article_id])


def generate(
    question: str, sources: list[Source], history: list[Turn], settings: Settings
) -> tuple[str, list[Citation]] | None:
    """The LLM's answer from each article's three closest passages, or None to fall back."""
    from qabot.answers.llm import LLMAnswerer, Passage, cited_numbers

    hits = [s.hit for s in sources]
    passages = []
    for i, source in enumerate(sources):
        closest = sorted(range(len(source.passages)), key=lambda k: -source.passages[k][1])[:3]
        text = " ".join(source.passages[k][0] for k in sorted(closest))
        passages.append(Passage(i + 1, source.hit.title, source.hit.published, source.hit.url, text))
    past = [(t.question, t.answer.answer) for t in history]
    written = LLMAnswerer(settings).answer(question, passages, past)
    if written is None:
        return None
    text = written
    used = sorted(cited_numbers(text))  # the same reading as the check: [1-2], [1;3], [1–2]
    citations = [
        Citation(n, hits[n - 1].article_id, hits[n - 1].title, hits[n - 1].url,
                 hits[n - 1].published, passages[n - 1].text[:300])
        for n in used
    ]
    return text, citations
