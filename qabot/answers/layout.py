"""Dated-line answers shared by lists, comparisons and digests: a heading, then one line per
article ("- 2 June 2025: … [1]"), each with its own citation.

The text is complete on its own (it is what ``qabot ask`` and the LLM-free answer print); the
entries let the CLI and the bot format the lines themselves, as they do for timelines.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from embeddings.records import Document
from qabot.answers.labels import labels
from qabot.models import Answer, Citation, Hit, TimelineEntry
from qabot.text.dates import long_date
from qabot.text.fragments import text_fragment
from qabot.text.quotes import balance

LINE_CHARS = 240  # one line of a list: a longer sentence is cut at a word


@dataclass(frozen=True)
class Lines:
    """A heading, dated lines and their citations; ``footer`` follows the lines; the dates are
    written in ``language``."""

    heading: str
    entries: tuple[TimelineEntry, ...]
    citations: tuple[Citation, ...]
    footer: str = ""
    language: str = "en"

    @property
    def text(self) -> str:
        out = [self.heading] if self.heading else []
        undated = labels(self.language).undated
        for e in by_story(self.entries):
            out.append(f"- {long_date(e.published, self.language) or undated}: {e.text} [{e.n}]" if e else "")
        if self.footer:
            out.append(self.footer)
        return "\n".join(out)


def by_story(entries: Sequence[TimelineEntry]) -> Iterator[TimelineEntry | None]:
    """The entries in order, with ``None`` where a digest's next story starts (a blank line in
    every rendering: the CLI, Telegram and this text)."""
    group = entries[0].group if entries else 0
    for e in entries:
        if e.group != group:
            yield None
            group = e.group
        yield e


def footer_of(answer: Answer) -> str:
    """The line after a list's dated lines ("…and 4 older articles."), or ""."""
    last = answer.answer.rsplit("\n", 1)[-1] if answer.heading and "\n" in answer.answer else ""
    return "" if last.startswith("- ") else last


def lines(heading: str, rows: list[tuple[Hit, str, int]], footer: str = "", language: str = "en") -> Lines:
    """``rows`` of (article, the line's text, story group), in the order to print them; dates
    in ``language``."""
    entries: list[TimelineEntry] = []
    citations: list[Citation] = []
    for n, (hit, text, group) in enumerate(rows, 1):
        link = text_fragment(hit.url, text) if text != hit.title else hit.url
        entries.append(TimelineEntry(hit.published, text, n, group))
        citations.append(Citation(n, hit.article_id, hit.title, hit.url, hit.published, text, link))
    return Lines(heading, tuple(entries), tuple(citations), footer, language)


def doc_hit(doc: Document, score: float = 0.0) -> Hit:
    """A stored article as a hit (lists and digests read articles, not search results)."""
    return Hit(doc.doc_id, doc.title, doc.meta.get("url", ""), doc.published, doc.section,
               doc.meta.get("author", ""), score, (doc.text,))


def one_line(sentence: str, limit: int = LINE_CHARS) -> str:
    """``sentence`` on one line, cut at a word with an ellipsis past ``limit`` characters."""
    sentence = " ".join(sentence.split())
    if len(sentence) <= limit:
        return sentence
    return sentence[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def whole(sentence: str) -> bool:
    """A sentence whose quotation marks open and close inside it."""
    return balance(sentence) == 0
