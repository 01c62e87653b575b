"""Questions answered from a set of articles rather than the best passages: lists, digests,
summaries and comparisons (``qabot.answers.intent.read_shape``). ``QAService.ask`` tries these
first; ``None`` sends the question down the ordinary path (retrieval, refusal, extraction).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

import numpy as np

from embeddings.base import Store
from qabot.answers.asof import NEAR, first_about
from qabot.answers.compare import LATEST_SIDE, compare_answer
from qabot.answers.digest import digest_answer, group_stories, in_period, period_of, summary
from qabot.answers.extract import Extractor, lead_vectors, sources
from qabot.answers.intent import COMPARE, DIGEST, LIST, SUMMARY, Intent, read_intent
from qabot.answers.labels import SUMMARY_NEEDS_ARTICLE
from qabot.answers.layout import Lines
from qabot.answers.lists import by_author, list_answer, mentioning
from qabot.answers.retrieve import Candidate, Filters
from qabot.answers.stories import main_story
from qabot.models import Answer, Hit
from qabot.settings import Settings
from qabot.state.followup import History
from qabot.text.when import DateRange

SHAPES = frozenset({LIST, DIGEST, SUMMARY, COMPARE})


class QAService(Protocol):
    """What these answers need of ``qabot.service.qa.QAService`` (a protocol: no import circle)."""

    settings: Settings
    extractor: Extractor
    history: History

    @property
    def store(self) -> Store: ...

    def articles(self) -> int: ...

    def last_answer(self, conversation: str) -> Answer | None: ...

    def retrieve_for(
        self, query: str, filters: Filters, *, today: date | None = None, date_slack: int = 0,
        question_dates: bool = True,
    ) -> tuple[list[Candidate], list[Hit], np.ndarray]: ...


def shaped_answer(
    service: QAService, question: str, intent: Intent, conversation: str | None, filters: Filters,
    today: date | None,
) -> Answer | None:
    """The answer for a list, digest, summary or comparison question, or None (answer as usual)."""
    dates = DateRange(filters.since or intent.dates.since, filters.until or intent.dates.until, intent.dates.period)
    if intent.kind == LIST:
        return _list(service, question, intent, dates)
    if intent.kind == DIGEST:
        return _digest(service, question, dates, today or date.today())
    if intent.kind == SUMMARY:
        return _summary(service, question, conversation)
    if intent.kind == COMPARE:
        return _compare(service, question, intent, filters, today)
    return None


def _as_answer(question: str, kind: str, laid: Lines, **extra: object) -> Answer:
    return Answer(question=question, answer=laid.text, citations=laid.citations, found=True, kind=kind,
                  timeline=laid.entries, heading=laid.heading,
                  extra={"leading": [c.article_id for c in laid.citations], **extra})


def _list(service: QAService, question: str, intent: Intent, dates: DateRange) -> Answer | None:
    store = service.store
    if intent.name:
        docs = by_author(store, intent.name, dates, service.articles())
        if not docs:
            return None
        return _as_answer(question, LIST, list_answer(docs, author=docs[0].meta.get("author", intent.name),
                                                      period=dates.period))
    docs = mentioning(store, intent.subject, dates)
    if not docs:
        return None  # no article names it: the ordinary path answers or refuses
    return _as_answer(question, LIST, list_answer(docs, subject=intent.subject, period=dates.period))


def _digest(service: QAService, question: str, dates: DateRange, today: date) -> Answer:
    store = service.store
    since, until = period_of(dates, today)
    docs = in_period(store, since, until, service.articles())
    stories = group_stories(docs, lambda ids: lead_vectors(store, ids))
    fallback = [] if docs else store.latest(5)
    return _as_answer(question, DIGEST, digest_answer(stories, since, until, fallback), fallback=not docs)


def _summary(service: QAService, question: str, conversation: str | None) -> Answer:
    """The article a deep link opened (or the last answer's first source) in brief."""
    article = service.history.article(conversation)
    if article is None:
        last = service.last_answer(conversation) if conversation else None
        article = last.citations[0].article_id if last and last.citations else None
    doc = service.store.documents([article]).get(article) if article else None
    if doc is None:
        return Answer(question=question, answer=SUMMARY_NEEDS_ARTICLE, found=False, kind=SUMMARY)
    text, citations = summary(service.extractor, doc)
    return Answer(question=question, answer=text, citations=tuple(citations), found=True, kind=SUMMARY,
                  extra={"leading": [doc.doc_id]})


def _compare(
    service: QAService, question: str, intent: Intent, filters: Filters, today: date | None
) -> Answer | None:
    """X's article and Y's (the newest of X's story for "the latest"), each side's figure quoted."""
    first = _side(service, intent.subject, filters, today)
    if first is None:
        return None
    x_hit, x_hits, x_vec = first
    if LATEST_SIDE.match(intent.topic):
        store = service.store
        story = [h for h in main_story(x_hits, lambda ids: lead_vectors(store, ids)) if h.published]
        newest = max(story, key=lambda h: h.published, default=None)
        if newest is None or newest.article_id == x_hit.article_id:
            return None
        y_hit, y_vec, y_label = newest, x_vec, intent.subject
    else:
        second = _side(service, intent.topic, filters, today, avoid=x_hit.article_id)
        if second is None:
            return None
        y_hit, _, y_vec = second
        y_label = intent.topic
    pairs = [(intent.subject, x_hit, x_vec), (y_label, y_hit, y_vec)]
    sides = [(label, source) for label, hit, vec in pairs for source in sources(service.store, [hit], vec)]
    if len(sides) < 2:
        return None
    return _as_answer(question, COMPARE, compare_answer(service.extractor, sides))


def _side(service: QAService, text: str, filters: Filters, today: date | None, avoid: str = ""):  # noqa: ANN202
    """The article that states ``text``'s figure: the first of its story for "the first X", else
    the best relevant one (not ``avoid``); with the hits and the side's vector."""
    side = read_intent(text, today)
    candidates, hits, vec = service.retrieve_for(text, filters, today=today, date_slack=NEAR,
                                                 question_dates=not side.earliest)
    if not hits or not candidates or candidates[0].dense < service.settings.min_relevance:
        return None
    pick: Hit | None = None
    if side.earliest:
        store = service.store
        pick = first_about(main_story(hits, lambda ids: lead_vectors(store, ids)), side.subject)
    pick = pick or next((h for h in hits if h.article_id != avoid), None)
    return (pick, hits, vec) if pick is not None else None
