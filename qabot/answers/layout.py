"""Dated-line answers shared by lists, comparisons and digests: a heading, then one line per
article ("- 2 June 2025: … [1]"), each with its own citation.

The text is complete on its own (it is what ``qabot ask`` and the LLM-free answer print); the
entries let the CLI and the bot format the lines themselves, as they do for timelines.
"""

from __future__ import annotations

from dataclasses import dataclass

from embeddings.records import Document
from qabot.answers.labels import UNDATED
from qabot.models import Citation, Hit, TimelineEntry
from qabot.text.dates import long_date
from qabot.text.fragments import text_fragment
from qabot.text.quotes import balance

LINE_CHARS = 240  # one line of a list: a longer sentence is cut at a word


@dataclass(frozen=True)
class Lines:
    """A heading, dated lines and their citations; ``footer`` follows the lines."""

    heading: str
    entries: tuple[TimelineEntry, ...]
    citations: tuple[Citation, ...]
    footer: str = ""

    @property
    def text(self) -> str:
        out = [self.heading] if self.heading else []
        group = self.entries[0].group if self.entries else 0
        for e in self.entries:
            if e.group != group:  # a digest's stories are separated by a blank line
                out.append("")
                group = e.group
            out.append(f"- {long_date(e.published) or UNDATED}: {e.text} [{e.n}]")
        if self.footer:
            out.append(self.footer)
        return "\n".join(out)


def lines(heading: str, rows: list[tuple[Hit, str, int]], footer: str = "") -> Lines:
    """``rows`` of (article, the line's text, story group), in the order to print them."""
    entries: list[TimelineEntry] = []
    citations: list[Citation] = []
    for n, (hit, text, group) in enumerate(rows, 1):
        link = text_fragment(hit.url, text) if text != hit.title else hit.url
        entries.append(TimelineEntry(hit.published, text, n, group))
        citations.append(Citation(n, hit.article_id, hit.title, hit.url, hit.published, text, link))
    return Lines(heading, tuple(entries), tuple(citations), footer)


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
