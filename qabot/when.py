"""Date ranges said in a question ("in March 2025", "last week", "since 2024")."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_MONTH = r"(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
_YEAR = r"((?:19|20)\d\d)"


@dataclass(frozen=True)
class DateRange:
    since: str | None = None
    until: str | None = None

    def __bool__(self) -> bool:
        return bool(self.since or self.until)


def _month_range(year: int, month: int) -> tuple[str, str]:
    last = calendar.monthrange(year, month)[1]
    return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{last:02d}"


def _month_number(word: str) -> int:
    return MONTHS[word.lower()[:3] if word.lower() not in MONTHS else word.lower()]


_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b(?:since|after|from)\s+{_MONTH}\s+{_YEAR}\b", re.I), "since_month"),
    (re.compile(rf"\b(?:since|after|from)\s+{_YEAR}\b", re.I), "since_year"),
    (re.compile(rf"\bbefore\s+{_MONTH}\s+{_YEAR}\b", re.I), "before_month"),
    (re.compile(rf"\bbefore\s+{_YEAR}\b", re.I), "before_year"),
    (re.compile(rf"\b(?:in|during|of)\s+{_MONTH}\s+{_YEAR}\b", re.I), "in_month"),
    (re.compile(rf"\b(?:in|during|of)\s+{_YEAR}\b", re.I), "in_year"),
    (re.compile(r"\b(?:last|past|previous)\s+(week|month|year)\b", re.I), "last"),
    (re.compile(r"\bthis\s+(week|month|year)\b", re.I), "this"),
    (re.compile(r"\b(today|yesterday)\b", re.I), "day"),
    (re.compile(r"\bin\s+the\s+last\s+(\d{1,3})\s+days\b", re.I), "days"),
]


def parse_dates(question: str, today: date | None = None) -> tuple[DateRange, str]:
    """The date range a question asks about, and the question with that phrase removed."""
    today = today or date.today()
    for pattern, kind in _RULES:
        match = pattern.search(question)
        if not match:
            continue
        rng = _range(kind, match.groups(), today)
        rest = (question[: match.start()] + question[match.end() :]).strip()
        return rng, " ".join(rest.split())
    return DateRange(), question


def _range(kind: str, groups: tuple[str, ...], today: date) -> DateRange:
    if kind == "since_month":
        return DateRange(since=_month_range(int(groups[1]), _month_number(groups[0]))[0])
    if kind == "since_year":
        return DateRange(since=f"{groups[0]}-01-01")
    if kind == "before_month":
        first = date(int(groups[1]), _month_number(groups[0]), 1)
        return DateRange(until=(first - timedelta(days=1)).isoformat())
    if kind == "before_year":
        return DateRange(until=f"{int(groups[0]) - 1}-12-31")
    if kind == "in_month":
        since, until = _month_range(int(groups[1]), _month_number(groups[0]))
        return DateRange(since, until)
    if kind == "in_year":
        return DateRange(f"{groups[0]}-01-01", f"{groups[0]}-12-31")
    if kind == "days":
        return DateRange(since=(today - timedelta(days=int(groups[0]))).isoformat())
    if kind == "day":
        day = today if groups[0].lower() == "today" else today - timedelta(days=1)
        return DateRange(day.isoformat(), day.isoformat())
    unit = groups[0].lower()
    if kind == "last":
        days = {"week": 7, "month": 31, "year": 365}[unit]
        return DateRange(since=(today - timedelta(days=days)).isoformat())
    start = {
        "week": today - timedelta(days=today.weekday()),
        "month": today.replace(day=1),
        "year": today.replace(month=1, day=1),
    }[unit]
    return DateRange(since=start.isoformat())
