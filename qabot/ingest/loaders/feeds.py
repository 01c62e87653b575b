"""RSS and Atom feeds: each entry's page is fetched and extracted like any article URL.

When a page cannot be fetched or holds no text, the entry's own content or summary stands
in if it is substantial (at least ``MIN_SUMMARY_CHARS``), and the round's report says so
(``fallbacks``); otherwise that entry is a LoadError. Entry pages are asked for conditionally:
one unchanged since last round (304) is a :class:`NotModified`, not parsed and not embedded.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from qabot.errors import SourceError
from qabot.ingest.clean import tidy_text
from qabot.ingest.loaders.crawl import Crawl, NotModified
from qabot.ingest.loaders.fetch import FetchResult
from qabot.ingest.loaders.html import PageFields, html_to_text, page_article
from qabot.ingest.loaders.identity import normalise_url
from qabot.ingest.loaders.records import make_article
from qabot.models import Article, LoadError

if TYPE_CHECKING:
    from qabot.settings import Settings

MIN_SUMMARY_CHARS = 200
_FEED_RE = re.compile(rb"<(?:rss|feed|rdf:rdf)[\s>]", re.IGNORECASE)
# Aggregator footers feeds append to every summary (Reddit: "submitted by /u/x [link] [comments]").
_BOILERPLATE_RES = (
    re.compile(r"\s*submitted by\s+/?u/\S+(?:\s+to\s+/?r/\S+)?\s*(?:\[link\])?\s*(?:\[comments?\])?\s*$", re.I),
    re.compile(r"\s*\[link\]\s*\[comments?\]\s*$", re.I),
    re.compile(r"\s*The post .{1,200} appeared first on .{1,100}\.?\s*$", re.I),
    re.compile(r"\s*(?:Continue reading|Read more)\s*(?:\.\.\.|…|»|→)?\s*$", re.I),
)


def is_feed(result: FetchResult) -> bool:
    """A feed by its content type, or by its first kilobytes when the server says only "xml"."""
    kind = result.content_type.lower()
    if "rss" in kind or "atom" in kind:
        return True
    return "html" not in kind and bool(_FEED_RE.search(result.content[:4096]))


def load_feed(
    content: bytes, source: str, crawl: Crawl, settings: Settings, *, base_url: str = "",
    trust_links: bool = False,
) -> Iterator[Article | LoadError | NotModified]:
    """One Article, LoadError or NotModified per entry; ``source`` is the feed's path or URL.

    ``trust_links``: the feed is a local file (the operator's own), so its links' hosts are allowed.
    """
    import feedparser

    headers = {"content-location": base_url} if base_url else None  # resolves relative links
    parsed = feedparser.parse(content, response_headers=headers)
    if not parsed.entries:
        reason = f"not a valid feed ({parsed.get('bozo_exception')})" if parsed.bozo else "feed has no entries"
        yield LoadError(source, reason)
        return
    for n, entry in enumerate(parsed.entries, start=1):
        link = entry.get("link", "")
        if link:
            crawl.listed.add(normalise_url(link))
            if trust_links:
                crawl.trust(link)
        try:
            yield _entry_article(entry, link or f"{source}#entry{n}", crawl, settings)
        except SourceError as e:
            yield LoadError(link or f"{source}#entry{n}", str(e))


def _entry_article(entry: Any, where: str, crawl: Crawl, settings: Settings) -> Article | NotModified:
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
            result = crawl.fetch(link)
            record = crawl.record_of(link)
            if result.not_modified and record:
                return NotModified(record["article_id"], link)
            article = page_article(result, source=link, settings=settings, fallback=fields)
            crawl.remember(link, result.validators, kind="page", article_id=article.article_id)
            return article
        except SourceError as e:
            problem = str(e)
    contents = entry.get("content") or []
    summary = strip_boilerplate(
        html_to_text(contents[0].get("value", "") if contents else entry.get("summary", ""))
    )
    if len(tidy_text(summary)) < MIN_SUMMARY_CHARS:
        raise SourceError(f"{problem}; the feed's own summary is too short to stand in")
    if link:
        crawl.fallbacks.append(LoadError(link, f"{problem}; indexed the feed's own text instead"))
    return make_article(
        text=summary, source=where, title=fields.title, url=link, published=fields.published,
        author=fields.author, section=fields.section,
    )


def strip_boilerplate(text: str) -> str:
    """The summary without the footer an aggregator appends to every entry."""
    text = text.rstrip()
    for pattern in _BOILERPLATE_RES:
        text = pattern.sub("", text)
    return text


def _entry_date(entry: Any) -> str:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            return time.strftime("%Y-%m-%d", parsed)
    return entry.get("published", "") or entry.get("updated", "")
