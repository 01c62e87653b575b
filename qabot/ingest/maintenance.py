"""Work on the stored archive itself: re-embed it (reindex), write it out (export), verify it (check).

None of these read the configured sources: feeds rotate and URLs die, so the index may hold
articles no source offers any more, and these keep them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from embeddings.base import Store
from embeddings.local.check import DOCUMENTS, KEYWORDS, MANIFEST, VECTORS, Problem, check_version
from embeddings.local.folder import IndexFolder
from embeddings.records import Document
from qabot.errors import IndexMissing
from qabot.ingest.chunk import chunk_article
from qabot.models import Article
from qabot.settings import Settings
from qabot.store import index_dir, open_store, open_writer, writer_errors

BATCH = 512  # articles read and embedded at a time: memory stays flat on a big archive
EXPORT_FIELDS = ("id", "url", "title", "published", "author", "section", "text")


@dataclass
class ReindexReport:
    articles: int = 0
    chunks_embedded: int = 0
    model: str = ""
    version: str = ""
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"articles": self.articles, "chunks_embedded": self.chunks_embedded, "model": self.model,
                "version": self.version, "seconds": round(self.seconds, 3)}


def _live(settings: Settings) -> Store:
    """The live version, whatever model built it (reindex exists to change the model)."""
    return open_store(settings, None)


def _documents(store: Store) -> Iterator[list[Document]]:
    ids = sorted(store.content_hashes())
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        found = store.documents(part)
        yield [found[i] for i in part if i in found]


def as_article(doc: Document) -> Article:
    return Article(
        article_id=doc.doc_id, title=doc.title, text=doc.text, url=doc.meta.get("url", ""),
        published=doc.published, author=doc.meta.get("author", ""), section=doc.section, source=doc.source,
    )


def reindex(settings: Settings, encoder, *, progress: bool = False) -> ReindexReport:
    """Re-embeds every stored article with the configured model and chunking; publishes atomically.

    Reads the live version while writing a new one from scratch, so a kill at any moment
    leaves the live version as it was.
    """
    started = time.perf_counter()
    report = ReindexReport(model=encoder.model_id)
    live = _live(settings)
    max_tokens = min(settings.chunk_tokens, encoder.max_tokens - 2)
    try:
        with writer_errors(settings), open_writer(settings, encoder.model_id, rebuild=True) as writer:
            for batch in _documents(live):
                chunks = [chunk_article(as_article(doc), encoder.count_tokens, max_tokens,
                                        settings.chunk_overlap) for doc in batch]
                # embedded with the headline in front, stored as the body (as the pipeline does)
                vectors = encoder.embed([c.text for cs in chunks for c in cs], progress=progress)
                start = 0
                for doc, cs in zip(batch, chunks, strict=True):
                    writer.put(doc, [c.body for c in cs], vectors[start : start + len(cs)])
                    start += len(cs)
                report.articles += len(batch)
                report.chunks_embedded += start
            report.version = writer.commit()
    finally:
        live.close()
    report.seconds = time.perf_counter() - started
    return report


def export(settings: Settings, out: IO[str]) -> int:
    """Writes every stored article as one JSON line (the fields the JSON loader reads back)."""
    live = _live(settings)
    count = 0
    try:
        for batch in _documents(live):
            for doc in batch:
                article = as_article(doc)
                record = {"id": article.article_id, "url": article.url, "title": article.title,
                          "published": article.published, "author": article.author,
                          "section": article.section, "text": article.text}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    finally:
        live.close()
    return count


@dataclass
class CheckReport:
    version: str
    documents: int = 0
    chunks: int = 0
    vectors: int = 0
    problems: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict:
        return {"ok": self.ok, "version": self.version, "articles": self.documents, "chunks": self.chunks,
                "vectors": self.vectors, "problems": self.problems}


def _fix(problem: Problem, previous: str | None) -> str:
    back = f"; or go back to the previous version: echo {previous} > CURRENT in the index folder" if previous else ""
    if problem.part in (VECTORS, MANIFEST):
        return "rebuild the vectors from the stored articles: qabot reindex" + back
    if problem.part == KEYWORDS:
        return "rebuild the index from the stored articles: qabot reindex" + back
    assert problem.part == DOCUMENTS
    return "rebuild from the sources: qabot refresh --rebuild (or qabot ingest --rebuild SOURCE...)" + back


def check(settings: Settings) -> CheckReport:
    """Verifies the live version; every problem comes with what to do about it."""
    folder = IndexFolder(index_dir(settings))
    path = folder.current()
    if path is None:
        raise IndexMissing(f"no index in {settings.data_dir}; build one with: qabot ingest SOURCE...")
    older = [v.name for v in folder.versions() if v.name < path.name and not check_version(v)[1]]
    facts, problems = check_version(path)
    report = CheckReport(path.name, facts.documents, facts.chunks, facts.vectors)
    previous = older[-1] if older else None
    report.problems = [{"part": p.part, "file": p.file, "problem": p.what, "fix": _fix(p, previous)}
                       for p in problems]
    return report


def check_text(report: CheckReport) -> str:
    head = (f"version {report.version}: {report.documents} articles, {report.chunks} passages, "
            f"{report.vectors} vectors")
    if report.ok:
        return head + "; everything checks out"
    lines = [head + f"; {len(report.problems)} problem(s):"]
    for p in report.problems:
        lines.append(f"- {p['file']}: {p['problem']}\n  fix: {p['fix']}")
    return "\n".join(lines)


def export_path(out: str | None) -> Path | None:
    return Path(out) if out and out != "-" else None
