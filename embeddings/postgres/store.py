"""The PostgreSQL backend of ``embeddings.base.Store`` / ``StoreWriter``.

Every row carries the range of versions it belongs to: ``version_from <= v`` and
``version_to`` unset or ``> v``. A writer takes a session advisory lock, writes version
``n + 1`` in one transaction (new rows from ``n + 1``, removed rows end at ``n + 1``) and
moves the manifest row to it on commit. A reader is bound to the version it opened, so it
sees that archive whole until it reopens; a writer killed mid-way leaves nothing behind (the
server rolls its transaction back and drops its lock). Rows that ended before the previous
version are deleted on commit: the live version and the one before it stay readable.

``PostgresStore`` is built from ``reader`` (the bound version), ``reads`` and ``fulltext``;
``PostgresWriter`` runs the SQL in ``writes``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np

from embeddings.errors import NoIndex, StoreLocked
from embeddings.manifest import check_model, now
from embeddings.postgres.db import SCHEMA_VERSION, WRITER_LOCK, connect, migrate, psycopg, redact
from embeddings.postgres.fulltext import RANK_NORMALISATION, RANK_WEIGHTS, FullTextSearch
from embeddings.postgres.pool import HNSW_EF_SEARCH, shared_pool
from embeddings.postgres.reads import RecordReads
from embeddings.postgres.rows import LIVE, filter_sql, read_manifest, version_name
from embeddings.postgres.writes import (
    advance_passage_ids,
    build_vector_index,
    copy_documents,
    copy_passages,
    drop_ended_rows,
    end_document,
    end_live_rows,
    live_counts,
    new_passage_ids,
    prepare_vector_column,
    update_word_counts,
    write_manifest,
)
from embeddings.records import NO_FILTERS, Document, Filters

__all__ = ["LIVE", "RANK_NORMALISATION", "RANK_WEIGHTS", "PostgresStore", "PostgresWriter"]

FORMAT_VERSION = 1


class PostgresStore(FullTextSearch, RecordReads):
    """One published version of an archive in PostgreSQL, opened for reading."""

    @classmethod
    def open(cls, url: str, *, model_id: str | None = None) -> PostgresStore:
        pg = psycopg()
        with connect(url, autocommit=True) as conn:
            try:
                number, manifest = read_manifest(conn)
            except pg.errors.UndefinedTable:
                number, manifest = 0, {}
        if number == 0:
            raise NoIndex(f"no index in {redact(url)}")
        check_model(manifest, model_id)
        return cls(url, shared_pool(url), number, manifest)

    def dense_search(
        self, query: np.ndarray, k: int, filters: Filters = NO_FILTERS
    ) -> list[tuple[int, float]]:
        if self._outside(filters):
            return []
        params: dict[str, Any] = {"v": self._number, "q": np.asarray(query, dtype=np.float32), "k": k}
        where = LIVE + filter_sql(filters, params)
        sql = (
            f"SELECT id, 1 - (embedding <=> %(q)s) FROM passages WHERE {where}"
            " ORDER BY embedding <=> %(q)s LIMIT %(k)s"
        )
        with self._pool.connection() as conn, conn.transaction():
            # The HNSW index, always: on 10k-100k passages the planner preferred a sequential
            # scan, which reads every vector out of TOAST (0.1 s at 10k, and a date filter made
            # it choose the same at any size); the graph walk goes on past filtered-out rows.
            conn.execute("SET LOCAL enable_seqscan = off")
            if 2 * k > HNSW_EF_SEARCH:  # a wider search than usual keeps at least 2k candidates
                conn.execute(f"SET LOCAL hnsw.ef_search = {min(1000, 2 * k)}")
            rows = conn.execute(sql, params).fetchall()
        return [(int(i), float(s)) for i, s in rows]


class PostgresWriter:
    """Writes version ``n + 1`` in one transaction under the archive's advisory lock."""

    def __init__(
        self, url: str, *, model_id: str, settings: dict[str, Any] | None = None, rebuild_all: bool = False
    ) -> None:
        self.url = url
        self.model_id = model_id
        self.settings = settings or {}
        self.rebuild_all = rebuild_all
        self.conn: Any = None
        self._docs: list[tuple[Any, ...]] = []
        self._passages: list[tuple[Any, ...]] = []
        self._explicit_ids = False
        self._build_hnsw_at_commit = False

    def __enter__(self) -> PostgresWriter:
        conn = connect(self.url, autocommit=True)
        try:
            if not conn.execute("SELECT pg_try_advisory_lock(%s)", (WRITER_LOCK,)).fetchone()[0]:
                raise StoreLocked(f"another process is updating the index in {redact(self.url)}")
            self.conn = conn
            migrate(conn)
            conn.autocommit = False
            number, manifest = read_manifest(conn)
            if manifest and not self.rebuild_all:
                check_model(manifest, self.model_id)
            self.previous = number
            self.number = number + 1
            self.created_at = manifest.get("created_at", now()) if not self.rebuild_all else now()
            self.dim = int(manifest.get("dim", 0)) if manifest else 0
            if self.rebuild_all:
                end_live_rows(conn, self.number)
        except BaseException:
            self._abort(conn)
            raise
        return self

    def put(
        self, doc: Document, passages: Sequence[str], vectors: np.ndarray,
        ids: Sequence[int] | None = None,
    ) -> list[int]:
        if len(passages):
            self._ensure_dim(int(np.asarray(vectors).shape[1]))
        if ids is None:
            ids = new_passage_ids(self.conn, len(passages))
        else:
            self._explicit_ids = True
        self._docs.append((
            doc.doc_id, doc.title, doc.text, doc.published, doc.section,
            json.dumps(doc.meta, ensure_ascii=False), doc.content_hash, doc.body_hash, doc.source,
            now(), self.number,
        ))
        vectors = np.asarray(vectors, dtype=np.float32)
        for order, (pid, text) in enumerate(zip(ids, passages, strict=True)):
            self._passages.append((
                int(pid), doc.doc_id, order, text, doc.published, doc.section, vectors[order], self.number,
            ))
        if len(self._passages) >= 5000:
            self._flush()
        return [int(i) for i in ids]

    def delete(self, doc_id: str) -> None:
        self._flush()
        end_document(self.conn, doc_id, self.number)

    def _ensure_dim(self, dim: int) -> None:
        """The first vectors fix the column's dimension and build the HNSW index over it."""
        if dim == self.dim and self.dim:
            return
        if prepare_vector_column(self.conn, dim):
            self._build_hnsw_at_commit = True
        self.dim = dim

    def _flush(self) -> None:
        if self._docs:
            copy_documents(self.conn, self._docs)
            self._docs.clear()
        if self._passages:
            copy_passages(self.conn, self._passages)
            self._passages.clear()

    def commit(self) -> str:
        self._flush()
        conn = self.conn
        if self._explicit_ids:
            advance_passage_ids(conn)
        counts = live_counts(conn, self.number)
        update_word_counts(conn, self.number)
        drop_ended_rows(conn, self.previous)
        if self._build_hnsw_at_commit:
            build_vector_index(conn)
        manifest = {
            "format": FORMAT_VERSION,
            "schema_version": SCHEMA_VERSION,
            "model": self.model_id,
            "dim": self.dim,
            "index": "hnsw",
            "counts": counts,
            "settings": self.settings,
            "version": version_name(self.number),
            "created_at": self.created_at,
            "updated_at": now(),
        }
        write_manifest(conn, self.number, manifest)
        conn.commit()
        self._abort(conn)
        return version_name(self.number)

    def _abort(self, conn: Any) -> None:
        """Rolls back what was not committed and drops the lock (closing the session does both)."""
        self.conn = None
        try:
            conn.close()
        except Exception:  # noqa: BLE001 - a broken connection is already closed server-side
            pass

    def __exit__(self, *exc: object) -> None:
        if self.conn is not None:
            self._abort(self.conn)
