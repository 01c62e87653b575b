"""Inserts and deletes of articles with their passages, committed by the caller as one batch."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone

from embeddings.local.docstore_connections import SQLiteFile
from embeddings.records import Document


class DocumentWrites(SQLiteFile):
    """The writer's edits; the full-text index follows ``documents`` through its triggers."""

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
