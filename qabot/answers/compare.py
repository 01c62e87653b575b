"""Comparisons: "the difference between X and Y", "compare X with Y", "how does X compare with
the latest". Both figures are quoted, each from the article that states it, with its own date
and citation; Y may be the same story at another time or another story (the service picks the
articles, ``qabot.service.shapes``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from qabot.answers.asof import about_period
from qabot.answers.extract import Extractor, Source
from qabot.answers.labels import labels
from qabot.answers.layout import LINE_CHARS, Lines, lines, whole
from qabot.answers.scoring import Scored, cue
from qabot.models import Hit
from qabot.text.dates import Period, month_number
from qabot.text.fold import fold, folded_terms
from qabot.text.lang import ro

FIGURE_BONUS = 0.3  # a comparison is of figures: a sentence stating one (an amount most) is preferred
HEADLINE_BONUS = 0.3  # and the figure the headline gives, the one the article is about
_FIGURE = re.compile(r"\d[\d.,]*\d|\d")
# "the latest (cost estimate)": the newest article of the first side's story
LATEST_SIDE = re.compile(r"^\s*(?:the\s+)?(?:latest|newest|current|most recent|present)\b\s*(.*)$|"
                         r"^\s*(?:now|today|at present)\s*()$", re.I)
# "the first (minimum wage increase)": the story's earliest article saying it
FIRST_SIDE = re.compile(r"^\s*(?:the\s+)?(?:first|initial|original|earliest)\b\s*(.*)$", re.I)
# and in Romanian ("cea mai recentă", "prima prognoză"): qabot.text.lang.ro, on the folded side
PERIOD_RELEVANT = 0.65  # as for as-of answers: articles this close to the best may state a period's figure


def latest_side(side: str) -> str | None:
    """What follows "the latest" ("cea mai recentă") in a comparison's second side ("" when
    nothing does), or None when the side is not "the latest …"."""
    return _rest(LATEST_SIDE, ro.LATEST_SIDE, side)


def first_side(side: str) -> str | None:
    """What follows "the first" ("prima") in a comparison's side, or None when it does not say it."""
    return _rest(FIRST_SIDE, ro.FIRST_SIDE, side)


def _rest(english: re.Pattern[str], romanian: re.Pattern[str], side: str) -> str | None:
    match = english.match(side)
    if match:
        return next((g for g in match.groups() if g is not None), "")
    folded = fold(side)
    match = romanian.match(folded)
    if match is None:
        return None
    start, end = next(match.span(i) for i in range(1, (match.re.groups or 0) + 1) if match.span(i)[0] >= 0)
    return (side if len(folded) == len(side) else folded)[start:end]


def compare_answer(extractor: Extractor, sides: list[tuple[str, Source]], language: str = "en") -> Lines:
    """One dated line per side: the sentence of its article that best states ``label``'s figure
    (the heading and dates in ``language``)."""
    rows = []
    for label, source in sides:
        scored = extractor.score_sentences(label, [source])
        if not scored:
            continue
        headline = set(_FIGURE.findall(source.hit.title))

        def weight(s: Scored, headline: set[str] = headline) -> float:
            figures = set(_FIGURE.findall(s.text))
            return s.score + FIGURE_BONUS * cue("number", s.text) + (HEADLINE_BONUS if figures & headline else 0.0)

        ranked = sorted(scored, key=weight, reverse=True)
        best = next((s for s in ranked if len(s.text) <= LINE_CHARS and whole(s.text)), ranked[0])
        rows.append((source.hit, best.text, 0))
    said = labels(language)
    return lines(said.compared, rows, language=said.language)


def for_period(hits: Sequence[Hit], period: Period, texts: dict[str, str], side: str) -> Hit | None:
    """The relevant article stating the figure for ``period`` (``qabot.answers.asof.about_period``:
    "inflation in April" is published in May), the more relevant among equals; None when none does."""
    members = [h for h in hits[:10] if h.published and h.score >= hits[0].score * PERIOD_RELEVANT]
    asked = [t for t in folded_terms(side) if not month_number(t) and not t.isdigit()]
    about = {h.article_id: about_period(h.published, texts.get(h.article_id, ""), period, asked) for h in members}
    best = max(members, key=lambda h: about[h.article_id] + h.score, default=None)
    return best if best is not None and about[best.article_id] > 0 else None
