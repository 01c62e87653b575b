"""Every phrase the list, comparison, cause, digest and suggestion layouts print, in one place.

Kept as plain constants (``str.format`` templates) so that the message catalogue (gettext,
issue 21) can take them over at merge without hunting through the layouts.
"""

from __future__ import annotations

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

# Suggested questions (qabot.answers.suggest): each is asked back before it is offered.
ASK_WHO = "Who is {name}?"
ASK_LATEST = "What is the latest on {name}?"
ASK_TIMELINE = "What happened with {name}?"
ASK_MENTIONS = "Which articles mention {name}?"
ASK_NEW_THIS_WEEK = "What's new this week?"
