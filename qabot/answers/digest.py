"""Digests: "What's new today?", "the main news this week", ``/today`` in Telegram — the period's
articles grouped by story, one headline each, the newest story first and newest first within it;
and "Summarise this article" for the article a deep link opened: its lead and key sentences.

Stories are grouped as in ``qabot.answers.stories.components``: opening passages (headline and
lead) with a cosine of at least ``LINKED``, or ``NAMED`` when the headlines share a name.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from embeddings.base import Store
from embeddings.records import Document
from qabot.answers.extract import Extractor, Source, whole_quotes
from qabot.answers.labels import days_label, labels
from qabot.answers.layout import Lines, doc_hit, lines
from qabot.answers.scoring import Scored
from qabot.answers.stories import components
from qabot.models import Citation
from qabot.text.dates import long_date
from qabot.text.fold import folded_terms
from qabot.text.sentences import split_sentences
from qabot.text.when import DateRange

DIGEST_MAX = 12  # articles in one digest
LATEST_FALLBACK = 5  # when the period has none: the newest articles
WEEK = 7
KEY_SENTENCES = 3  # a summary: the lead and this many more


def period_of(dates: DateRange, today: date) -> tuple[str, str]:
    """The digest's days: as asked ("today", "this week"), else the last ``WEEK`` days."""
    until = dates.until or today.isoformat()
    since = dates.since or (date.fromisoformat(until) - timedelta(days=WEEK - 1)).isoformat()
    return since, until


def in_period(store: Store, since: str, until: str, total: int) -> list[Document]:
    """The articles published in ``[since, until]``, newest first (read from the newest down)."""
    k = min(64, max(total, 1))
    while True:
        docs = store.latest(k)
        oldest = docs[-1].published[:10] if docs else ""
        if len(docs) < k or (oldest and oldest < since) or k >= total:
            break
        k = min(k * 4, total)
    return [d for d in docs if d.published and since <= d.published[:10] <= until]


def group_stories(docs: list[Document], lead_vectors: Callable[[list[str]], np.ndarray]) -> list[list[Document]]:
    """``docs`` (newest first) in story groups: the group with the newest article first."""
    if len(docs) < 2:
        return [docs] if docs else []
    label = components([d.title for d in docs], lead_vectors([d.doc_id for d in docs]))
    stories: dict[int, list[Document]] = {}
    for i, doc in enumerate(docs):
        stories.setdefault(label[i], []).append(doc)
    return [stories[r] for r in sorted(stories)]


def digest_answer(
    stories: list[list[Document]], since: str, until: str, fallback: list[Document], language: str = "en",
) -> Lines:
    """One headline per article, story by story; the newest articles when the period has none
    (the heading and dates in ``language``)."""
    said = labels(language)
    period = days_label(since, until, language)
    if not stories:
        rows = [(doc_hit(d), d.title, i) for i, d in enumerate(fallback[:LATEST_FALLBACK])]
        return lines(said.digest_nothing.format(period=period), rows, language=said.language)
    heading = (said.digest_today.format(day=long_date(since, said.language)) if since == until
               else said.digest_period.format(period=period))
    rows = [(doc_hit(d), d.title, g) for g, story in enumerate(stories) for d in story]
    return lines(heading, rows[:DIGEST_MAX], language=said.language)


def summary(extractor: Extractor, doc: Document, language: str = "en") -> tuple[str, list[Citation]]:
    """The article's lead, then its ``KEY_SENTENCES`` sentences that share most with its headline
    or state a figure or a quotation, in reading order, under "Summary of …" (in ``language``)."""
    hit = doc_hit(doc)
    sentences = split_sentences(doc.text)
    title = set(folded_terms(doc.title))
    scored = []
    for pos, s in enumerate(sentences):
        words = set(folded_terms(s))
        weight = len(title & words) / (len(title) or 1) + 0.3 * any(ch.isdigit() for ch in s)
        weight += 0.2 * any(ch in s for ch in "„“\"«") + (2.0 if pos == 0 else 0.0) - 0.02 * pos
        scored.append(Scored(s, 0, pos, weight if len(s) >= 20 else -1.0))
    chosen = sorted(scored, key=lambda s: s.score, reverse=True)[: 1 + KEY_SENTENCES]
    chosen = whole_quotes(chosen, {(s.hit_rank, s.position): s for s in scored})  # no quotation cut open
    text, citations = extractor.write(chosen, [Source(hit, [(doc.text, 1.0)])])
    said = labels(language)
    day = long_date(doc.published, said.language) if doc.published else said.undated
    head = said.summary_of.format(title=doc.title, day=day)
    return f"{head} {text}", citations
