"""The PostgreSQL backend of ``embeddings.base.Store`` / ``StoreWriter``.

Every row carries the range of versions it belongs to: ``version_from <= v`` and
``version_to`` unset or ``> v``. A writer takes a session advisory lock, writes version
``n + 1`` in one transaction (new rows from ``n + 1``, removed rows end at ``n + 1``) and
moves the manifest row to it on commit. A reader is bound to the version it opened, so it
sees that archive whole until it reopens; a writer killed mid-way leaves nothing behind (the
server rolls its transaction back and drops its lock). Rows that ended before the previous
version are deleted on commit: the live version and the one before it stay readable.
"""

from __future__ import annotations

import atexit
import json
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from embeddings.errors import NoIndex, StoreError, StoreLocked
from embeddings.keyword import plan, terms
from embeddings.manifest import check_model, now
from embeddings.postgres.db import (
    PASSAGES_IN_THE_ROW,
    SCHEMA_VERSION,
    WRITER_LOCK,
    connect,
    migrate,
    psycopg,
    redact,
)
from embeddings.records import NO_FILTERS, Document, Filters, Passage, Stats

BACKEND = "postgresql"
FORMAT_VERSION = 1
HNSW_EF_SEARCH = 200  # twice the 100 passages retrieval asks for
# ts_rank weights for labels {D, C, B, A}: a word in the headline (A) counts double a word in
# the body (B), as in the local backend's BM25 column weights.
RANK_WEIGHTS = "{0.1, 0.2, 0.5, 1.0}"
RANK_NORMALISATION = 1  # divide by 1 + log(document length), as BM25 discounts long documents
LIVE = "version_from <= %(v)s AND (version_to IS NULL OR version_to > %(v)s)"
_DOC_COLUMNS = "doc_id, title, text, published, section, meta, content_hash, body_hash, source"


def version_name(number: int) -> str:
    return f"v{number:06d}"


def filter_sql(filters: Filters, params: dict[str, Any]) -> str:
    """The same date and section rules as the local backend (``docstore.filter_clause``)."""
    parts: list[str] = []
    if filters.since:
        parts.append("published >= %(since)s")
        params["since"] = filters.since
    if filters.until:
        parts.append("published != '' AND substr(published, 1, %(until_len)s) <= %(until)s")
        params.update(until=filters.until, until_len=len(filters.until))
    if filters.section:
        parts.append("lower(section) = lower(%(section)s)")
        params["section"] = filters.section
    return "".join(f" AND {p}" for p in parts)


_pools: dict[str, Any] = {}
_pools_lock = threading.Lock()


def shared_pool(url: str) -> Any:
    """One small connection pool per database for the whole process, closed at exit."""
    with _pools_lock:
        pool = _pools.get(url)
        if pool is None:
            from pgvector.psycopg import register_vector
            from psycopg_pool import ConnectionPool

            def configure(conn: Any) -> None:
                register_vector(conn)
                # The graph walk keeps HNSW_EF_SEARCH candidates and goes on past rows a filter
                # drops, so a filtered search still returns k hits (pgvector 0.8).
                conn.execute(f"SET hnsw.ef_search = {HNSW_EF_SEARCH}")
                conn.execute("SET hnsw.iterative_scan = strict_order")

            pool = ConnectionPool(
                url, min_size=1, max_size=4, kwargs={"autocommit": True}, configure=configure,
                open=True, name="qabot-archive",
            )
            if not _pools:
                atexit.register(close_pools)
            _pools[url] = pool
        return pool


def close_pools() -> None:
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


def _tsquery(lexemes: Sequence[str]) -> str:
    """Lexemes (already normalised by ``to_tsvector``) as a ``tsquery`` matching any of them."""
    return " | ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in lexemes)


def _read_manifest(conn: Any) -> tuple[int, dict[str, Any]]:
    row = conn.execute("SELECT version, manifest FROM archive_manifest WHERE id = 1").fetchone()
    return (row[0], row[1]) if row else (0, {})


def _document(row: Sequence[Any]) -> Document:
    return Document(row[0], row[1], row[2], row[3], row[4], dict(row[5] or {}), row[6], row[7], row[8])


class PostgresStore:
    """One published version of an archive in PostgreSQL, opened for reading."""

    backend = BACKEND

    def __init__(self, url: str, pool: Any, version: int, manifest: dict[str, Any]) -> None:
        self.url = url
        self._pool = pool
        self._number = version
        self._manifest = manifest
        self._sections: list[str] | None = None
        self._last_row: int | None = None
        self._dates: tuple[str, str] | None = None  # the first dated and the last article date

    @classmethod
    def open(cls, url: str, *, model_id: str | None = None) -> PostgresStore:
        pg = psycopg()
        with connect(url, autocommit=True) as conn:
            try:
                number, manifest = _read_manifest(conn)
            except pg.errors.UndefinedTable:
                number, manifest = 0, {}
        if number == 0:
            raise NoIndex(f"no index in {redact(url)}")
        check_model(manifest, model_id)
        return cls(url, shared_pool(url), number, manifest)

    @property
    def version(self) -> str:
        return version_name(self._number)

    @property
    def manifest(self) -> dict[str, Any]:
        return self._manifest

    def _rows(self, sql: str, params: dict[str, Any], *, binary: bool = False) -> list[tuple[Any, ...]]:
        params.setdefault("v", self._number)
        with self._pool.connection() as conn:
            return conn.execute(sql, params, binary=binary).fetchall()

    def live_version(self) -> str:
        with self._pool.connection() as conn:
            return version_name(_read_manifest(conn)[0])

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

    def _outside(self, filters: Filters) -> bool:
        """Whether a date filter lies wholly outside the archive's dates ("in 2004" asked of an
        archive that starts in 2015). The HNSW walk would then read the whole graph looking for
        rows that pass (0.2 s at 1M passages), and so would a SQL check for such rows; the
        archive's first and last dates come from the date index once per version."""
        if not (filters.since or filters.until):
            return False
        if self._dates is None:
            first = self._rows(f"SELECT min(published) FROM documents WHERE {LIVE} AND published > ''", {})[0][0]
            last = self._rows(f"SELECT max(published) FROM documents WHERE {LIVE}", {})[0][0]
            self._dates = (first or "", last or "")
        first, last = self._dates
        if not first:
            return True  # no dated article passes a date filter
        return bool((filters.since and last < filters.since)
                    or (filters.until and first[: len(filters.until)] > filters.until))

    def keyword_search(
        self, text: str, k: int, filters: Filters = NO_FILTERS
    ) -> list[tuple[str, float]]:
        """``ts_rank`` over the documents of the query's words that ``keyword.plan`` chooses.

        Ranking every document that shares a word with a question costs a few microseconds a
        document, and a question's words are in most of a large archive; the plan bounds the
        candidates (docs/scaling-benchmarks.md). Below ``PRUNE_FROM`` documents every word is
        matched and ranked, as a plain OR query would."""
        words = terms(text)
        if not words or self._outside(filters):
            return []
        frequencies = dict(self._rows(
            "SELECT lexeme, coalesce(t.ndoc, 0) FROM unnest(tsvector_to_array("
            "to_tsvector('english', qabot_unaccent(%(text)s)))) AS lexeme"
            " LEFT JOIN archive_terms t USING (lexeme)",
            {"text": " ".join(words)},
        ))
        if not frequencies:
            return []
        chosen = plan(sorted(frequencies), frequencies.__getitem__, self.stats().documents)
        params: dict[str, Any] = {"match": _tsquery(chosen.match), "rank": _tsquery(chosen.rank), "k": k}
        where = LIVE + filter_sql(filters, params)
        if chosen.capped:
            # Even the rarest word is in more than keyword.CANDIDATE_POSTINGS documents: the candidates
            # are the most recently added ones with it, as on the local backend. A row_id range
            # that should hold that many of them (from the word's share of the archive) keeps
            # the scan to those rows.
            # With a filter, the range ends at the newest article it admits: rowids follow the
            # order articles arrived, so "in 2019" lies below the newest rows.
            share = max(frequencies[w] for w in chosen.match) / max(1, self.stats().documents)
            top = self._max_row_id(filters)
            if top is None:
                return []
            params["floor"], params["top"] = top - int(chosen.budget / share * 1.25), top
            # When the word is in fewer documents than the range holds, its rows are filtered by
            # row_id as they are read: a bitmap of the range (which the planner otherwise builds
            # from the primary key) cost more than the heap reads it saved, 33 ms against 24.
            rarer = max(frequencies[w] for w in chosen.match) < top - params["floor"]
            row_id = "row_id + 0" if rarer else "row_id"
            span = f" AND {row_id} BETWEEN %(floor)s AND %(top)s ORDER BY row_id DESC LIMIT {int(chosen.budget)}"
        else:
            span = ""
        # Each candidate row is read once, ranked as it is read (MATERIALIZED keeps the planner
        # from walking the table in another order to save the sort).
        rows = self._rows(
            f"WITH c AS MATERIALIZED (SELECT doc_id, ts_rank('{RANK_WEIGHTS}', tsv, %(rank)s::tsquery,"
            f" {RANK_NORMALISATION}) AS s FROM documents WHERE tsv @@ %(match)s::tsquery AND {where}{span})"
            " SELECT doc_id, s FROM c ORDER BY s DESC, doc_id LIMIT %(k)s",
            params,
        )
        return [(r[0], float(r[1])) for r in rows if r[1] > 0]

    def word_documents(self, word: str) -> int:
        """From the live archive's word counts (``archive_terms``); a word the parser splits
        ("t-mobile") counts the documents of its rarest part, at most."""
        rows = self._rows(
            "SELECT min(coalesce(t.ndoc, 0)) FROM unnest(tsvector_to_array("
            "to_tsvector('english', qabot_unaccent(%(word)s)))) AS lexeme"
            " LEFT JOIN archive_terms t USING (lexeme)",
            {"word": word},
        )
        return int(rows[0][0] or 0)

    def _max_row_id(self, filters: Filters = NO_FILTERS) -> int | None:
        """The newest document row this version can see (rows added later are not live) and
        ``filters`` admit; None when they admit none."""
        if filters:
            params: dict[str, Any] = {}
            where = LIVE + filter_sql(filters, params)
            top = self._rows(f"SELECT max(row_id) FROM documents WHERE {where}", params)[0][0]
            return None if top is None else int(top)
        if self._last_row is None:
            self._last_row = int(self._rows(f"SELECT coalesce(max(row_id), 0) FROM documents WHERE {LIVE}", {})[0][0])
        return self._last_row

    def passage_vectors(self, ids: Sequence[int]) -> np.ndarray:
        wanted = [int(i) for i in ids]
        rows = self._rows(
            f"SELECT id, embedding FROM passages WHERE id = ANY(%(ids)s) AND {LIVE}", {"ids": wanted},
            binary=True,  # vectors as raw float32: parsing their text form costs milliseconds
        )
        found = {int(r[0]): r[1].to_numpy() if hasattr(r[1], "to_numpy") else r[1] for r in rows}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise StoreError(f"no stored vectors for passage ids {missing[:5]}")
        dim = int(self._manifest.get("dim", 0))
        if not wanted:
            return np.empty((0, dim), dtype=np.float32)
        return np.stack([np.asarray(found[i], dtype=np.float32) for i in wanted])

    def passage_similarities(self, ids: Sequence[int], query: np.ndarray) -> np.ndarray:
        wanted = [int(i) for i in ids]
        if not wanted:
            return np.empty(0, dtype=np.float32)
        rows = self._rows(  # <#> is the negative inner product
            f"SELECT id, -(embedding <#> %(q)s) FROM passages WHERE id = ANY(%(ids)s) AND {LIVE}",
            {"ids": wanted, "q": np.asarray(query, dtype=np.float32)},
        )
        found = {int(r[0]): float(r[1]) for r in rows}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise StoreError(f"no stored vectors for passage ids {missing[:5]}")
        return np.array([found[i] for i in wanted], dtype=np.float32)

    def article_similarities(self, doc_ids: Iterable[str], query: np.ndarray) -> dict[str, dict[int, float]]:
        rows = self._rows(  # <#> is the negative inner product
            f"SELECT doc_id, id, -(embedding <#> %(q)s) FROM passages WHERE doc_id = ANY(%(ids)s)"
            f" AND {LIVE} ORDER BY doc_id, ord",
            {"ids": list(dict.fromkeys(doc_ids)), "q": np.asarray(query, dtype=np.float32)},
        )
        out: dict[str, dict[int, float]] = {}
        for doc_id, pid, sim in rows:
            out.setdefault(doc_id, {})[int(pid)] = float(sim)
        return out

    def documents(self, doc_ids: Iterable[str]) -> dict[str, Document]:
        rows = self._rows(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE doc_id = ANY(%(ids)s) AND {LIVE}",
            {"ids": list(dict.fromkeys(doc_ids))},
        )
        return {r[0]: _document(r) for r in rows}

    def passages(self, ids: Iterable[int]) -> dict[int, Passage]:
        rows = self._rows(
            f"SELECT id, doc_id, ord, text FROM passages WHERE id = ANY(%(ids)s) AND {LIVE}",
            {"ids": [int(i) for i in ids]},
        )
        return {int(r[0]): Passage(int(r[0]), r[1], r[2], r[3]) for r in rows}

    def passage_ids(self, doc_ids: Iterable[str]) -> dict[str, list[int]]:
        rows = self._rows(
            f"SELECT doc_id, id FROM passages WHERE doc_id = ANY(%(ids)s) AND {LIVE} ORDER BY doc_id, ord",
            {"ids": list(dict.fromkeys(doc_ids))},
        )
        out: dict[str, list[int]] = {}
        for doc_id, pid in rows:
            out.setdefault(doc_id, []).append(int(pid))
        return out

    def first_passage_ids(self, doc_ids: Iterable[str]) -> dict[str, int]:
        rows = self._rows(
            f"SELECT doc_id, id FROM passages WHERE doc_id = ANY(%(ids)s) AND ord = 0 AND {LIVE}",
            {"ids": list(dict.fromkeys(doc_ids))},
        )
        return {r[0]: int(r[1]) for r in rows}

    def sections(self) -> list[str]:
        if self._sections is None:
            rows = self._rows(f"SELECT DISTINCT section FROM documents WHERE section != '' AND {LIVE}", {})
            self._sections = [r[0] for r in rows]
        return self._sections

    def latest(self, k: int, section: str | None = None) -> list[Document]:
        params: dict[str, Any] = {"k": k}
        where = LIVE + filter_sql(Filters(section=section), params)
        rows = self._rows(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE {where}"
            " ORDER BY published DESC, updated_at DESC LIMIT %(k)s",
            params,
        )
        return [_document(r) for r in rows]

    def content_hashes(self) -> dict[str, tuple[str, str]]:
        rows = self._rows(f"SELECT doc_id, content_hash, source FROM documents WHERE {LIVE}", {})
        return {r[0]: (r[1], r[2]) for r in rows}

    def body_hashes(self) -> dict[str, str]:
        rows = self._rows(f"SELECT body_hash, doc_id FROM documents WHERE {LIVE}", {})
        return {r[0]: r[1] for r in rows}

    def stats(self) -> Stats:
        m = self._manifest
        counts = m.get("counts", {})
        return Stats(
            backend=BACKEND, location=redact(self.url), version=self.version,
            documents=int(counts.get("documents", 0)), passages=int(counts.get("chunks", 0)),
            model=m.get("model", ""), dim=int(m.get("dim", 0)), index=m.get("index", ""),
            updated_at=m.get("updated_at", ""),
        )

    def close(self) -> None:
        """Nothing to release: the connections belong to the process-wide pool of this URL,
        which the next version opened (after a refresh) goes on using."""


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
            number, manifest = _read_manifest(conn)
            if manifest and not self.rebuild_all:
                check_model(manifest, self.model_id)
            self.previous = number
            self.number = number + 1
            self.created_at = manifest.get("created_at", now()) if not self.rebuild_all else now()
            self.dim = int(manifest.get("dim", 0)) if manifest else 0
            if self.rebuild_all:
                for table in ("documents", "passages"):
                    conn.execute(
                        f"UPDATE {table} SET version_to = %s WHERE version_to IS NULL", (self.number,)
                    )
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
            ids = [int(r[0]) for r in self.conn.execute(
                "SELECT nextval('passage_ids') FROM generate_series(1, %s)",
                (len(passages),),
            )] if len(passages) else []
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
        for table in ("documents", "passages"):
            self.conn.execute(f"DELETE FROM {table} WHERE doc_id = %s AND version_from = %s", (doc_id, self.number))
            self.conn.execute(
                f"UPDATE {table} SET version_to = %s WHERE doc_id = %s AND version_to IS NULL",
                (self.number, doc_id),
            )

    def _ensure_dim(self, dim: int) -> None:
        """The first vectors fix the column's dimension and build the HNSW index over it."""
        if dim == self.dim and self.dim:
            return
        typmod = self.conn.execute(
            "SELECT atttypmod FROM pg_attribute WHERE attrelid = 'passages'::regclass AND attname = 'embedding'"
        ).fetchone()[0]
        if typmod != dim:
            if typmod > 0:  # a rebuild with another model: the old vectors cannot stay
                self.conn.execute("DELETE FROM passages")
                self.conn.execute("DELETE FROM documents")
            self.conn.execute("DROP INDEX IF EXISTS passages_embedding")
            self.conn.execute(f"ALTER TABLE passages ALTER COLUMN embedding TYPE vector({dim})")
            self.conn.execute(PASSAGES_IN_THE_ROW)
            self._build_hnsw_at_commit = True
        elif self.conn.execute("SELECT NOT EXISTS (SELECT 1 FROM passages)").fetchone()[0]:
            # A first load into an empty table: no reader can see it yet, so the graph is built
            # once over all rows at commit, which pgvector builds many times faster than it
            # inserts row by row into an existing graph.
            self.conn.execute("DROP INDEX IF EXISTS passages_embedding")
            self._build_hnsw_at_commit = True
        self.dim = dim

    def _flush(self) -> None:
        if self._docs:
            with self.conn.cursor() as cur, cur.copy(
                f"COPY documents ({_DOC_COLUMNS}, updated_at, version_from) FROM STDIN"
            ) as copy:
                for row in self._docs:
                    copy.write_row(row)
            self._docs.clear()
        if self._passages:
            with self.conn.cursor() as cur, cur.copy(
                "COPY passages (id, doc_id, ord, text, published, section, embedding, version_from)"
                " FROM STDIN WITH (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["int8", "text", "int4", "text", "text", "text", "vector", "int4"])
                for row in self._passages:
                    copy.write_row(row)
            self._passages.clear()

    def commit(self) -> str:
        self._flush()
        conn = self.conn
        if self._explicit_ids:
            conn.execute(
                "SELECT setval('passage_ids', GREATEST((SELECT max(id) FROM passages),"
                " (SELECT last_value FROM passage_ids), 1))"
            )
        live = "version_from <= %(v)s AND (version_to IS NULL OR version_to > %(v)s)"
        documents = conn.execute(f"SELECT count(*) FROM documents WHERE {live}", {"v": self.number}).fetchone()[0]
        chunks = conn.execute(f"SELECT count(*) FROM passages WHERE {live}", {"v": self.number}).fetchone()[0]
        # The live archive's word counts: + the documents this version adds, - those it ends.
        conn.execute(
            "INSERT INTO archive_terms AS t (lexeme, ndoc)"
            " SELECT lexeme, sum(CASE WHEN version_from = %(n)s THEN 1 ELSE -1 END)"
            " FROM documents, unnest(tsvector_to_array(tsv)) AS lexeme"
            " WHERE version_from = %(n)s OR version_to = %(n)s GROUP BY lexeme"
            " ON CONFLICT (lexeme) DO UPDATE SET ndoc = t.ndoc + excluded.ndoc",
            {"n": self.number},
        )
        conn.execute("DELETE FROM archive_terms WHERE ndoc <= 0")
        for table in ("documents", "passages"):  # rows no reader of the live or previous version sees
            conn.execute(f"DELETE FROM {table} WHERE version_to <= %s", (self.previous,))
        if self._build_hnsw_at_commit:
            conn.execute(
                "CREATE INDEX IF NOT EXISTS passages_embedding ON passages"
                " USING hnsw (embedding vector_cosine_ops)"
            )
            conn.execute("ANALYZE documents, passages")  # the planner's statistics for the new rows
        manifest = {
            "format": FORMAT_VERSION,
            "schema_version": SCHEMA_VERSION,
            "model": self.model_id,
            "dim": self.dim,
            "index": "hnsw",
            "counts": {"documents": documents, "chunks": chunks},
            "settings": self.settings,
            "version": version_name(self.number),
            "created_at": self.created_at,
            "updated_at": now(),
        }
        conn.execute(
            "INSERT INTO archive_manifest (id, version, manifest) VALUES (1, %s, %s)"
            " ON CONFLICT (id) DO UPDATE SET version = excluded.version, manifest = excluded.manifest",
            (self.number, json.dumps(manifest)),
        )
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
