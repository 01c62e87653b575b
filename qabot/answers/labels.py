"""Every phrase the list, comparison, cause, digest and suggestion layouts print, in one place,
in the reader's language: ``labels(language)`` reads each through the message catalogue
(``qabot.text.i18n``; English is the msgid, so English reads exactly as the constants).

The constants are the English text (``str.format`` templates); the layouts use the translated
``Labels``. A period ("March 2025", "from 2 June 2025 to 8 June 2025") is written in the same
language by ``period_label`` and ``days_label``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from qabot.text.dates import Period, long_date
from qabot.text.i18n import translator
from qabot.text.lang import DEFAULT, ro, supported

LIST_MENTIONING = "Articles mentioning {subject}:"
LIST_BY_AUTHOR = "Articles by {author}:"
LIST_IN_PERIOD = "{heading} ({period})"
LIST_MORE = "…and {count} older articles."
COMPARED = "Compared:"
DIGEST_TODAY = "What's new today, {day}:"
DIGEST_PERIOD = "The main news, {period}:"
DIGEST_NOTHING = "Nothing was published {period}. The latest articles:"
SUMMARY_OF = "Summary of “{title}” ({day}):"
SUMMARY_NEEDS_ARTICLE = (
    "Open an article first (an “Ask about this article” link), then ask me to summarise it."
)
UNDATED = "undated"
ON_DAY = "on {day}"  # a digest's one day ("Nothing was published on 4 June 2025.")
FROM_TO = "from {since} to {until}"  # a digest's days
MONTHS_TO = "{start} to {end}"  # a part of a year ("March 2025 to June 2025")

# Suggested questions (qabot.answers.suggest): each is asked back before it is offered.
ASK_WHO = "Who is {name}?"
ASK_LATEST = "What is the latest on {name}?"
ASK_TIMELINE = "What happened with {name}?"
ASK_MENTIONS = "Which articles mention {name}?"
ASK_NEW_THIS_WEEK = "What's new this week?"


@dataclass(frozen=True)
class Labels:
    """The phrases above in one language (``language``)."""

    language: str
    list_mentioning: str
    list_by_author: str
    list_in_period: str
    list_more: str
    compared: str
    digest_today: str
    digest_period: str
    digest_nothing: str
    summary_of: str
    summary_needs_article: str
    undated: str
    on_day: str
    from_to: str
    months_to: str
    ask_who: str
    ask_latest: str
    ask_timeline: str
    ask_mentions: str
    ask_new_this_week: str


@lru_cache(maxsize=8)
def labels(language: str | None = None) -> Labels:
    """The phrases in ``language`` ("ro", "ro-RO"; else English)."""
    code = supported(language) or DEFAULT
    _ = translator(code)
    return Labels(
        code, _(LIST_MENTIONING), _(LIST_BY_AUTHOR), _(LIST_IN_PERIOD), _(LIST_MORE), _(COMPARED),
        _(DIGEST_TODAY), _(DIGEST_PERIOD), _(DIGEST_NOTHING), _(SUMMARY_OF), _(SUMMARY_NEEDS_ARTICLE),
        _(UNDATED), _(ON_DAY), _(FROM_TO), _(MONTHS_TO),
        _(ASK_WHO), _(ASK_LATEST), _(ASK_TIMELINE), _(ASK_MENTIONS), _(ASK_NEW_THIS_WEEK),
    )


def period_label(period: Period, language: str | None = None) -> str:
    """A period as a list's heading names it: "March 2025" ("martie 2025"), "2025", "March 2025
    to June 2025", else its first day; English as ``Period.label``."""
    said = labels(language)
    start = date.fromisoformat(period.since)
    if period.unit == "month":
        return _month(start, said.language)
    if period.unit == "year":
        return str(start.year)
    if period.unit == "months":
        end = _month(date.fromisoformat(period.until), said.language)
        return said.months_to.format(start=_month(start, said.language), end=end)
    return long_date(period.since, said.language)


def days_label(since: str, until: str, language: str | None = None) -> str:
    """A digest's days: "on 4 June 2025", "from 2 June 2025 to 8 June 2025" (in ``language``)."""
    said = labels(language)
    if since == until:
        return said.on_day.format(day=long_date(since, said.language))
    return said.from_to.format(since=long_date(since, said.language), until=long_date(until, said.language))


def _month(day: date, language: str) -> str:
    name = ro.MONTH_NAMES[day.month - 1] if language == "ro" else calendar.month_name[day.month]
    return f"{name} {day.year}"
