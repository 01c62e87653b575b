"""Parts of a year said in a question: "the second half of 2024", "early 2025", "Q3 2025",
"the last quarter", "summer 2026", "the end of 2025"; in Romanian too ("a doua jumătate a
anului 2024", "primul trimestru din 2025", "vara lui 2026", "sfârșitul anului 2025").

dateparser reads days, months and years but not these (it takes "the second half of 2024" for
2024 and "early 2025" for today), and a reader asking about a figure over months uses them
often. Each names a range of whole months; a season or an edge without a year is the latest
that has started by ``today``. A half or quarter needs its year ("the first half" alone is as
often a match's), except "the last quarter/half": the last full one before ``today``.
"""

from __future__ import annotations

import re
from datetime import date

from qabot.text.dates import YEAR_PATTERN, Period, month_range
from qabot.text.fold import fold

_ORDINAL = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11), "winter": (12, 14)}
_EDGES = {"early": (1, 4), "the start of": (1, 3), "the beginning of": (1, 3), "mid": (5, 8), "the middle of": (5, 8),
          "late": (9, 12), "the end of": (10, 12)}

_YEAR = rf"(?:\s+(?:of\s+)?(?P<year>{YEAR_PATTERN}))?"
_PART = re.compile(
    r"\b(?:the\s+)?(?:"
    r"(?P<half>first|second|1st|2nd|last) half" + _YEAR.replace("year>", "year_h>") + r"|"
    r"(?P<quarter>first|second|third|fourth|1st|2nd|3rd|4th|last|final) quarter" + _YEAR.replace("year>", "year_q>") + r"|"
    rf"\b(?P<hq>[hq])(?P<number>[1-4])\s+(?P<year_n>{YEAR_PATTERN})|"
    rf"(?P<season>spring|summer|autumn|fall|winter)\s+(?:of\s+)?(?P<year_s>{YEAR_PATTERN})|"
    rf"(?P<edge>early|mid|late|the start of|the beginning of|the middle of|the end of)[\s-]+(?P<year_e>{YEAR_PATTERN})"
    r")\b",
    re.I,
)

# The Romanian phrases, read on folded text (no diacritics), their words mapped to the English ones.
_RO_YEAR = rf"(?:\s+(?:a anului\s+|al anului\s+|anului\s+|din\s+|lui\s+)?(?P<year>{YEAR_PATTERN}))?"
_PART_RO = re.compile(
    r"\b(?:"
    r"(?P<half>prima|a doua|ultima) jumatate" + _RO_YEAR.replace("year>", "year_h>") + r"|"
    r"(?P<quarter>primul|al doilea|al treilea|al patrulea|ultimul) trimestru" + _RO_YEAR.replace("year>", "year_q>")
    + r"|"
    rf"\b(?P<hq>[hqt])(?P<number>[1-4])\s+(?P<year_n>{YEAR_PATTERN})|"
    rf"(?P<season>primavara|vara|toamna|iarna)(?:\s+(?:lui|anului|din))?\s+(?P<year_s>{YEAR_PATTERN})|"
    rf"(?P<edge>inceputul|mijlocul|sfarsitul)(?:\s+(?:lui|anului))?\s+(?P<year_e>{YEAR_PATTERN})"
    r")\b",
)
_RO_WORDS = {
    "prima": "first", "primul": "first", "a doua": "second", "al doilea": "second", "al treilea": "third",
    "al patrulea": "fourth", "ultima": "last", "ultimul": "last", "primavara": "spring", "vara": "summer",
    "toamna": "autumn", "iarna": "winter", "inceputul": "the start of", "mijlocul": "the middle of",
    "sfarsitul": "the end of", "t": "q",
}


def find_part(question: str, today: date) -> tuple[int, int, Period] | None:
    """The first part of a year the question names: (start, end, period), or None."""
    found = [m for m in _PART.finditer(question)]
    folded = fold(question)
    if len(folded) == len(question):  # spans in the folded text are spans in the question
        found += list(_PART_RO.finditer(folded))
    for m in sorted(found, key=lambda m: m.start()):
        period = _period(m, today)
        if period is not None:
            return m.start(), m.end(), period
    return None


def _word(m: re.Match[str], group: str) -> str:
    word = " ".join(m.group(group).lower().split())
    return _RO_WORDS.get(word, word)


def _period(m: re.Match[str], today: date) -> Period | None:
    year_text = next((m.group(g) for g in ("year_h", "year_q", "year_n", "year_s", "year_e") if m.group(g)), None)
    year = int(year_text) if year_text else None
    if m.group("half"):
        word = _word(m, "half")
        if word == "last" and year is None:
            return _latest(today, 6)
        if year is None:
            return None  # "the first half" alone is as often a match's as a year's
        months = (7, 12) if word in {"second", "2nd", "last"} else (1, 6)
    elif m.group("quarter"):
        word = _word(m, "quarter")
        if word in {"last", "final"} and year is None:
            return _latest(today, 3)
        if year is None:
            return None  # "in the fourth quarter" alone: of which year, the article's?
        q = 4 if word in {"last", "final"} else _ORDINAL[word]
        months = (3 * q - 2, 3 * q)
    elif m.group("hq"):
        n, size = int(m.group("number")), 6 if _word(m, "hq") == "h" else 3
        if size == 6 and n > 2:
            return None
        months = (size * (n - 1) + 1, size * n)
    elif m.group("season"):
        months = _SEASONS[_word(m, "season")]
    else:
        months = _EDGES[_word(m, "edge")]
    if year is None:  # the latest such range that has started by today
        year = today.year if (today.month >= months[0]) else today.year - 1
    return _span(year, *months)


def _span(year: int, first: int, last: int) -> Period:
    """Months ``first``..``last`` of ``year`` (``last`` past 12 runs into the next year)."""
    since = month_range(year, first)[0]
    until = month_range(year + (last - 1) // 12, (last - 1) % 12 + 1)[1]
    return Period(since, until, "months")


def _latest(today: date, size: int) -> Period:
    """The last full ``size``-month block (quarter or half) before the one holding ``today``."""
    block = (today.month - 1) // size
    year, block = (today.year, block - 1) if block else (today.year - 1, 12 // size - 1)
    return _span(year, block * size + 1, block * size + size)
