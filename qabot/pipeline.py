"""The indexing pipeline: load -> clean -> dedupe -> chunk -> embed -> store, published atomically."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from embeddings.errors import NoIndex
from embeddings.factory import open_store
from embeddings.records import Document
from qabot.chunk import chunk_article
from qabot.models import Article, LoadError
from qabot.settings import Settings
from qabot.wiring import index_dir, open_writer, store_location

__all__ = ["IngestReport", "index_dir", "ingest", "ingest_articles", "to_document"]

log = logging.getLogger(__name__)

ARTICLES_PER_BATCH = 2048


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
    items: Iterable[Article | LoadError],
    stored: dict[str, tuple[str, str]],
    stored_bodies: dict[str, str],
    report: IngestReport,
    prune: bool,
) -> _Plan:
    plan = _Plan()
    seen: set[str] = set()
    bodies: dict[str, str] = {}
    sources_read: set[str] = set()
    for item in items:
        if isinstance(item, LoadError):
            report.failed.append(item)
            log.warning("%s", item)
            continue
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
        else:
            report.added += 1
            report.added_ids.append(item.article_id)
        plan.write.append(doc)
        plan.articles[item.article_id] = item
    if prune:
        failed = {f.source.split(":")[0] for f in report.failed}
        for doc_id, (_hash, source) in stored.items():
            if doc_id in seen or not _is_local(source) or source in failed:
                continue
            if source in sources_read or not Path(source).exists():
                plan.remove.append(doc_id)
    report.removed = len(plan.remove)
    return plan


def _is_local(source: str) -> bool:
    return bool(source) and "://" not in source


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def ingest(
    sources: Iterable[str],
    settings: Settings,
    encoder,
    *,
    prune: bool = False,
    rebuild: bool = False,
    progress: bool = False,
    fetcher=None,
) -> IngestReport:
    """Indexes new and changed articles from ``sources``; with ``prune`` removes vanished ones."""
    from qabot.archive import load_sources

    items = load_sources(list(sources), settings, fetcher)
    return ingest_articles(items, settings, encoder, prune=prune, rebuild=rebuild, progress=progress)


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
    started = time.perf_counter()
    report = IngestReport()
    stored: dict[str, tuple[str, str]] = {}
    stored_bodies: dict[str, str] = {}
    if not rebuild:
        try:
            live = open_store(store_location(settings), model_id=encoder.model_id)
        except NoIndex:
            pass
        else:
            stored = live.content_hashes()
            stored_bodies = live.body_hashes()
            live.close()
    plan = _plan(items, stored, stored_bodies, report, prune)
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
