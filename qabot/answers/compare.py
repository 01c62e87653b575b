"""Comparisons: "the difference between X and Y", "compare X with Y", "how does X compare with
the latest". Both figures are quoted, each from the article that states it, with its own date
and citation; Y may be the same story at another time or another story (the service picks the
articles, ``qabot.service.shapes``).
"""

from __future__ import annotations

import re

from qabot.answers.extract import Extractor, Source
from qabot.answers.labels import COMPARED
from qabot.answers.layout import LINE_CHARS, Lines, lines, whole

FIGURE_BONUS = 0.3  # a comparison is of figures: a sentence stating one is preferred
_FIGURE = re.compile(r"\d")
LATEST_SIDE = re.compile(
    r"^\s*(?:the\s+)?(?:latest|newest|current|most recent|present|today|now)\b(?:\s+(?:one|figure|level|value|"
    r"forecast|rate|estimate))?\s*$|^\s*(?:now|today|at present)\s*$",
    re.I,
)


def compare_answer(extractor: Extractor, sides: list[tuple[str, Source]]) -> Lines:
    """One dated line per side: the sentence of its article that best states ``label``'s figure."""
    rows = []
    for label, source in sides:
        scored = extractor.score_sentences(label, [source])
        if not scored:
            continue
        ranked = sorted(scored, key=lambda s: s.score + (FIGURE_BONUS if _FIGURE.search(s.text) else 0.0),
                        reverse=True)
        best = next((s for s in ranked if len(s.text) <= LINE_CHARS and whole(s.text)), ranked[0])
        rows.append((source.hit, best.text, 0))
    return lines(COMPARED, rows)
