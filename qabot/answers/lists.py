"""List questions: "Which articles mention X?", "News about X", "What did we write about X this
month?", "Articles by AUTHOR". The answer is the matching articles, newest first, one dated line
each naming the subject, each with its citation.

An article counts when it holds every content word of the subject (folded, each as the start
of a word: "wage" finds "wages", "Sibiu" finds "Sibiu's"), so a name the archive holds is never
refused as "not in the archive". Candidates come from the keyword index (the subject's words),
an author's articles from the newest articles (authors are not in the keyword index).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from embeddings.base import Store
from embeddings.records import Document, Filters
from qabot.answers.labels import labels, period_label
from qabot.answers.layout import Lines, doc_hit, lines, one_line, whole
from qabot.text.dates import Period
from qabot.text.fold import fold, folded_terms
from qabot.text.sentences import split_sentences
from qabot.text.when import DateRange

LIST_MAX = 10  # lines in one answer; the rest are counted
KEYWORD_DOCS = 200
SUBJECT_WORDS = 5  # a longer "subject" is a question, not a name: answered as usual
AUTHOR_SCAN = 20_000  # newest articles read for an author's list, at most


def subject_words(subject: str) -> list[str]:
    """The subject's folded content words ("the minimum wage" -> minimum, wage)."""
    return list(folded_terms(subject))


def mentions(words: Sequence[str], text: str) -> bool:
    """Every word of ``words`` starts a word of ``text`` (folded)."""
    folded = fold(text)
    return bool(words) and all(re.search(rf"\b{re.escape(w)}", folded) for w in words)


def mentioning(store: Store, subject: str, dates: DateRange) -> list[Document]:
    """The archive's articles naming ``subject`` (within ``dates``), newest first."""
    words = subject_words(subject)
    if not words or len(words) > SUBJECT_WORDS:
        return []
    ranked = [doc_id for doc_id, _ in store.keyword_search(" ".join(words), KEYWORD_DOCS,
                                                           Filters(dates.since, dates.until))]
    docs = store.documents(ranked)
    found = [docs[d] for d in ranked if d in docs and mentions(words, f"{docs[d].title}\n{docs[d].text}")]
    return sorted(found, key=lambda d: d.published, reverse=True)


def by_author(store: Store, author: str, dates: DateRange, total: int) -> list[Document]:
    """The articles whose byline is ``author`` (folded, so "Neacsu" finds "Neacșu"), newest first."""
    wanted = fold(" ".join(author.split()))
    k = min(256, max(total, 1))
    while True:
        docs = store.latest(k)
        if len(docs) < k or k >= min(total, AUTHOR_SCAN):
            break
        k = min(k * 4, AUTHOR_SCAN)
    found = [d for d in docs if wanted and wanted == fold(" ".join(str(d.meta.get("author", "")).split()))]
    return [d for d in found if _within(d.published, dates)]


def list_answer(
    docs: list[Document], *, subject: str = "", author: str = "", period: Period | None = None, language: str = "en",
) -> Lines:
    """One line per article, newest first: its headline when that names the subject, else its
    first sentence that does (cut to one line); the heading in ``language``."""
    said = labels(language)
    heading = said.list_by_author.format(author=author) if author else said.list_mentioning.format(subject=subject)
    if period is not None:
        heading = said.list_in_period.format(heading=heading.rstrip(":"), period=period_label(period, language)) + ":"
    words = subject_words(subject) if subject else []
    rows = [(doc_hit(d), _line(d, words), 0) for d in docs[:LIST_MAX]]
    more = said.list_more.format(count=len(docs) - LIST_MAX) if len(docs) > LIST_MAX else ""
    return lines(heading, rows, more, said.language)


def _line(doc: Document, words: list[str]) -> str:
    if not words or mentions(words, doc.title):
        return doc.title or one_line(doc.text)
    for sentence in split_sentences(doc.text):
        if mentions(words, sentence) and whole(sentence):
            return one_line(sentence)
    return doc.title or one_line(doc.text)


def _within(published: str, dates: DateRange) -> bool:
    day = published[:10]
    if dates.since and (not day or day < dates.since):
        return False
    return not (dates.until and (not day or day > dates.until))
