"""Reading every kind of source into Articles, one LoadError per bad file, record or entry.

URLs go through a :class:`Crawl` (conditional requests, counters) and an HttpFetcher limited
to the configured sources' hosts; a fetched document is a feed, a sitemap or a page by its
content, so a sitemap URL works wherever a feed URL does.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from qabot.errors import SourceError
from qabot.ingest.clean import clean_page, find_repeated
from qabot.ingest.loaders.crawl import Crawl, NotModified
from qabot.ingest.loaders.feeds import is_feed, load_feed
from qabot.ingest.loaders.fetch import Fetcher, FetchResult, HttpFetcher, Validators
from qabot.ingest.loaders.files import (
    FEED_EXTS,
    HTML_EXTS,
    JSON_EXTS,
    KNOWN_EXTS,
    TEXT_EXTS,
    iter_files,
    read_bytes,
    read_text,
    text_page,
)
from qabot.ingest.loaders.hosts import HostPolicy
from qabot.ingest.loaders.html import html_article, page_article
from qabot.ingest.loaders.jsondocs import load_json
from qabot.ingest.loaders.records import make_article
from qabot.ingest.loaders.sitemap_pages import load_sitemap
from qabot.ingest.loaders.sitemaps import is_sitemap
from qabot.models import Article, LoadError

if TYPE_CHECKING:
    from qabot.settings import Settings

# Site chrome is the same on every page, so a spread sample finds it without reading a big archive twice.
REPEATED_SAMPLE = 500
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)


Item = Article | LoadError | NotModified


def load_sources(
    sources: Iterable[str], settings: Settings, fetcher: Fetcher | None = None
) -> Iterator[Article | LoadError]:
    """Articles from files, folders (recursive), feeds, sitemaps and article URLs; bad input
    becomes LoadError.

    ``source`` on each Article: the file's absolute path, the article URL, or the feed entry's URL.
    Without a ``fetcher`` an HttpFetcher is opened on first need and closed at the end.
    """
    sources = [str(s).strip() for s in sources]
    crawl = Crawl(fetcher=fetcher) if fetcher is not None else None
    for _source, item in iter_sources(sources, settings, crawl):
        if not isinstance(item, NotModified):
            yield item


def iter_sources(
    sources: list[str], settings: Settings, crawl: Crawl | None = None
) -> Iterator[tuple[str, Item]]:
    """``(source, item)`` for everything each source holds, in order; the round's bookkeeping
    (validators, counters, fallbacks) goes to ``crawl`` (a fresh one, without state, if None)."""
    own: HttpFetcher | None = None
    if crawl is None:
        crawl = Crawl(fetcher=_NoFetcher())
    if isinstance(crawl.fetcher, _NoFetcher):
        policy = HostPolicy((s for s in sources if _SCHEME_RE.match(s)), settings.fetch_allow_hosts)
        crawl.fetcher = own = _LazyFetcher(settings, policy)  # type: ignore[assignment]
        crawl.policy = policy
    try:
        for source in sources:
            for item in _load_source(source, settings, crawl):
                if isinstance(item, LoadError) and item.source != source:
                    crawl.spoil(source)
                yield source, item
    finally:
        if own is not None:
            own.close()


def _load_source(source: str, settings: Settings, crawl: Crawl) -> Iterator[Item]:
    scheme = _SCHEME_RE.match(source)
    if scheme:
        if scheme.group(1).lower() in ("http", "https"):
            yield from _load_url(source, settings, crawl)
        else:
            yield LoadError(source, f"unsupported URL scheme {scheme.group(1)!r} (use http or https)")
        return
    path = Path(source).expanduser().absolute()
    if path.is_dir():
        yield from _load_folder(path, settings, crawl)
    elif not path.exists():
        yield LoadError(str(path), "no such file or folder")
    else:
        yield from _load_file(path, path.name, settings, crawl, frozenset(), explicit=True)


def _load_url(url: str, settings: Settings, crawl: Crawl) -> Iterator[Item]:
    max_bytes = int(settings.max_file_mb * 1024 * 1024)
    try:
        result = crawl.fetch(url, conditional=crawl.containers_conditional)
        record = crawl.record_of(url) or {}
        if result.not_modified:
            if record.get("kind") == "page":
                yield NotModified(record["article_id"], url)
            return  # a feed or sitemap unchanged since every page in it was stored
        if is_feed(result):
            crawl.remember(url, result.validators, kind="feed", source=url)
            yield from load_feed(result.content, url, crawl, settings, base_url=result.url)
        elif is_sitemap(result, max_bytes):
            yield from load_sitemap(result, url, crawl, settings)
        else:
            article = page_article(result, source=url, settings=settings)
            crawl.listed.add(article.article_id)
            crawl.remember(url, result.validators, kind="page", article_id=article.article_id)
            yield article
    except SourceError as e:
        yield LoadError(url, str(e))


def _load_folder(root: Path, settings: Settings, crawl: Crawl) -> Iterator[Item]:
    walk_errors: list[OSError] = []
    files = list(iter_files(root, walk_errors))
    for error in walk_errors:
        yield LoadError(str(error.filename or root), f"cannot read folder: {error.strerror or error}")
    repeated = _repeated_lines([p for p in files if p.suffix.lower() in TEXT_EXTS], settings)
    for path in files:
        yield from _load_file(path, path.relative_to(root).as_posix(), settings, crawl, repeated)


def _repeated_lines(pages: list[Path], settings: Settings) -> frozenset[str]:
    step = max(1.0, len(pages) / REPEATED_SAMPLE)
    texts: list[str] = []
    for i in range(min(len(pages), REPEATED_SAMPLE)):
        path = pages[int(i * step)]
        try:
            texts.append(text_page(path, read_text(path, settings.max_file_mb))[0].text)
        except SourceError:
            continue  # reported when the file itself is loaded
    return find_repeated(texts)


def _load_file(
    path: Path,
    rel_path: str,
    settings: Settings,
    crawl: Crawl,
    repeated: frozenset[str],
    *,
    explicit: bool = False,
) -> Iterator[Item]:
    source = str(path)
    ext = path.suffix.lower()
    if ext not in KNOWN_EXTS:
        known = " ".join(sorted(KNOWN_EXTS))
        yield LoadError(source, f"unsupported file type {ext or '(no extension)'!r}; expected one of {known}")
        return
    try:
        if ext in TEXT_EXTS:
            yield _text_article(path, rel_path, settings, repeated)
        elif ext in HTML_EXTS:
            data = read_bytes(path, settings.max_file_mb)
            yield html_article(data, source=source, settings=settings, rel_path=rel_path)
        elif ext in JSON_EXTS:
            yield from load_json(read_text(path, settings.max_file_mb), source, jsonl=ext == ".jsonl")
        elif ext in FEED_EXTS:
            data = read_bytes(path, settings.max_file_mb)
            as_result = FetchResult(source, data, "")
            if ext == ".xml" and is_sitemap(as_result, int(settings.max_file_mb * 1048576)):
                yield from load_sitemap(as_result, source, crawl, settings, trust_links=True)
            elif explicit or ext != ".xml" or is_feed(as_result):
                yield from load_feed(data, source, crawl, settings, trust_links=True)
    except SourceError as e:
        yield LoadError(source, str(e))


def _text_article(path: Path, rel_path: str, settings: Settings, repeated: frozenset[str]) -> Article:
    page, meta = text_page(path, read_text(path, settings.max_file_mb))
    cleaned = clean_page(
        page.text, title=page.title or None, extra_patterns=settings.clean_patterns, repeated=repeated
    )
    if not cleaned.text:
        raise SourceError("no article text left after removing the page's chrome")
    return make_article(
        text=cleaned.text,
        source=str(path),
        title=cleaned.title,
        url=meta.get("url", ""),
        published=meta.get("date") or meta.get("published") or cleaned.published,
        author=meta.get("author") or cleaned.author,
        section=meta.get("section") or meta.get("category", "") or cleaned.section,
        explicit_id=meta.get("id", ""),
        rel_path=rel_path,
    )


class _NoFetcher:
    """Placeholder until iter_sources opens the real fetcher (only when a URL needs it)."""

    def get(self, url: str, validators: Validators | None = None) -> FetchResult:
        raise SourceError("no fetcher")


class _LazyFetcher:
    """An HttpFetcher opened on the first URL (a folder-only ingest never builds an HTTP client)."""

    def __init__(self, settings: Settings, policy: HostPolicy) -> None:
        self._settings = settings
        self._policy = policy
        self._fetcher: HttpFetcher | None = None

    def get(self, url: str, validators: Validators | None = None) -> FetchResult:
        if self._fetcher is None:
            self._fetcher = HttpFetcher(self._settings, self._policy)
        return self._fetcher.get(url, validators)

    def close(self) -> None:
        """Close the client; a later ``get`` (pruning's re-checks) opens a new one."""
        if self._fetcher is not None:
            self._fetcher.close()
            self._fetcher = None
