"""The indexing pipeline: load -> clean -> dedupe -> chunk -> embed -> store, published atomically."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from embeddings.errors import NoIndex
from embeddings.factory import open_store
from embeddings.records import Document
from qabot.ingest.chunk import chunk_article
from qabot.ingest.loaders.crawl import NotModified
from qabot.models import Article, LoadError
from qabot.settings import Settings
from qabot.store import index_dir, open_writer, store_location

__all__ = ["IngestReport", "index_dir", "ingest", "ingest_articles", "to_document"]

if TYPE_CHECKING:
    from qabot.ingest.loaders.sources import SourceSpec
    from qabot.state import StateStore

log = logging.getLogger(__name__)

ARTICLES_PER_BATCH = 2048


@dataclass
class SourceOutcome:
    """How one configured source fared: ``ok`` when it could be read at all (a feed entry's
    page failing is in ``failed``, not here); ``error`` is the source's own error."""

    source: str
    ok: bool = True
    error: str = ""
    added: int = 0
    updated: int = 0
    articles: int = 0  # articles it gave this round (new, changed, unchanged or not modified)

    def as_dict(self) -> dict:
        return {"source": self.source, "ok": self.ok, "error": self.error, "added": self.added, "updated": self.updated}


@dataclass
class IngestReport:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    duplicates: int = 0
    failed: list[LoadError] = field(default_factory=list)
    chunks_embedded: int = 0
    seconds: float = 0.0
    duplicate_of: list[tuple[str, str]] = field(default_factory=list)
    fetched: int = 0  # web documents downloaded (a 200)
    not_modified: int = 0  # pages skipped: 304, or the sitemap's lastmod unchanged
    sources: list[SourceOutcome] = field(default_factory=list)
    fallbacks: list[LoadError] = field(default_factory=list)  # feed text stood in for a page
    added_ids: list[str] = field(default_factory=list)  # new articles, for topic alerts

    def as_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "removed": self.removed,
            "duplicates": self.duplicates,
            "failed": [{"source": f.source, "error": f.error} for f in self.failed],
            "chunks_embedded": self.chunks_embedded,
            "seconds": round(self.seconds, 3),
            "fetched": self.fetched,
            "not_modified": self.not_modified,
            "sources": [o.as_dict() for o in self.sources],
            "fallbacks": [{"source": f.source, "note": f.error} for f in self.fallbacks],
        }


def body_hash(text: str) -> str:
    """Identity of a body for duplicate detection (loaders have already tidied whitespace)."""
    return hashlib.sha1(text.encode()).hexdigest()


def content_hash(article: Article) -> str:
    """Changes when anything a reader sees changes, so the article is embedded again."""
    fields = asdict(article)
    fields.pop("source")
    return hashlib.sha1(json.dumps(fields, sort_keys=True).encode()).hexdigest()


def to_document(article: Article) -> Document:
    return Document(
        doc_id=article.article_id,
        title=article.title,
        text=article.text,
        published=article.published,
        section=article.section,
        meta={"url": article.url, "author": article.author},
        content_hash=content_hash(article),
        body_hash=body_hash(article.text),
        source=article.source,
    )


@dataclass
class _Plan:
    write: list[Document] = field(default_factory=list)
    articles: dict[str, Article] = field(default_factory=dict)
    updates: set[str] = field(default_factory=set)
    remove: list[str] = field(default_factory=list)


def _plan(
    items: Iterable[tuple[str, Article | LoadError | NotModified]],
    stored: dict[str, tuple[str, str]],
    stored_bodies: dict[str, str],
    report: IngestReport,
    prune: bool,
    specs: dict[str, SourceSpec] | None = None,
    gone: Callable[[str], bool] | None = None,
) -> _Plan:
    plan = _Plan()
    seen: set[str] = set()
    bodies: dict[str, str] = {}
    sources_read: set[str] = set()
    # every configured source gets a line, also one that gave nothing (its feed answered 304)
    outcomes = {location: SourceOutcome(spec.name) for location, spec in (specs or {}).items()}
    path_ids = _path_ids(stored)
    for origin, item in items:
        spec = (specs or {}).get(origin)
        outcome = outcomes.setdefault(origin, SourceOutcome(spec.name if spec else origin))
        if isinstance(item, NotModified):
            seen.add(item.article_id)
            report.unchanged += 1
            outcome.articles += 1
            continue
        if isinstance(item, LoadError):
            report.failed.append(item)
            log.info("failed: %s", item)  # the report carries it; the CLI and the bot show it once
            if item.source in (origin, str(Path(origin).expanduser().absolute())):
                outcome.ok, outcome.error = False, item.error
            continue
        if spec and spec.section and not item.section:
            item = replace(item, section=spec.section)
        outcome.articles += 1
        item = _keep_path_id(item, stored, path_ids)
        sources_read.add(item.source)
        doc = to_document(item)
        original = bodies.get(doc.body_hash) or stored_bodies.get(doc.body_hash)
        if item.article_id in seen or (original and original != item.article_id):
            report.duplicates += 1
            report.duplicate_of.append((item.article_id, original or item.article_id))
            continue
        seen.add(item.article_id)
        bodies[doc.body_hash] = item.article_id
        previous = stored.get(item.article_id)
        if previous and previous[0] == doc.content_hash:
            report.unchanged += 1
            continue
        if previous:
            plan.updates.add(item.article_id)
            report.updated += 1
            outcome.updated += 1
        else:
            report.added += 1
            report.added_ids.append(item.article_id)
            outcome.added += 1
        plan.write.append(doc)
        plan.articles[item.article_id] = item
    report.sources = list(outcomes.values())
    if prune:
        failed = {f.source.split(":")[0] for f in report.failed}
        for doc_id, (_hash, source) in stored.items():
            if doc_id in seen or source in failed:
                continue
            if not _is_local(source):
                if gone is not None and gone(source):
                    plan.remove.append(doc_id)
            elif source in sources_read or not Path(source).exists():
                plan.remove.append(doc_id)
    report.removed = len(plan.remove)
    return plan


def _is_path_id(doc_id: str, source: str) -> bool:
    """True when the id was made from the file's path (a tail of it), not given or from a URL."""
    return bool(doc_id) and _is_local(source) and Path(source).as_posix().endswith("/" + doc_id)


def _path_ids(stored: dict[str, tuple[str, str]]) -> dict[str, str]:
    """source file -> the path-made id it is stored under (files holding one article only)."""
    by_source: dict[str, list[str]] = {}
    for doc_id, (_hash, source) in stored.items():
        by_source.setdefault(source, []).append(doc_id)
    return {src: ids[0] for src, ids in by_source.items() if len(ids) == 1 and _is_path_id(ids[0], src)}


def _keep_path_id(item: Article, stored: dict[str, tuple[str, str]], path_ids: dict[str, str]) -> Article:
    """A file keeps the id it was first stored under, whether it is named later alone, in its
    folder or by another relative path: its path-made id depends on what was on the command line."""
    if item.article_id in stored or not _is_path_id(item.article_id, item.source):
        return item
    first = path_ids.get(item.source)
    return replace(item, article_id=first) if first else item


def _is_local(source: str) -> bool:
    return bool(source) and "://" not in source


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ingest(
    sources: Iterable[str | SourceSpec],
    settings: Settings,
    encoder,
    *,
    prune: bool = False,
    rebuild: bool = False,
    progress: bool = False,
    fetcher=None,
    state: StateStore | None = None,
) -> IngestReport:
    """Indexes new and changed articles from ``sources``; with ``prune`` removes vanished ones.

    With ``state``, web pages are asked for conditionally (validators kept per URL, saved only
    once the new version is published) and URLs no source lists any more are pruned when they
    answer 404 or 410.
    """
    from qabot.ingest.loaders.crawl import Crawl
    from qabot.ingest.loaders.load import _NoFetcher, iter_sources
    from qabot.ingest.loaders.sources import SourceSpec

    specs = [SourceSpec.of(s) for s in sources]
    by_location = {s.location: s for s in specs}
    stored, stored_bodies = ({}, {}) if rebuild else _stored(settings, encoder)
    crawl = Crawl(
        fetcher=fetcher or _NoFetcher(), state=None if rebuild else state, held=frozenset(stored),
        containers_conditional=not prune,
    )
    items = iter_sources([s.location for s in specs], settings, crawl)
    gone = _gone_check(crawl) if prune else None
    try:
        report = _ingest(
            items, stored, stored_bodies, settings, encoder, prune=prune, rebuild=rebuild,
            progress=progress, specs=by_location, gone=gone,
        )
    finally:
        if fetcher is None and hasattr(crawl.fetcher, "close"):
            crawl.fetcher.close()  # the one iter_sources opened, reopened by pruning's re-checks
    crawl.commit()  # only now: the articles the validators stand for are published
    report.fetched, report.not_modified = crawl.fetched, crawl.not_modified
    report.fallbacks = list(crawl.fallbacks)
    return report


def _gone_check(crawl) -> Callable[[str], bool]:
    """A held URL that no source listed this round is gone when it answers 404 or 410."""
    from qabot.errors import SourceError
    from qabot.ingest.loaders.fetch import FetchError
    from qabot.ingest.loaders.identity import normalise_url

    def gone(url: str) -> bool:
        if normalise_url(url) in crawl.listed:
            return False
        try:
            crawl.fetch(url, conditional=False)
        except FetchError as e:
            return e.status in (404, 410)
        except SourceError:
            return False  # unreachable is not gone
        return False

    return gone


def _stored(settings: Settings, encoder) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    try:
        live = open_store(store_location(settings), model_id=encoder.model_id)
    except NoIndex:
        return {}, {}
    try:
        return live.content_hashes(), live.body_hashes()
    finally:
        live.close()


def ingest_articles(
    items: Iterable[Article | LoadError],
    settings: Settings,
    encoder,
    *,
    prune: bool = False,
    rebuild: bool = False,
    progress: bool = False,
) -> IngestReport:
    """Nothing is published (and the model is not even loaded) when nothing changed."""
    stored, stored_bodies = ({}, {}) if rebuild else _stored(settings, encoder)
    tagged = ((item.source, item) for item in items)
    return _ingest(tagged, stored, stored_bodies, settings, encoder, prune=prune, rebuild=rebuild, progress=progress)


def _ingest(
    items: Iterable[tuple[str, Article | LoadError | NotModified]],
    stored: dict[str, tuple[str, str]],
    stored_bodies: dict[str, str],
    settings: Settings,
    encoder,
    *,
    prune: bool,
    rebuild: bool,
    progress: bool,
    specs: dict[str, SourceSpec] | None = None,
    gone: Callable[[str], bool] | None = None,
) -> IngestReport:
    started = time.perf_counter()
    report = IngestReport()
    plan = _plan(items, stored, stored_bodies, report, prune, specs, gone)
    if plan.write or plan.remove or rebuild:
        _write(plan, settings, encoder, report, rebuild=rebuild, progress=progress)
    report.seconds = time.perf_counter() - started
    return report


def _write(
    plan: _Plan, settings: Settings, encoder, report: IngestReport, *, rebuild: bool, progress: bool
) -> None:
    with open_writer(settings, encoder.model_id, rebuild=rebuild) as writer:
        for doc_id in plan.remove:
            writer.delete(doc_id)
        if plan.write:
            max_tokens = min(settings.chunk_tokens, encoder.max_tokens - 2)
            for batch in _batches(plan.write, ARTICLES_PER_BATCH):
                texts: list[str] = []
                pending: list[tuple[Document, list[str], int]] = []
                for doc in batch:
                    if doc.doc_id in plan.updates:
                        writer.delete(doc.doc_id)
                    chunks = chunk_article(
                        plan.articles[doc.doc_id], encoder.count_tokens, max_tokens,
                        settings.chunk_overlap,
                    )
                    pending.append((doc, [c.body for c in chunks], len(texts)))
                    texts.extend(c.text for c in chunks)
                vectors = encoder.embed(texts, progress=progress)
                for doc, bodies, start in pending:
                    writer.put(doc, bodies, vectors[start : start + len(bodies)])
                report.chunks_embedded += len(texts)
        writer.commit()
