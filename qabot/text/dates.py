"""Dates: the one month table (English and Romanian), question phrases read by dateparser, and
how dates are written in answers.

Pages carry dates in a handful of shapes (``clean.parse_date``); questions carry them in any
phrasing a reader types ("in March 2025", "în martie 2025", "two weeks ago", "ieri"), which a
well-kept parser reads better than hand-written rules. dateparser is slow to load its language
data, so it is imported and warmed on first use, and only phrases that look like dates reach it.
"""

from __future__ import annotations

import calendar
import re
import threading
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from qabot.text.fold import fold
from qabot.text.lang import ro

# English and Romanian month names, full and abbreviated, written without diacritics: text is
# folded (qabot.text.fold) before it is looked up, so "martie", "Martie" and "MARTIE" all match.
_MONTH_NAMES = (
    "january jan ianuarie ian", "february feb februarie", "march mar martie", "april apr aprilie",
    "may mai", "june jun iunie iun", "july jul iulie iul", "august aug", "september sep sept septembrie",
    "october oct octombrie", "november nov noiembrie", "december dec decembrie",
)
MONTHS: dict[str, int] = {name: i + 1 for i, names in enumerate(_MONTH_NAMES) for name in names.split()}
# Longest first so that "june" wins over "jun" in an alternation.
MONTH_PATTERN = "(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + ")"
YEAR_PATTERN = r"(?:19|20)\d\d"


@dataclass(frozen=True)
class Period:
    """An inclusive ISO date range; ``unit`` is day, week, month, year, or months (a part of a
    year: a half, a quarter, a season; ``qabot.text.periods``)."""

    since: str
    until: str
    unit: str

    @property
    def label(self) -> str:
        start = date.fromisoformat(self.since)
        if self.unit == "month":
            return f"{calendar.month_name[start.month]} {start.year}"
        if self.unit == "year":
            return str(start.year)
        if self.unit == "months":
            end = date.fromisoformat(self.until)
            return f"{calendar.month_name[start.month]} {start.year} to {calendar.month_name[end.month]} {end.year}"
        return long_date(self.since)


def month_number(word: str) -> int | None:
    """The month a name stands for (English or Romanian, any case or diacritics), or None."""
    return MONTHS.get(fold(word).rstrip("."))


def month_names(word: str) -> str:
    """A month name's other spellings, English and Romanian ("iunie" → "june iunie"), or ""."""
    number = month_number(word)
    if number is None:
        return ""
    return f"{calendar.month_name[number].lower()} {ro.MONTH_NAMES[number - 1]}"


def long_date(iso: str, language: str = "en") -> str:
    """``2026-11-04`` → ``4 November 2026`` (``4 noiembrie 2026`` for ``language`` "ro");
    ``""`` stays ``""``."""
    try:
        day = date.fromisoformat(iso[:10])
    except ValueError:
        return iso
    month = ro.MONTH_NAMES[day.month - 1] if language == "ro" else calendar.month_name[day.month]
    return f"{day.day} {month} {day.year}"


def month_range(year: int, month: int) -> tuple[str, str]:
    last = calendar.monthrange(year, month)[1]
    return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"


_parser = None
_parser_lock = threading.Lock()


def _date_parser():
    """dateparser's parser for English and Romanian, created once (about 0.2 s)."""
    global _parser
    if _parser is None:
        with _parser_lock:
            if _parser is None:
                from dateparser.date import DateDataParser

                _parser = DateDataParser(languages=["en", "ro"], settings={"PREFER_DATES_FROM": "past"})
    return _parser


def warm() -> None:
    """Loads dateparser's language data now rather than during the first question (~0.5 s)."""
    parse_period("March 2025")
    parse_period("martie 2025")


def parse_period(phrase: str, today: date | None = None) -> Period | None:
    """The period a date phrase names ("March 2025", "în martie 2025", "2 weeks ago", "ieri").

    A bare month ("in April") is the latest such month not after ``today``.
    """
    today = today or date.today()
    base = datetime(today.year, today.month, today.day)
    parser = _date_parser()
    parser._settings.RELATIVE_BASE = base  # noqa: SLF001 - dateparser reads it per call
    try:
        data = parser.get_date_data(phrase)
    except Exception:  # noqa: BLE001 - dateparser raises many kinds on odd input; a phrase is optional
        return None
    if data is None or data.date_obj is None:
        return None
    found = data.date_obj.date()
    unit = data.period or "day"
    if unit == "month":
        since, until = month_range(found.year, found.month)
    elif unit == "year":
        since, until = f"{found.year}-01-01", f"{found.year}-12-31"
    elif unit == "week":
        since, until = found.isoformat(), min(found + timedelta(days=6), today).isoformat()
    else:
        since = until = found.isoformat()
    return Period(since, until, unit)


_ABSOLUTE = re.compile(
    rf"\b(?:\d{{1,2}}\s+)?{MONTH_PATTERN}\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?)?(?:\s+{YEAR_PATTERN})?\b|\b{YEAR_PATTERN}\b"
)


_AMBIGUOUS = frozenset({"may", "mar", "mai", "jan", "sep", "dec", "oct", "nov", "aug", "apr", "jun", "jul",
                        "feb", "iun", "iul", "ian"})
_LEAD_IN = re.compile(r"\b(?:in|since|after|from|before|until|till|during|of|by|din|pana|inainte de)\s+$")


def find_absolute(text: str) -> list[tuple[int, int, str]]:
    """Spans of month/year phrases in ``text`` (folded for matching): (start, end, phrase)."""
    folded = fold(text)
    # fold() keeps length for Latin text with diacritics (one base letter per character).
    same = len(folded) == len(text)
    out = []
    for m in _ABSOLUTE.finditer(folded):
        phrase = m.group(0)
        if re.fullmatch(YEAR_PATTERN, phrase) and not _LEAD_IN.search(folded[: m.start()]):
            continue  # "the 2025 budget" names a budget, "in 2025" a period
        if phrase in _AMBIGUOUS and not _LEAD_IN.search(folded[: m.start()]):
            # "may", "mar", "mai" are ordinary words too: alone, only after "in", "since"...
            continue
        out.append((m.start(), m.end(), text[m.start():m.end()] if same else phrase))
    return out
