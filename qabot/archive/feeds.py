"""RSS and Atom feeds: each entry's page is fetched and extracted like any article URL.

When a page cannot be fetched or holds no text, the entry's own content or summary stands
in if it is substantial (at least ``MIN_SUMMARY_CHARS``); otherwise that entry is a LoadError.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from qabot.archive.fetch import Fetcher, FetchResult
from qabot.archive.html import PageFields, html_to_text, page_article
from qabot.archive.records import make_article
from qabot.clean import tidy_text
from qabot.errors import SourceError
from qabot.models import Article, LoadError

if TYPE_CHECKING:
    from qabot.settings import Settings

MIN_SUMMARY_CHARS = 200
_FEED_RE = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)


def is_feed(result: FetchResult) -> bool:
    """A feed by its content type, or by its first kilobytes when the server says only "xml"."""
    kind = result.content_type.lower()
    if "rss" in kind or "atom" in kind:
        return True
    return "html" not in kind and bool(_FEED_RE.search(result.content[:4096]))


def load_feed(
    content: bytes, source: str, fetcher: Fetcher, settings: Settings, *, base_url: str = ""
) -> Iterator[Article | LoadError]:
    """One Article (or LoadError) per entry; ``source`` is the feed's path or URL."""
    import feedparser

    headers = {"content-location": base_url} if base_url else None  # resolves relative links
    parsed = feedparser.parse(content, response_headers=headers)
    if not parsed.entries:
        reason = f"not a valid feed ({parsed.get('bozo_exception')})" if parsed.bozo else "feed has no entries"
        yield LoadError(source, reason)
        return
    for n, entry in enumerate(parsed.entries, start=1):
        link = entry.get("link", "")
        try:
            yield _entry_article(entry, link or f"{source}#entry{n}", fetcher, settings)
        except SourceError as e:
            yield LoadError(link or f"{source}#entry{n}", str(e))


def _entry_article(entry: Any, where: str, fetcher: Fetcher, settings: Settings) -> Article:
    tags = entry.get("tags") or []
    fields = PageFields(
        text="",
        title=entry.get("title", ""),
        published=_entry_date(entry),
        author=entry.get("author", ""),
        section=(tags[0].get("term") or "") if tags else "",
    )
    link = entry.get("link", "")
    problem = "entry has no link"
    if link:
        try:
            return page_article(fetcher.get(link), source=link, settings=settings, fallback=fields)
        except SourceError as e:
            problem = str(e)
    contents = entry.get("content") or []
    summary = html_to_text(contents[0].get("value", "") if contents else entry.get("summary", ""))
    if len(tidy_text(summary)) < MIN_SUMMARY_CHARS:
        raise SourceError(f"{problem}; the feed's own summary is too short to stand in")
    return make_article(
        text=summary, source=where, title=fields.title, url=link, published=fields.published,
        author=fields.author, section=fields.section,
    )


def _entry_date(entry: Any) -> str:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return time.strftime("%Y-%m-%d", parsed)
    return entry.get("published", "") or entry.get("updated", "")
