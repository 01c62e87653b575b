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
from qabot.answers.causes import event_first
from qabot.answers.compare import compare_answer, first_side, for_period, latest_side
from qabot.answers.digest import digest_answer, group_stories, in_period, period_of, summary
from qabot.answers.extract import Extractor, lead_vectors, sources
from qabot.answers.intent import COMPARE, DIGEST, LIST, SUMMARY, Intent, read_intent
from qabot.answers.labels import labels
from qabot.answers.layout import Lines
from qabot.answers.lists import by_author, list_answer, mentioning
from qabot.answers.retrieve import Candidate, Filters
from qabot.answers.stories import main_story
from qabot.models import Answer, Hit
from qabot.settings import Settings
from qabot.state.followup import History
from qabot.text.when import DateRange, parse_dates

SHAPES = frozenset({LIST, DIGEST, SUMMARY, COMPARE})


class QAService(Protocol):
    """What these answers need of ``qabot.service.qa.QAService`` (a protocol: no import circle)."""

    settings: Settings
    extractor: Extractor
    history: History

    @property
    def store(self) -> Store: ...

    @property
    def min_relevance(self) -> float: ...

    def articles(self) -> int: ...

    def last_answer(self, conversation: str) -> Answer | None: ...

    def retrieve_for(
        self, query: str, filters: Filters, *, today: date | None = None, date_slack: int = 0,
        question_dates: bool = True,
    ) -> tuple[list[Candidate], list[Hit], np.ndarray]: ...


def shaped_answer(
    service: QAService, question: str, intent: Intent, conversation: str | None, filters: Filters,
    today: date | None, language: str = "en",
) -> Answer | None:
    """The answer for a list, digest, summary or comparison question, or None (answer as usual);
    its headings and dates in ``language`` (the question's)."""
    dates = DateRange(filters.since or intent.dates.since, filters.until or intent.dates.until, intent.dates.period)
    if intent.kind == LIST:
        return _list(service, question, intent, dates, language)
    if intent.kind == DIGEST:
        return _digest(service, question, dates, today or date.today(), language)
    if intent.kind == SUMMARY:
        return _summary(service, question, conversation, language)
    if intent.kind == COMPARE:
        return _compare(service, question, intent, filters, today, language)
    return None


def _as_answer(question: str, kind: str, laid: Lines, **extra: object) -> Answer:
    return Answer(question=question, answer=laid.text, citations=laid.citations, found=True, kind=kind,
                  timeline=laid.entries, heading=laid.heading,
                  extra={"leading": [c.article_id for c in laid.citations], **extra})


def _list(service: QAService, question: str, intent: Intent, dates: DateRange, language: str) -> Answer | None:
    store = service.store
    if intent.name:
        docs = by_author(store, intent.name, dates, service.articles())
        if not docs:
            return None
        return _as_answer(question, LIST, list_answer(docs, author=docs[0].meta.get("author", intent.name),
                                                      period=dates.period, language=language))
    docs = mentioning(store, intent.subject, dates)
    if not docs:
        return None  # no article names it: the ordinary path answers or refuses
    return _as_answer(question, LIST, list_answer(docs, subject=intent.subject, period=dates.period,
                                                  language=language))


def _digest(service: QAService, question: str, dates: DateRange, today: date, language: str) -> Answer:
    store = service.store
    since, until = period_of(dates, today)
    docs = in_period(store, since, until, service.articles())
    stories = group_stories(docs, lambda ids: lead_vectors(store, ids))
    fallback = [] if docs else store.latest(5)
    laid = digest_answer(stories, since, until, fallback, language)
    return _as_answer(question, DIGEST, laid, fallback=not docs)


def _summary(service: QAService, question: str, conversation: str | None, language: str) -> Answer:
    """The article a deep link opened (or the last answer's first source) in brief."""
    article = service.history.article(conversation)
    if article is None:
        last = service.last_answer(conversation) if conversation else None
        article = last.citations[0].article_id if last and last.citations else None
    doc = service.store.documents([article]).get(article) if article else None
    if doc is None:
        return Answer(question=question, answer=labels(language).summary_needs_article, found=False, kind=SUMMARY)
    text, citations = summary(service.extractor, doc, language)
    return Answer(question=question, answer=text, citations=tuple(citations), found=True, kind=SUMMARY,
                  extra={"leading": [doc.doc_id]})


def _compare(
    service: QAService, question: str, intent: Intent, filters: Filters, today: date | None, language: str,
) -> Answer | None:
    """X's article and Y's (the newest of X's story for "the latest …"), each side's figure quoted."""
    first = _side(service, intent.subject, filters, today)
    if first is None:
        return None
    x_hit, x_vec = first
    latest = latest_side(intent.topic)
    if latest is not None:
        y_label = f"{_bare(intent.subject, today)} {latest}".strip()
        second = _newest(service, y_label, filters, x_hit)
    else:
        second = _side(service, intent.topic, filters, today, avoid=x_hit.article_id)
        y_label = intent.topic
    if second is None:
        return None
    pairs = [(intent.subject, *first), (y_label, *second)]
    sides = [(label, source) for label, hit, vec in pairs for source in sources(service.store, [hit], vec)]
    if len(sides) < 2:
        return None
    return _as_answer(question, COMPARE, compare_answer(service.extractor, sides, language))


def _bare(side: str, today: date | None) -> str:
    """A side without its time: "the first growth forecast for 2026" -> "growth forecast for 2026"."""
    first = first_side(side)
    return parse_dates(first if first is not None else side, today)[1]


def _side(
    service: QAService, text: str, filters: Filters, today: date | None, avoid: str = ""
) -> tuple[Hit, np.ndarray] | None:
    """The article stating ``text``'s figure: the story's first saying it for "the first X", the
    one about the period for "X in April 2025", else of the best the one whose headline says most
    of ``text`` (``qabot.answers.causes.event_first``); never ``avoid``."""
    first = first_side(text)
    side = read_intent(text, today)
    candidates, hits, vec = service.retrieve_for(text, filters, today=today, date_slack=NEAR,
                                                 question_dates=first is None)
    hits = [h for h in hits if h.article_id != avoid]
    if not hits or not candidates or candidates[0].dense < service.min_relevance:
        return None
    store = service.store
    pick: Hit | None = None
    if first is not None:
        pick = first_about(main_story(hits, lambda ids: lead_vectors(store, ids)), first)
    elif side.dates.period is not None:
        docs = store.documents(h.article_id for h in hits[:10])
        pick = for_period(hits, side.dates.period, {d: doc.text for d, doc in docs.items()},
                          parse_dates(text, today)[1])
    return (pick or event_first(text, hits)[0]), vec


def _newest(service: QAService, text: str, filters: Filters, than: Hit) -> tuple[Hit, np.ndarray] | None:
    """The newest article of ``text``'s story, when it is newer than ``than``."""
    store = service.store
    _, hits, vec = service.retrieve_for(" ".join(text.split()), filters, question_dates=False)
    story = [h for h in main_story(hits, lambda ids: lead_vectors(store, ids)) if h.published]
    newest = max(story, key=lambda h: h.published, default=None)
    if newest is None or newest.article_id == than.article_id or newest.published <= than.published:
        return None
    return newest, vec
