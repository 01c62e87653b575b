"""Argument checks for the command line: values that would otherwise be taken silently.

Each check raises ``argparse.ArgumentTypeError`` naming the value, which argparse turns into
a usage error (exit status 2) naming the option as well.
"""

from __future__ import annotations

import argparse
import re
from datetime import date, timedelta
from typing import Any

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_WORDS = {"today": 0, "yesterday": 1}
_AGO = re.compile(r"^(\d+) (day|week)s? ago$")
MAX_K = 1000


def date_arg(value: str) -> str:
    """A date bound: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a real date), ``today``,
    ``yesterday`` or ``N days ago`` / ``N weeks ago``; returned as the ISO prefix to compare."""
    text = " ".join(value.lower().split())
    if text in _WORDS:
        return (date.today() - timedelta(days=_WORDS[text])).isoformat()
    ago = _AGO.match(text)
    if ago:
        days = int(ago.group(1)) * (7 if ago.group(2) == "week" else 1)
        return (date.today() - timedelta(days=days)).isoformat()
    match = _ISO.match(text)
    if match:
        year, month, day = (int(g) if g else None for g in match.groups())
        try:
            date(year or 1, month or 1, day or 1)
        except ValueError:
            pass
        else:
            return text
    raise argparse.ArgumentTypeError(
        f"invalid date {value!r}: use YYYY, YYYY-MM, YYYY-MM-DD, today, yesterday or 'N days ago'"
    )


def k_arg(value: str) -> int:
    """How many results: a whole number from 1 to MAX_K."""
    try:
        k = int(value)
    except ValueError:
        k = 0
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"invalid count {value!r}: a whole number from 1 to {MAX_K}")
    return k


def check_query(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """An empty QUERY is a usage error (``-`` reads queries from standard input instead)."""
    query = getattr(args, "query", None)
    if query is not None and not query.strip():
        parser.error(f"argument QUERY: empty question {query!r}: type a question, or - to read them from standard input")


def add_common_options(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """``--data-dir`` and ``-v``, accepted before the command and after it.

    On a subcommand they default to SUPPRESS, so leaving them out there keeps the value
    given before the command instead of resetting it.
    """
    default: dict[str, Any] = {} if top else {"default": argparse.SUPPRESS}
    parser.add_argument("--data-dir", help="index folder (default: QABOT_DATA_DIR or ./data)", **default)
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details", **default)
