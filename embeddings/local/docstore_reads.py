"""Reads of articles and passages by id, hash, section and date, as the store and ingestion need."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence

from embeddings.local.docstore_connections import SQLiteFile
from embeddings.records import Document, Passage


class DocumentReads(SQLiteFile):
    """Articles (``documents``) and their passages (``chunks``) as records."""

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
