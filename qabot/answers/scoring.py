"""How well a sentence answers a question, without running the model: the passage's
similarity, the question's words in it, and whether it holds what the question asks for (a
number, a name, a date). News answers add what the newest article says new (``update``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qabot.text.dates import MONTH_PATTERN, YEAR_PATTERN
from qabot.text.fold import fold, folded_terms
from qabot.text.lang import ro

_NUMBER = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|hundred|thousand|million|billion|half|dozen|"
                     r"milioane|miliarde|mii|jumătate)\b", re.I)
_MONEY = re.compile(r"[$£€¥]|\b(?:bn|m|%|per cent|percent|lei|euros?|dollars?|pounds?)\b", re.I)
_DATE = re.compile(
    rf"\b(?:{YEAR_PATTERN}|{MONTH_PATTERN}|monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|"
    r"today|last (?:week|month|year)|next (?:week|month|year))\b",
    re.I,
)
_CALENDAR_DATE = re.compile(rf"\b(?:{YEAR_PATTERN}|{MONTH_PATTERN})\b", re.I)
DAY_ONLY = 0.4
_YEAR = re.compile(YEAR_PATTERN)
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-zà-ž'’-]+(?:\s+[A-Z][a-zà-ž'’-]+)+")


@dataclass(frozen=True)
class Scored:
    text: str
    hit_rank: int
    position: int
    score: float


def names_and_figures(question: str) -> str:
    """The words a question shares with an article in another language: its names ("Pâslaru",
    "Banca Agricolă a Dunării") and its words with digits ("A16", "M6", "15%"), years left out
    (a date in the question is read as a date, and a year is in too many articles)."""
    from qabot.answers.entities import capitalised_names

    figures = [w.strip("?!.,;:") for w in question.split() if any(c.isdigit() for c in w)]
    return " ".join([*capitalised_names(question), *(f for f in figures if not _YEAR.fullmatch(f))])


def question_kind(question: str) -> str:
    """What the question asks for: "number", "date", "name" or "other" (English or Romanian cues)."""
    q = question.lower()
    romanian = ro.cue_kind(fold(q))
    if romanian is not None:
        return romanian
    if re.search(r"\bhow (?:much|many|big|large|far|long|old|high|low|fast)\b|\bwhat (?:percentage|share|price|amount|rate|figure|number|time|score)\b|\bcost|\bworth\b", q):
        return "number"
    if re.search(r"\bwhen\b|\bwhat (?:date|day|year|month)\b", q):
        return "date"
    if re.search(r"\bwho(?:m|se)?\b|\bwhich (?:company|firm|man|woman|player|team|minister|person)\b", q):
        return "name"
    return "other"


def cue(kind: str, sentence: str) -> float:
    if kind == "number":
        return 1.0 if _MONEY.search(sentence) else 0.6 if _NUMBER.search(sentence) else 0.0
    if kind == "date":
        # "When will it open?" wants a month or a year; "on Tuesday" is only when it was said
        return 1.0 if _CALENDAR_DATE.search(sentence) else DAY_ONLY if _DATE.search(sentence) else 0.0
    if kind == "name":
        return 1.0 if _NAME.search(sentence) else 0.0
    return 0.0


def _stem(word: str) -> str:
    return word[:6]


def overlap(question_terms: list[str], sentence: str) -> float:
    """Share of the question's content words found in the sentence (prefix-stemmed)."""
    if not question_terms:
        return 0.0
    words = {_stem(w) for w in folded_terms(sentence)}
    return sum(1 for t in question_terms if _stem(t) in words) / len(question_terms)


@dataclass(frozen=True)
class AnswerWeights:
    similarity: float = 1.0
    overlap: float = 0.5
    cue: float = 0.15
    lead: float = 0.05
    rank: float = 0.1


    # latest answers (qabot.answers.news): the newest article's sentences that echo its headline (which
    # says what is new) or restate an earlier article's sentence with other figures (the update)
    headline: float = 0.4
    update: float = 0.3


_FIGURE = re.compile(r"\d[\d.,]*")
UPDATE_MIN = 0.5  # share of a sentence's words found in the earlier one for it to be a restatement


def what_is_new(sentence: str, headline: str, earlier: list[str], weights: AnswerWeights) -> float:
    """Extra score for a sentence of a story's newest article: the share of its headline's words
    it holds, and, when it restates a sentence of the story's previous article (most of its
    words there) with other figures ("progress reached 74%" after "reached 62%"), that share."""
    title = [w for w in folded_terms(headline) if not w[:1].isdigit()]
    bonus = weights.headline * overlap(title, sentence) if title else 0.0
    words = {_stem(w) for w in folded_terms(sentence) if not w[:1].isdigit()}
    figures = set(_FIGURE.findall(sentence))
    if not words or not figures:
        return bonus
    best = 0.0
    for other in earlier:
        shared = len(words & {_stem(w) for w in folded_terms(other)}) / len(words)
        if shared >= UPDATE_MIN and figures - set(_FIGURE.findall(other)):
            best = max(best, shared)
    return bonus + weights.update * best
