"""The pages a sitemap lists, fetched only when new or changed (by ``lastmod``, else by a 304)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from qabot.errors import SourceError
from qabot.ingest.loaders.crawl import Crawl, NotModified
from qabot.ingest.loaders.fetch import FetchResult
from qabot.ingest.loaders.html import PageFields, page_article
from qabot.ingest.loaders.identity import normalise_url
from qabot.ingest.loaders.sitemaps import SitemapEntry, walk_sitemap
from qabot.models import Article, LoadError

if TYPE_CHECKING:
    from qabot.settings import Settings


def load_sitemap(
    result: FetchResult, source: str, crawl: Crawl, settings: Settings, *, trust_links: bool = False
) -> Iterator[Article | LoadError | NotModified]:
    """One item per page the sitemap (and its children) lists; a broken child is one LoadError."""
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    try:
        entries = list(walk_sitemap(result, source, crawl, max_bytes))
    except SourceError as e:
        yield LoadError(source, str(e))
        return
    for entry in entries:
        if isinstance(entry, tuple):
            yield LoadError(entry[0], str(entry[1]))
            continue
        crawl.listed.add(normalise_url(entry.url))
        if trust_links:
            crawl.trust(entry.url)
        try:
            yield _page(entry, crawl, settings)
        except SourceError as e:
            yield LoadError(entry.url, str(e))


def _page(entry: SitemapEntry, crawl: Crawl, settings: Settings) -> Article | NotModified:
    record = crawl.record_of(entry.url)
    if record and entry.lastmod and record.get("lastmod") == entry.lastmod:
        crawl.not_modified += 1
        return NotModified(record["article_id"], entry.url)
    fetched = crawl.fetch(entry.url)
    if fetched.not_modified and record:
        crawl.remember(
            entry.url, fetched.validators if fetched.etag else _kept(record), kind="page",
            article_id=record["article_id"], lastmod=entry.lastmod,
        )
        return NotModified(record["article_id"], entry.url)
    fallback = PageFields(text="", title=entry.title, published=entry.published)
    article = page_article(fetched, source=entry.url, settings=settings, fallback=fallback)
    crawl.remember(
        entry.url, fetched.validators, kind="page", article_id=article.article_id, lastmod=entry.lastmod
    )
    return article


def _kept(record: dict):
    from qabot.ingest.loaders.fetch import Validators

    return Validators(record.get("etag", ""), record.get("last_modified", ""))
