"""Reading every kind of source into Articles, one LoadError per bad file, record or entry."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from qabot.archive.feeds import is_feed, load_feed
from qabot.archive.fetch import Fetcher, FetchResult, HttpFetcher
from qabot.archive.files import (
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
from qabot.archive.html import html_article, page_article
from qabot.archive.jsondocs import load_json
from qabot.archive.records import make_article
from qabot.clean import clean_page, find_repeated
from qabot.errors import SourceError
from qabot.models import Article, LoadError

if TYPE_CHECKING:
    from qabot.settings import Settings

# Site chrome is the same on every page, so a spread sample finds it without reading a big archive twice.
REPEATED_SAMPLE = 500
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)


def load_sources(
    sources: Iterable[str], settings: Settings, fetcher: Fetcher | None = None
) -> Iterator[Article | LoadError]:
    """Articles from files, folders (recursive), feeds and article URLs; bad input becomes LoadError.

    ``source`` on each Article: the file's absolute path, the article URL, or the feed entry's URL.
    Without a ``fetcher`` an HttpFetcher is opened on first need and closed at the end.
    """
    lazy = _LazyFetcher(settings, fetcher)
    try:
        for source in sources:
            yield from _load_source(str(source).strip(), settings, lazy)
    finally:
        lazy.close()


def _load_source(source: str, settings: Settings, fetcher: Fetcher) -> Iterator[Article | LoadError]:
    scheme = _SCHEME_RE.match(source)
    if scheme:
        if scheme.group(1).lower() in ("http", "https"):
            yield from _load_url(source, settings, fetcher)
        else:
            yield LoadError(source, f"unsupported URL scheme {scheme.group(1)!r} (use http or https)")
        return
    path = Path(source).expanduser().absolute()
    if path.is_dir():
        yield from _load_folder(path, settings, fetcher)
    elif not path.exists():
        yield LoadError(str(path), "no such file or folder")
    else:
        yield from _load_file(path, path.name, settings, fetcher, frozenset(), explicit=True)


def _load_url(url: str, settings: Settings, fetcher: Fetcher) -> Iterator[Article | LoadError]:
    try:
        result = fetcher.get(url)
        if is_feed(result):
            yield from load_feed(result.content, url, fetcher, settings, base_url=result.url)
        else:
            yield page_article(result, source=url, settings=settings)
    except SourceError as e:
        yield LoadError(url, str(e))


def _load_folder(root: Path, settings: Settings, fetcher: Fetcher) -> Iterator[Article | LoadError]:
    walk_errors: list[OSError] = []
    files = list(iter_files(root, walk_errors))
    for error in walk_errors:
        yield LoadError(str(error.filename or root), f"cannot read folder: {error.strerror or error}")
    repeated = _repeated_lines([p for p in files if p.suffix.lower() in TEXT_EXTS], settings)
    for path in files:
        yield from _load_file(path, path.relative_to(root).as_posix(), settings, fetcher, repeated)


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
    fetcher: Fetcher,
    repeated: frozenset[str],
    *,
    explicit: bool = False,
) -> Iterator[Article | LoadError]:
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
            if explicit or ext != ".xml" or is_feed(FetchResult(source, data, "")):
                yield from load_feed(data, source, fetcher, settings)
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


class _LazyFetcher:
    """The caller's fetcher, or an HttpFetcher opened on the first URL and closed by load_sources."""

    def __init__(self, settings: Settings, given: Fetcher | None) -> None:
        self._settings = settings
        self._fetcher = given
        self._own: HttpFetcher | None = None

    def get(self, url: str) -> FetchResult:
        if self._fetcher is None:
            self._own = HttpFetcher(self._settings)
            self._fetcher = self._own
        return self._fetcher.get(url)

    def close(self) -> None:
        if self._own is not None:
            self._own.close()
