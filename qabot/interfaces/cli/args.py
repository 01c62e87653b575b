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


def build_parser(description: str) -> argparse.ArgumentParser:
    """Every command and its options; ``qabot --help`` needs no heavy import."""
    p = argparse.ArgumentParser(prog="qabot", description=description)
    add_common_options(p, top=True)
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("ingest", help="index articles from files, folders, feeds or URLs")
    s.add_argument("sources", nargs="+", metavar="SOURCE")
    s.add_argument("--prune", action="store_true", help="remove articles whose source file is gone")
    s.add_argument("--rebuild", action="store_true", help="start a new index (e.g. after changing the model)")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("refresh", help="re-read the configured sources (QABOT_SOURCES); embed only what changed")
    s.add_argument("--prune", action="store_true", help="remove articles whose source file is gone")
    s.add_argument("--rebuild", action="store_true", help="re-embed everything")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("watch", help="refresh the configured sources on a schedule until SIGTERM/SIGINT")
    s.add_argument("--every", metavar="DURATION", help="time between rounds: 90s, 15m, 2h (default: QABOT_REFRESH_EVERY or 15m)")

    s = sub.add_parser("sources", help="the configured sources and how their last refreshes went")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("stats", help="what the index holds")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("show", help="one stored article")
    s.add_argument("article_id")
    s.add_argument("--json", action="store_true")

    for name, help_ in (("search", "matching articles, one per article"), ("ask", "a cited answer")):
        s = sub.add_parser(name, help=help_)
        s.add_argument("query", metavar="QUERY", help="text, or - to read one per line from standard input")
        if name == "search":
            s.add_argument("--k", type=k_arg, default=10, help="how many articles (1-1000)")
        s.add_argument("--since", type=date_arg, help="earliest date: YYYY[-MM[-DD]], today, yesterday, 'N days ago'")
        s.add_argument("--until", type=date_arg, help="latest date, the same forms")
        s.add_argument("--section")
        s.add_argument("--json", action="store_true")

    s = sub.add_parser("chat", help="interactive chat in the terminal (builds the sample archive if there is no index)")
    s.add_argument("--no-color", action="store_true")

    s = sub.add_parser("eval", help="retrieval and answer quality on a question file or a corpus")
    s.add_argument("file", help="questions (TSV or JSONL) or, with --known-item, a JSONL corpus")
    s.add_argument("--known-item", action="store_true", help="index the corpus without headlines, query each headline")
    s.add_argument("--limit", type=int, default=0, help="evaluate only the first N questions")
    s.add_argument("--into", metavar="DIR", help="with --known-item: build (or reuse) the test index in DIR "
                   "instead of a private temporary folder; never the configured index")
    s.add_argument("--misses", action="store_true",
                   help="print each question answered wrong (by its kind's measure) with what was cited, on stderr")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("prepare", help="convert the embedding model for fast ingest now (ingest does it once if needed)")
    s.add_argument("--json", action="store_true")

    s = sub.add_parser("migrate", help="copy the archive and shared state to PostgreSQL or a data folder, without re-embedding")
    s.add_argument("--to", required=True, metavar="TARGET", help="postgresql://... URL, or a data folder")
    s.add_argument("--json", action="store_true")

    sub.add_parser("telegram", help="run the Telegram bot (QABOT_TELEGRAM_TOKEN)")

    s = sub.add_parser("serve", help="the website: page, widget.js, HTTP API, insights (builds the sample archive if there is no index)")
    s.add_argument("--host", help="address to listen on (default: QABOT_WEB_HOST or 127.0.0.1)")
    s.add_argument("--port", type=int, help="port to listen on (default: QABOT_WEB_PORT or 8080)")

    s = sub.add_parser("reindex", help="re-embed the stored articles (new model or chunking) without reading the sources")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("check", help="verify the live index version; says what is wrong and how to repair it")
    s.add_argument("--json", action="store_true")
    s = sub.add_parser("export", help="write every stored article (id and metadata) as JSON lines")
    s.add_argument("--out", metavar="FILE.jsonl", help="where to write (default: standard output)")
    for command in sub.choices.values():
        add_common_options(command, top=False)
    return p
