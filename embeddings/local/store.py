"""The local backend: a FAISS index and a SQLite document store in a versioned folder.

``LocalStore`` serves one published version (see ``folder.py`` for the layout and the atomic
switch); ``LocalWriter`` edits a private copy of the live version and publishes it. FAISS ids
are the SQLite passage row ids.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future
from contextlib import suppress
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.errors import NoIndex, StoreError
from embeddings.keyword import terms
from embeddings.local.docstore import DocStore
from embeddings.local.docstore_schema import SCHEMA_VERSION
from embeddings.local.faiss_index import VectorIndex, rebuild, rebuild_target
from embeddings.local.filters import RowFilter
from embeddings.local.folder import (
    DOCS,
    FORMAT_VERSION,
    MANIFEST,
    VECTORS,
    IndexFolder,
    check_model,
    copy_sqlite,
    now,
    read_manifest,
)
from embeddings.records import NO_FILTERS, Document, Filters, Passage, Stats

BACKEND = "local"
KEYWORD_WEIGHTS = (2.0, 1.0)  # BM25 column weights: a word in the headline counts double


class LocalStore:
    """A published version opened for reading (implements ``embeddings.base.Store``).

    ``docs`` and ``vectors`` are this backend's internals, open to its own tests and tools only.
    """

    backend = BACKEND

    def __init__(
        self, root: Path, path: Path, manifest: dict[str, Any], docs: DocStore, vectors: VectorIndex
    ) -> None:
        self.root = Path(root)
        self.path = path
        self._manifest = manifest
        self.docs = docs
        self.vectors = vectors
        self._sections: list[str] | None = None
        self._filters: dict[str, Future[RowFilter]] = {}
        self._filters_lock = threading.Lock()

    @property
    def version(self) -> str:
        return self.path.name

    @property
    def manifest(self) -> dict[str, Any]:
        return self._manifest

    @classmethod
    def open(cls, root: Path, *, model_id: str | None = None, serving: bool = False) -> LocalStore:
        folder = IndexFolder(root)
        path = folder.current()
        if path is None:
            raise NoIndex(f"no index in {root}")
        manifest = read_manifest(path)
        check_model(manifest, model_id)
        docs = _open_docs(path / DOCS)
        vectors = VectorIndex.load(path / VECTORS) if (path / VECTORS).exists() else None
        if vectors is None:
            vectors = VectorIndex.create(int(manifest["dim"]), "flat")
        store = cls(root, path, manifest, docs, vectors)
        if serving:  # read in the background from now on
            store._row_filter("articles")
            store._row_filter("passages")
        return store

    def _row_filter(self, kind: str) -> Future[RowFilter]:
        """The dates and sections of this version's articles or passages (``RowFilter``), read
        once, on a thread of their own; a serving version starts both when it is opened: at 1M
        passages they take 1-2 s each to read, which the first question naming a date or
        section after each refresh used to wait for. A daemon thread, so a one-off command does
        not wait for it at exit."""
        with self._filters_lock:
            pending = self._filters.get(kind)
            if pending is None:
                pending = self._filters[kind] = Future()
                read = RowFilter.articles if kind == "articles" else self._passage_filter
                threading.Thread(target=_fill, args=(pending, read, self.docs), daemon=True,
                                 name=f"qabot-{kind}-filter").start()
            return pending

    def _passage_filter(self, docs: DocStore) -> RowFilter:
        return RowFilter.passages(docs, self._row_filter("articles").result())

    def live_version(self) -> str:
        return IndexFolder(self.root).token()

    def dense_search(
        self, query: np.ndarray, k: int, filters: Filters = NO_FILTERS
    ) -> list[tuple[int, float]]:
        if len(self.vectors) == 0:
            return []
        allowed = None
        if filters:
            allowed = self._row_filter("passages").result().ids(filters.since, filters.until, filters.section)
            if allowed.size == 0:
                return []
        scores, ids = self.vectors.search(query.reshape(1, -1).astype(np.float32), k, allowed)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def keyword_search(
        self, text: str, k: int, filters: Filters = NO_FILTERS
    ) -> list[tuple[str, float]]:
        admitted = None
        if filters:
            admitted = self._row_filter("articles").result().ids(filters.since, filters.until, filters.section)
        return self.docs.keyword_search(
            terms(text), k, since=filters.since, until=filters.until,
            section=filters.section, weights=KEYWORD_WEIGHTS, admitted=admitted,
        )

    def word_documents(self, word: str) -> int:
        words = terms(word)
        return min(self.docs.document_frequency(w) for w in words) if words else 0

    def passage_vectors(self, ids: Sequence[int]) -> np.ndarray:
        try:
            return self.vectors.vectors(np.asarray(ids, dtype=np.int64))
        except KeyError as e:
            raise StoreError(f"no stored vectors for passage {e.args[0]}") from e

    def passage_similarities(self, ids: Sequence[int], query: np.ndarray) -> np.ndarray:
        return self.passage_vectors(ids) @ np.asarray(query, dtype=np.float32)

    def article_similarities(self, doc_ids: Iterable[str], query: np.ndarray) -> dict[str, dict[int, float]]:
        by_doc = self.passage_ids(doc_ids)
        ids = [i for group in by_doc.values() for i in group]
        sims = iter(self.passage_similarities(ids, query).tolist())
        return {doc_id: {i: next(sims) for i in group} for doc_id, group in by_doc.items()}

    def documents(self, doc_ids: Iterable[str]) -> dict[str, Document]:
        return self.docs.get_many(doc_ids)

    def passages(self, ids: Iterable[int]) -> dict[int, Passage]:
        return self.docs.chunks(ids)

    def passage_ids(self, doc_ids: Iterable[str]) -> dict[str, list[int]]:
        return self.docs.chunk_ids_of(doc_ids)

    def first_passage_ids(self, doc_ids: Iterable[str]) -> dict[str, int]:
        return self.docs.first_chunk_ids(doc_ids)

    def sections(self) -> list[str]:
        """Read once per opened version (it is a full scan and a version never changes)."""
        if self._sections is None:
            self._sections = self.docs.sections()
        return self._sections

    def latest(self, k: int, section: str | None = None) -> list[Document]:
        return self.docs.latest(k, section=section)

    def content_hashes(self) -> dict[str, tuple[str, str]]:
        return self.docs.hashes()

    def body_hashes(self) -> dict[str, str]:
        return self.docs.body_hashes()

    def stats(self) -> Stats:
        counts = self.docs.counts()
        m = self._manifest
        return Stats(
            backend=BACKEND, location=str(self.root.resolve()), version=self.version,
            documents=counts["documents"], passages=counts["chunks"], model=m.get("model", ""),
            dim=int(m.get("dim", 0)), index=m.get("index", ""), updated_at=m.get("updated_at", ""),
        )

    def close(self) -> None:
        self.docs.close()


def _fill(pending: Future, read: Callable[[DocStore], RowFilter], docs: DocStore) -> None:
    try:
        pending.set_result(read(docs))
    except BaseException as e:  # noqa: BLE001 - handed to whoever asks for the filter
        pending.set_exception(e)


def _open_docs(file: Path) -> DocStore:
    """Opens the SQLite file read-only and reads its counts, so a damaged or truncated file is
    reported here, naming it, rather than as a traceback in the middle of a question."""
    try:
        docs = DocStore(file, readonly=True)
        docs.counts()  # count(*) walks every page of the smallest index of each table
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{file}: not a readable SQLite database ({e})") from e
    return docs


class LocalWriter:
    """Edits a private copy of the live version; ``commit`` publishes it, leaving it discards it
    (implements ``embeddings.base.StoreWriter``)."""

    def __init__(
        self,
        root: Path,
        *,
        model_id: str,
        index_kind: str = "auto",
        settings: dict[str, Any] | None = None,
        rebuild_all: bool = False,
    ) -> None:
        self.folder = IndexFolder(root)
        self.model_id = model_id
        self.index_kind = index_kind
        self.settings = settings or {}
        self.rebuild_all = rebuild_all
        self.vectors: VectorIndex | None = None
        self.created_at = now()
        self._lock: int | None = None
        self.work: Path | None = None

    def __enter__(self) -> LocalWriter:
        self._lock = self.folder.lock()
        try:
            self.folder.remove_stale()
            self.work, self.name = self.folder.new_workdir()
            current = None if self.rebuild_all else self.folder.current()
            if current is not None:
                manifest = read_manifest(current)
                check_model(manifest, self.model_id)
                self.created_at = manifest.get("created_at", self.created_at)
                copy_sqlite(current / DOCS, self.work / DOCS)
                if (current / VECTORS).exists():
                    self.vectors = VectorIndex.load(current / VECTORS)
            self.docs = DocStore(self.work / DOCS)
        except BaseException:
            self._abort()
            raise
        return self

    def put(
        self, doc: Document, passages: Sequence[str], vectors: np.ndarray,
        ids: Sequence[int] | None = None,
    ) -> list[int]:
        new_ids = self.docs.put(doc, passages, ids)
        self.add_vectors(new_ids, vectors)
        return new_ids

    def delete(self, doc_id: str) -> None:
        self.remove_vectors(self.docs.delete(doc_id))

    def add_vectors(self, ids: list[int], vectors: np.ndarray) -> None:
        if not ids:
            return
        if self.vectors is None:  # new vectors go in flat; commit converts to the chosen kind
            self.vectors = VectorIndex.create(int(vectors.shape[1]), "flat")
        self.vectors.add(np.asarray(ids, dtype=np.int64), vectors)

    def remove_vectors(self, ids: list[int]) -> None:
        if ids and self.vectors is not None:
            self.vectors.remove(np.asarray(ids, dtype=np.int64))

    def commit(self) -> str:
        assert self.work is not None
        if self.vectors is not None:
            target = rebuild_target(self.vectors, self.index_kind)
            if target is not None:
                self.vectors = rebuild(self.vectors, target)
        self.docs.optimize()
        self.docs.count_terms()
        self.docs.db.commit()
        counts = self.docs.counts()
        self.docs.close()
        dim = self.vectors.dim if self.vectors is not None else 0
        if self.vectors is not None:
            self.vectors.save(self.work / VECTORS)
        manifest = {
            "format": FORMAT_VERSION,
            "schema_version": SCHEMA_VERSION,
            "model": self.model_id,
            "dim": dim,
            "index": self.vectors.kind if self.vectors is not None else "flat",
            "counts": counts,
            "settings": self.settings,
            "version": self.name,
            "created_at": self.created_at,
            "updated_at": now(),
        }
        (self.work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        published = self.folder.publish(self.work, self.name)
        self.work = None
        return published.name

    def _abort(self) -> None:
        if self.work is not None:
            with suppress(Exception):
                self.docs.close()
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None
        if self._lock is not None:
            self.folder.unlock(self._lock)
            self._lock = None

    def __exit__(self, *exc: object) -> None:
        self._abort()
