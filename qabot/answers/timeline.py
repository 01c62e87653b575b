"""Timeline answers: one dated line per article, oldest first, each with its citation."""

from __future__ import annotations

from qabot.answers.extract import Extractor, Source
from qabot.models import Citation, TimelineEntry
from qabot.text.dates import long_date
from qabot.text.fragments import text_fragment
from qabot.text.i18n import translator

LEAD_MARGIN = 0.15
LINE_CHARS = 260  # a line longer than this takes the article's next-best shorter sentence


def timeline_lines(
    extractor: Extractor, focus: str, sources: list[Source], *, lead: bool = False, language: str = "en",
    across: bool = False,
) -> tuple[str, list[Citation], tuple[TimelineEntry, ...]]:
    """``sources`` in date order; each article's sentence that best answers ``focus``.

    The text is one line per article ("- 4 November 2026: … [3]"), so it reads as a dated
    list wherever it is printed; the entries let the CLI and the bot format it themselves.
    With ``lead`` (what happened in a period) each line is the article's opening sentence,
    which in news says what happened.
    """
    entries: list[TimelineEntry] = []
    citations: list[Citation] = []
    for source in sources:
        scored = extractor.score_sentences(focus, [source], across=across)
        if not scored:
            continue
        # the opening sentence says what happened; another only when it answers much better
        opening = next((s for s in scored if s.position == 0), None)
        ranked = sorted(scored, key=lambda s: -s.score)
        if lead or (opening is not None and opening.score >= ranked[0].score - LEAD_MARGIN):
            ranked = [opening, *ranked] if opening is not None else ranked
        best = next((s for s in ranked if len(s.text) <= LINE_CHARS and _balanced(s.text)), ranked[0])
        n = len(citations) + 1
        hit = source.hit
        entries.append(TimelineEntry(hit.published, best.text, n))
        citations.append(Citation(n, hit.article_id, hit.title, hit.url, hit.published, best.text,
                                  text_fragment(hit.url, best.text)))
    undated = translator(language)("undated")
    text = "\n".join(f"- {long_date(e.published, language) or undated}: {e.text} [{e.n}]" for e in entries)
    return text, citations, tuple(entries)


def _balanced(sentence: str) -> bool:
    from qabot.text.quotes import balance

    return balance(sentence) == 0
