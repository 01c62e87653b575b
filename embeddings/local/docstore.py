"""SQLite document store: documents, their chunks, and an FTS5 keyword index over documents.

Chunk row ids are the FAISS ids. Schema changes are numbered migrations.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from embeddings.keyword import KeywordPlan, match_terms, plan
from embeddings.records import Document, Passage

TOKENIZE = "porter unicode61 remove_diacritics 2"


def _m001_create_tables(db: sqlite3.Connection) -> None:
    db.executescript(
        f"""
        CREATE TABLE documents (
            doc_id TEXT PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            published TEXT NOT NULL DEFAULT '',
            section TEXT NOT NULL DEFAULT '',
            meta TEXT NOT NULL DEFAULT '{{}}',
            content_hash TEXT NOT NULL,
            body_hash TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL
        );
        CREATE INDEX documents_body ON documents(body_hash);
        CREATE INDEX documents_published ON documents(published);
        CREATE TABLE chunks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
            ord INTEGER NOT NULL,
            text TEXT NOT NULL
        );
        CREATE INDEX chunks_doc ON chunks(doc_id, ord);
        CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, text, content='documents', content_rowid='rowid',
            tokenize='{TOKENIZE}'
        );
        CREATE TRIGGER documents_ai AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER documents_ad AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
        END;
        CREATE TRIGGER documents_au AFTER UPDATE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        """
    )


def _m002_term_documents(db: sqlite3.Connection) -> None:
    """Per-term article counts, filled at each commit (``count_terms``): the keyword plan asks
    how many articles have each word of a question, and counting a common word's postings
    costs 5-15 ms at 200k articles, cold, for every new word after each refresh."""
    db.execute("CREATE TABLE term_documents (term TEXT PRIMARY KEY, documents INTEGER NOT NULL) WITHOUT ROWID")


MIGRATIONS = [_m001_create_tables, _m002_term_documents]
SCHEMA_VERSION = len(MIGRATIONS)
FILTERED_SPAN = 4  # a filtered keyword search ranks at most this many budgets of matching articles
FREQUENCY_CACHE = 100_000  # words whose document frequency a reader remembers
PHRASE_COUNT_POSTINGS = 100_000  # a split word is counted exactly while its parts' postings are fewer


class DocStore:
    """One SQLite file. Readers open it read-only; one writer works on a private copy."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self.lock = threading.RLock()
        self._readers: list[tuple[sqlite3.Connection, threading.RLock]] = []
        self._closed = False
        self._thread = threading.local()
        if readonly:
            self._thread.reader = self._connect_reader()
            self.db = self._thread.reader[0]
        else:
            self.db = sqlite3.connect(self.path, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=DELETE")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.row_factory = sqlite3.Row
        self._documents: int | None = None
        self._frequencies: dict[str, tuple[int, int]] = {}
        self._tokens: Tokens | None = None
        if not readonly:
            self._migrate()
        # a writer's counts are those of the version it copied until it commits
        self._counted = readonly and bool(self._query(
            "SELECT 1 FROM sqlite_master WHERE name = 'term_documents'"
        )) and bool(self._query("SELECT 1 FROM term_documents LIMIT 1"))

    def _connect_reader(self) -> tuple[sqlite3.Connection, threading.RLock]:
        """A read-only connection and the lock held while it is in use, so ``close`` never
        closes it under a running query. (Not memory-mapped: that made keyword searches 15%
        faster at 200k articles, but every connection maps the file anew and each mapping's
        pages count in the process's RSS, 6 GB at 1M passages; docs/scaling-benchmarks.md.)"""
        with self.lock:
            if self._closed:
                raise sqlite3.ProgrammingError(f"{self.path} is closed")
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            db.row_factory = sqlite3.Row
            reader = (db, threading.RLock())
            self._readers.append(reader)
        return reader

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The connection this thread reads on. A reader (a published version, which never
        changes) gives each thread its own: a question's keyword searches, the names it looks
        up and its passage reads run at once (qabot.retrieve), where on one shared connection
        they queued behind each other (docs/scaling-benchmarks.md). A writer has one connection,
        the only one that sees its uncommitted changes."""
        if not self.readonly:
            with self.lock:
                yield self.db
            return
        reader = getattr(self._thread, "reader", None)
        if reader is None:
            reader = self._thread.reader = self._connect_reader()
        db, in_use = reader
        with in_use:
            yield db

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
            with self.db:
                migration(self.db)
                self.db.execute(f"PRAGMA user_version={number}")

    def close(self) -> None:
        """Closes every connection once its query, on whatever thread, is done (a version's
        filters are read on a thread of their own: ``LocalStore._row_filter``)."""
        with self.lock:
            self._closed = True
            readers = list(self._readers)
            if not self.readonly:
                self.db.close()
        for db, in_use in readers:
            with in_use:
                db.close()

    # --- reading ---
    def _query(self, sql: str, params: Sequence = ()) -> list[sqlite3.Row]:
        with self._reading() as db:
            return db.execute(sql, params).fetchall()

    def counts(self) -> dict[str, int]:
        docs = self._query("SELECT count(*) FROM documents")[0][0]
        chunks = self._query("SELECT count(*) FROM chunks")[0][0]
        return {"documents": docs, "chunks": chunks}

    def hashes(self) -> dict[str, tuple[str, str]]:
        """doc_id -> (content_hash, source), to decide what changed."""
        rows = self._query("SELECT doc_id, content_hash, source FROM documents")
        return {r["doc_id"]: (r["content_hash"], r["source"]) for r in rows}

    def sections(self) -> list[str]:
        return [r[0] for r in self._query("SELECT DISTINCT section FROM documents WHERE section != ''")]

    def body_hashes(self) -> dict[str, str]:
        """body_hash -> doc_id, to spot the same body arriving under another id."""
        rows = self._query("SELECT doc_id, body_hash FROM documents")
        return {r["body_hash"]: r["doc_id"] for r in rows}

    def get(self, doc_id: str) -> Document | None:
        rows = self._query("SELECT * FROM documents WHERE doc_id = ?", (doc_id,))
        return _document(rows[0]) if rows else None

    def _rows_in(self, sql: str, keys: Iterable) -> list[sqlite3.Row]:
        """Runs ``sql`` (with ``{marks}`` for an IN list) over ``keys`` in batches SQLite accepts."""
        unique = list(dict.fromkeys(keys))
        rows: list[sqlite3.Row] = []
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            rows.extend(self._query(sql.format(marks=",".join("?" * len(part))), part))
        return rows

    def get_many(self, doc_ids: Iterable[str]) -> dict[str, Document]:
        rows = self._rows_in("SELECT * FROM documents WHERE doc_id IN ({marks})", doc_ids)
        return {row["doc_id"]: _document(row) for row in rows}

    def chunks_of(self, doc_id: str) -> list[Passage]:
        rows = self._query("SELECT * FROM chunks WHERE doc_id = ? ORDER BY ord", (doc_id,))
        return [Passage(r["id"], r["doc_id"], r["ord"], r["text"]) for r in rows]

    def chunk_ids_of(self, doc_ids: Iterable[str]) -> dict[str, list[int]]:
        """doc_id -> its chunk ids in reading order."""
        out: dict[str, list[int]] = {}
        sql = "SELECT doc_id, id FROM chunks WHERE doc_id IN ({marks}) ORDER BY doc_id, ord"
        for r in self._rows_in(sql, doc_ids):
            out.setdefault(r[0], []).append(r[1])
        return out

    def first_chunk_ids(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """doc_id -> id of its opening chunk (the lead of a news story)."""
        sql = "SELECT doc_id, id FROM chunks WHERE doc_id IN ({marks}) AND ord = 0"
        return {r[0]: r[1] for r in self._rows_in(sql, doc_ids)}

    def chunks(self, ids: Iterable[int]) -> dict[int, Passage]:
        rows = self._rows_in("SELECT * FROM chunks WHERE id IN ({marks})", (int(i) for i in ids))
        return {r["id"]: Passage(r["id"], r["doc_id"], r["ord"], r["text"]) for r in rows}

    def filter_clause(
        self, since: str | None, until: str | None, section: str | None
    ) -> tuple[str, list]:
        """SQL over ``documents`` for a date range (inclusive ISO prefixes) and a section."""
        parts: list[str] = []
        params: list = []
        if since:
            parts.append("published >= ?")
            params.append(since)
        if until:
            parts.append("published != '' AND substr(published, 1, ?) <= ?")
            params.extend([len(until), until])
        if section:
            parts.append("lower(section) = lower(?)")
            params.append(section)
        return (" AND ".join(parts) or "1"), params

    def keyword_search(
        self,
        words: Sequence[str],
        k: int,
        *,
        since: str | None = None,
        until: str | None = None,
        section: str | None = None,
        weights: tuple[float, float] = (2.0, 1.0),
        admitted: np.ndarray | None = None,
    ) -> list[tuple[str, float]]:
        """BM25 over title and text for the query's content ``words``; returns (doc_id, score)
        best first, higher is better.

        The words are chosen by ``keyword.plan`` once the archive is large. FTS5 scores only
        the words it matches, so the candidates come from an AND: the documents with one of
        the rarer words, ranked on every word ``plan`` keeps. The rarer words then count twice
        in the score; they are the ones BM25 weighs most anyway (docs/scaling-benchmarks.md).
        When even the rarest word is in more than ``keyword.CANDIDATE_POSTINGS`` documents, its newest
        documents are the candidates (FTS5 seeks by rowid, which grows with the archive).

        The top ``k`` are chosen inside FTS5 and only they are joined to ``documents``: joining
        every match first (one row read per matching document) cost 3x the ranking itself at
        20k articles.

        ``admitted``: the article rowids a date or section filter admits, ascending (a reader
        holds them in memory, ``filters.RowFilter``). The filter is then applied to the
        candidates FTS5 returns, which the plan bounds. Handing FTS5 the filter as
        ``rowid IN (SELECT ...)`` made it evaluate the MATCH once per article in the range:
        1-7 s a question at 200k articles."""
        chosen = self.keyword_plan(words)
        if not chosen.rank:
            return []
        match = match_terms(chosen.rank)
        if chosen.match != chosen.rank:
            match = f"({match_terms(chosen.match)}) AND ({match})"
        if admitted is not None:
            return self._filtered(chosen, match, weights, k, admitted)
        where, params = self.filter_clause(since, until, section)
        restrict = f"AND rowid IN (SELECT rowid FROM documents WHERE {where})" if params else ""
        if chosen.capped:
            low, _high = self._window(match_terms(chosen.match), chosen.budget, None)
            if low is not None:
                restrict += " AND rowid >= ?"
                params.append(low)
        sql = (
            "SELECT rowid, bm25(documents_fts, ?, ?) AS s FROM documents_fts "
            f"WHERE documents_fts MATCH ? {restrict} ORDER BY s LIMIT ?"
        )
        return self._doc_ids([(r[0], r[1]) for r in self._query(sql, [*weights, match, *params, k])])

    def _filtered(
        self, chosen: KeywordPlan, match: str, weights: tuple[float, float], k: int, admitted: np.ndarray
    ) -> list[tuple[str, float]]:
        """``keyword_search`` within the articles ``admitted``: every candidate in their rowid
        stretch is scored by FTS5, the filter kept here."""
        if not len(admitted):
            return []
        low, high = int(admitted[0]), int(admitted[-1])
        if chosen.capped:
            found_low, found_high = self._window(match_terms(chosen.match), chosen.budget, admitted)
            if found_high is None:
                return []  # no admitted article has the rarest word
            low = max(low, found_low if found_low is not None else low)
            high = min(high, found_high)
        every = self._query(
            "SELECT rowid, bm25(documents_fts, ?, ?) FROM documents_fts WHERE documents_fts MATCH ?"
            " AND rowid >= ? AND rowid <= ?", [*weights, match, low, high],
        )
        rowids = np.fromiter((r[0] for r in every), dtype=np.int64, count=len(every))
        scores = np.fromiter((r[1] for r in every), dtype=np.float64, count=len(every))
        kept = np.flatnonzero(_within(rowids, admitted))
        best = kept[np.argsort(scores[kept], kind="stable")[:k]]
        return self._doc_ids([(int(rowids[i]), float(scores[i])) for i in best])

    def _doc_ids(self, ranked: Sequence[tuple[int, float]]) -> list[tuple[str, float]]:
        """(rowid, bm25) best first -> (doc_id, score), higher better."""
        ids = dict(
            (r[0], r[1]) for r in self._rows_in(
                "SELECT rowid, doc_id FROM documents WHERE rowid IN ({marks})", (r[0] for r in ranked)
            )
        )
        return [(ids[r[0]], -float(r[1])) for r in ranked if r[0] in ids]

    def _window(self, match: str, budget: int, admitted: np.ndarray | None) -> tuple[int | None, int | None]:
        """The rowids (low, high) between which the newest ``budget`` articles
        matching ``match`` (and ``admitted``) lie; None for no bound.

        FTS5 ranks every matching article in the window, admitted or not. Rowids follow the
        order articles arrived, so a date range is mostly one stretch of them: the window
        starts at the newest admitted article and stops at ``FILTERED_SPAN`` budgets of
        matching articles, so a range whose articles are scattered ranks fewer than the budget
        rather than cost many times more."""
        newest = "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
        if admitted is None:
            row = self._query(f"{newest} ORDER BY rowid DESC LIMIT 1 OFFSET ?", [match, budget - 1])
            return (row[0][0] if row else None), None
        wanted, span = budget, budget * FILTERED_SPAN
        high: int | None = None
        scanned = 0
        with self._reading() as db:
            cursor = db.execute(
                f"{newest} AND rowid >= ? AND rowid <= ? ORDER BY rowid DESC",
                [match, int(admitted[0]), int(admitted[-1])],
            )
            while batch := cursor.fetchmany(4096):
                rowids = np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch))
                inside = _within(rowids, admitted)
                if high is None:
                    first = np.flatnonzero(inside)
                    if not len(first):
                        continue
                    high = int(rowids[first[0]])
                    rowids, inside = rowids[first[0]:], inside[first[0]:]
                rowids, inside = rowids[: span - scanned], inside[: span - scanned]
                kept = rowids[inside]
                if len(kept) >= wanted:
                    return int(kept[wanted - 1]), high
                wanted -= len(kept)
                scanned += len(rowids)
                if scanned >= span:
                    return int(rowids[-1]), high
        return None, high

    def document_count(self) -> int:
        if self._documents is None or not self.readonly:
            self._documents = self._query("SELECT count(*) FROM documents")[0][0]
        return self._documents

    def keyword_plan(self, words: Sequence[str]) -> KeywordPlan:
        """``keyword.plan`` for ``words`` in this archive: their counts and what matching each walks."""
        counted = self.word_counts(words)
        return plan(words, lambda w: counted[w][0], self.document_count(), lambda w: counted[w][1])

    def document_frequency(self, word: str) -> int:
        """How many documents contain ``word`` (as FTS5 tokenizes and stems it), or, for a word
        FTS5 splits whose parts are common, its rarest part's count (``word_counts``)."""
        return self.word_counts([word])[word][0]

    def word_counts(self, words: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Each word's (documents, postings a search walks to match it), remembered for a
        read-only (published, never changing) version.

        A reader tokenizes the words it has not seen in one pass and looks them up in one query:
        one by one, a question's new words cost a millisecond or more before its search could
        start. A word FTS5 splits ("pre-tax") is matched as a phrase, over its parts' postings;
        when they add up to more than ``PHRASE_COUNT_POSTINGS`` its documents are not counted
        (10-12 ms for "three-year" or "first-time" at 200k articles) but bounded by its rarest
        part, as PostgreSQL's word counts do."""
        known = {w: c for w in dict.fromkeys(words) if (c := self._frequencies.get(w)) is not None}
        unseen = [w for w in dict.fromkeys(words) if w not in known]
        if unseen:
            known.update(self._count(unseen))
        return {w: known[w] for w in words}

    def _count(self, words: list[str]) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        if not self._counted:  # a writer, or a version written before the counts were kept
            for word in words:
                count = self._phrase_count(word)
                out[word] = (count, count)
        else:
            tokens = self._tokenizer().many(words)
            counts = {r[0]: r[1] for r in self._rows_in(
                "SELECT term, documents FROM term_documents WHERE term IN ({marks})", (t for ts in tokens for t in ts)
            )}
            for word, parts in zip(words, tokens, strict=True):
                postings = [counts.get(t, 0) for t in parts] or [0]
                walk = sum(postings)
                if len(postings) > 1 and min(postings) and walk <= PHRASE_COUNT_POSTINGS:
                    out[word] = (self._phrase_count(word), walk)
                else:  # one token; a part no article has; or parts too common to count the phrase
                    out[word] = (min(postings), walk)
        if self.readonly:
            for word, counted in out.items():
                self._remember(word, counted)
        return out

    def _phrase_count(self, word: str) -> int:
        quoted = '"' + word.replace('"', '""') + '"'
        return self._query("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", [quoted])[0][0]

    def _remember(self, word: str, counted: tuple[int, int]) -> None:
        if len(self._frequencies) >= FREQUENCY_CACHE:
            self._frequencies.clear()
        self._frequencies[word] = counted

    def latest(
        self, k: int, doc_ids: Sequence[str] | None = None, section: str | None = None
    ) -> list[Document]:
        where, params = self.filter_clause(None, None, section)
        if doc_ids is not None:
            if not doc_ids:
                return []
            where += f" AND doc_id IN ({','.join('?' * len(doc_ids))})"
            params.extend(doc_ids)
        rows = self._query(
            f"SELECT * FROM documents WHERE {where} ORDER BY published DESC, updated_at DESC LIMIT ?",
            [*params, k],
        )
        return [_document(r) for r in rows]

    # --- writing (one transaction per batch: use ``with store.db:``) ---
    def delete(self, doc_id: str) -> list[int]:
        """Removes a document and returns its chunk ids (to remove from FAISS)."""
        ids = [r[0] for r in self.db.execute("SELECT id FROM chunks WHERE doc_id = ?", (doc_id,))]
        self.db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
        self.db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        return ids

    def put(
        self, doc: Document, chunk_texts: Sequence[str], ids: Sequence[int] | None = None
    ) -> list[int]:
        """Inserts a document (which must not exist) and its chunks; returns the new chunk ids
        (``ids`` when given, to keep the ids of an archive copied from elsewhere)."""
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self.db.execute(
            "INSERT INTO documents (doc_id, title, text, published, section, meta, content_hash,"
            " body_hash, source, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                doc.doc_id, doc.title, doc.text, doc.published, doc.section,
                json.dumps(doc.meta, ensure_ascii=False), doc.content_hash, doc.body_hash,
                doc.source, now,
            ),
        )
        if ids is not None:
            self.db.executemany(
                "INSERT INTO chunks (id, doc_id, ord, text) VALUES (?,?,?,?)",
                [(int(i), doc.doc_id, o, t) for o, (i, t) in enumerate(zip(ids, chunk_texts, strict=True))],
            )
            return [int(i) for i in ids]
        new_ids = []
        for ord_, text in enumerate(chunk_texts):
            cur = self.db.execute(
                "INSERT INTO chunks (doc_id, ord, text) VALUES (?,?,?)", (doc.doc_id, ord_, text)
            )
            new_ids.append(int(cur.lastrowid or 0))
        return new_ids

    def optimize(self) -> None:
        self.db.execute("INSERT INTO documents_fts(documents_fts) VALUES ('optimize')")

    def count_terms(self) -> None:
        """Refills ``term_documents`` from the full-text index (one pass over it: 3.4 s at 200k
        articles, milliseconds for a newsroom's daily refresh of a small archive)."""
        with self.lock:
            self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, documents_fts, 'row')")
            self.db.execute("DELETE FROM term_documents")
            self.db.execute("INSERT INTO term_documents SELECT term, doc FROM temp.fts_terms")
        self._frequencies.clear()

    def _tokenizer(self) -> Tokens:
        if self._tokens is None:
            self._tokens = Tokens(TOKENIZE)
        return self._tokens


class Tokens:
    """A word as FTS5 indexes it (stemmed, diacritics folded), from an in-memory FTS5 table
    with the archive's tokenizer: the only way to be sure a lookup uses FTS5's own rules."""

    def __init__(self, tokenize: str) -> None:
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.db.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize='{tokenize}')")
        self.db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        self.lock = threading.Lock()

    def many(self, texts: Sequence[str]) -> list[list[str]]:
        """Each text's distinct tokens, in the order they first occur."""
        with self.lock, self.db:
            self.db.executemany("INSERT INTO t(rowid, x) VALUES (?, ?)", enumerate(texts, 1))
            rows = self.db.execute("SELECT doc, term FROM v ORDER BY doc, offset").fetchall()
            self.db.execute("DELETE FROM t")
        out: list[dict[str, None]] = [{} for _ in texts]
        for doc, term in rows:
            out[doc - 1][term] = None
        return [list(tokens) for tokens in out]


def _within(ids: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """Which of ``ids`` are in ``sorted_ids`` (ascending), as a boolean mask."""
    if not len(sorted_ids):
        return np.zeros(len(ids), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return sorted_ids[at] == ids


def _document(row: sqlite3.Row) -> Document:
    return Document(
        doc_id=row["doc_id"],
        title=row["title"],
        text=row["text"],
        published=row["published"],
        section=row["section"],
        meta=json.loads(row["meta"] or "{}"),
        content_hash=row["content_hash"],
        body_hash=row["body_hash"],
        source=row["source"],
    )
