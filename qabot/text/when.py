"""Date ranges said in a question ("in March 2025", "în martie 2025", "last week", "since 2024").

Month and year phrases, in English or Romanian, are read by dateparser (``qabot.text.dates``), parts
of a year ("the second half of 2024", "early 2025", "Q3 2025") by ``qabot.text.periods``;
the few relative phrases whose meaning here is a range ending today ("last week" = the past
seven days) keep their own small rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from qabot.text.dates import Period, find_absolute, parse_period
from qabot.text.periods import find_part


@dataclass(frozen=True)
class DateRange:
    since: str | None = None
    until: str | None = None
    period: Period | None = None

    def __bool__(self) -> bool:
        return bool(self.since or self.until)


_DIRECTION = re.compile(
    r"\b(since|after|from|before|until|till|by|in|during|of|din|în|in|pana in|până în|inainte de|înainte de)\s+(?:the\s+)?$",
    re.I,
)

_RELATIVE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\b(?:last|past|previous)\s+(week|month|year)\b", re.I), "last"),
    (re.compile(r"\bthis\s+(week|month|year)\b", re.I), "this"),
    (re.compile(r"\b(today|yesterday)\b", re.I), "day"),
    (re.compile(r"\bin\s+the\s+last\s+(\d{1,3})\s+days\b", re.I), "days"),
]


def parse_dates(question: str, today: date | None = None) -> tuple[DateRange, str]:
    """The date range a question asks about, and the question with that phrase removed."""
    today = today or date.today()
    part = find_part(question, today)
    spans: list[tuple[int, int, str | Period]] = [(part[0], part[1], part[2])] if part else []
    spans += [(s, e, phrase) for s, e, phrase in find_absolute(question) if not part or not part[0] <= s < part[1]]
    for start, end, phrase in spans:
        period = phrase if isinstance(phrase, Period) else parse_period(phrase, today)
        if period is None:
            continue
        lead = _DIRECTION.search(question[:start])
        if period.unit == "month" and not re.search(r"\d{4}", str(phrase)):
            # "in April": the year is a guess, so it names the month the figure is about (for
            # choosing among a story's articles) but does not filter the archive
            rest = question[: lead.start() if lead else start] + question[end:]
            return DateRange(period=period), " ".join(rest.split())
        word = lead.group(1).lower() if lead else ""
        if word in {"since", "after", "from"}:
            rng = DateRange(since=period.since if word != "after" else _next_day(period.until), period=period)
        elif word in {"before", "inainte de", "înainte de"}:
            rng = DateRange(until=(date.fromisoformat(period.since) - timedelta(days=1)).isoformat(), period=period)
        elif word in {"until", "till", "by", "pana in", "până în"}:
            rng = DateRange(until=period.until, period=period)
        else:
            rng = DateRange(period.since, period.until, period)
        cut = lead.start() if lead else start
        rest = question[:cut] + question[end:]
        return rng, " ".join(rest.split())
    for pattern, kind in _RELATIVE:
        match = pattern.search(question)
        if match:
            rest = question[: match.start()] + question[match.end() :]
            return _relative(kind, match.group(1).lower(), today), " ".join(rest.split())
    return DateRange(), question


def _next_day(iso: str) -> str:
    return (date.fromisoformat(iso) + timedelta(days=1)).isoformat()


def _relative(kind: str, word: str, today: date) -> DateRange:
    if kind == "days":
        return DateRange(since=(today - timedelta(days=int(word))).isoformat())
    if kind == "day":
        day = today if word == "today" else today - timedelta(days=1)
        return DateRange(day.isoformat(), day.isoformat())
    if kind == "last":
        days = {"week": 7, "month": 31, "year": 365}[word]
        return DateRange(since=(today - timedelta(days=days)).isoformat())
    start = {
        "week": today - timedelta(days=today.weekday()),
        "month": today.replace(day=1),
        "year": today.replace(month=1, day=1),
    }[word]
    return DateRange(since=start.isoformat())
