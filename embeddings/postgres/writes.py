"""The SQL a writer runs in its transaction: bulk loads, the vector column, commit bookkeeping."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from embeddings.postgres.db import PASSAGES_IN_THE_ROW
from embeddings.postgres.rows import DOC_COLUMNS, LIVE

_TABLES = ("documents", "passages")


def end_live_rows(conn: Any, number: int) -> None:
    """Ends every live row at version ``number``: a rebuild writes the archive anew."""
    for table in _TABLES:
        conn.execute(f"UPDATE {table} SET version_to = %s WHERE version_to IS NULL", (number,))


def new_passage_ids(conn: Any, count: int) -> list[int]:
    """``count`` fresh passage ids from the archive's sequence."""
    if not count:
        return []
    rows = conn.execute("SELECT nextval('passage_ids') FROM generate_series(1, %s)", (count,))
    return [int(r[0]) for r in rows]


def end_document(conn: Any, doc_id: str, number: int) -> None:
    """Drops what version ``number`` added for ``doc_id`` and ends its older rows there."""
    for table in _TABLES:
        conn.execute(f"DELETE FROM {table} WHERE doc_id = %s AND version_from = %s", (doc_id, number))
        conn.execute(
            f"UPDATE {table} SET version_to = %s WHERE doc_id = %s AND version_to IS NULL",
            (number, doc_id),
        )


def prepare_vector_column(conn: Any, dim: int) -> bool:
    """Makes the vector column ``dim`` wide; True when the HNSW index is to be built at commit."""
    typmod = conn.execute(
        "SELECT atttypmod FROM pg_attribute WHERE attrelid = 'passages'::regclass AND attname = 'embedding'"
    ).fetchone()[0]
    if typmod != dim:
        if typmod > 0:  # a rebuild with another model: the old vectors cannot stay
            conn.execute("DELETE FROM passages")
            conn.execute("DELETE FROM documents")
        conn.execute("DROP INDEX IF EXISTS passages_embedding")
        conn.execute(f"ALTER TABLE passages ALTER COLUMN embedding TYPE vector({dim})")
        conn.execute(PASSAGES_IN_THE_ROW)
        return True
    if conn.execute("SELECT NOT EXISTS (SELECT 1 FROM passages)").fetchone()[0]:
        # A first load into an empty table: no reader can see it yet, so the graph is built
        # once over all rows at commit, which pgvector builds many times faster than it
        # inserts row by row into an existing graph.
        conn.execute("DROP INDEX IF EXISTS passages_embedding")
        return True
    return False


def copy_documents(conn: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    """Loads buffered article rows with COPY."""
    with conn.cursor() as cur, cur.copy(
        f"COPY documents ({DOC_COLUMNS}, updated_at, version_from) FROM STDIN"
    ) as copy:
        for row in rows:
            copy.write_row(row)


def copy_passages(conn: Any, rows: Sequence[tuple[Any, ...]]) -> None:
    """Loads buffered passage rows with a binary COPY, vectors as raw float32."""
    with conn.cursor() as cur, cur.copy(
        "COPY passages (id, doc_id, ord, text, published, section, embedding, version_from)"
        " FROM STDIN WITH (FORMAT BINARY)"
    ) as copy:
        copy.set_types(["int8", "text", "int4", "text", "text", "text", "vector", "int4"])
        for row in rows:
            copy.write_row(row)


def advance_passage_ids(conn: Any) -> None:
    """Moves the id sequence past ids a copied archive brought with it."""
    conn.execute(
        "SELECT setval('passage_ids', GREATEST((SELECT max(id) FROM passages),"
        " (SELECT last_value FROM passage_ids), 1))"
    )


def live_counts(conn: Any, number: int) -> dict[str, int]:
    """Articles and passages live in version ``number``, as the manifest records them."""
    live = {"v": number}
    documents = conn.execute(f"SELECT count(*) FROM documents WHERE {LIVE}", live).fetchone()[0]
    chunks = conn.execute(f"SELECT count(*) FROM passages WHERE {LIVE}", live).fetchone()[0]
    return {"documents": documents, "chunks": chunks}


def update_word_counts(conn: Any, number: int) -> None:
    """The live archive's word counts: + the documents version ``number`` adds, - those it ends."""
    conn.execute(
        "INSERT INTO archive_terms AS t (lexeme, ndoc)"
        " SELECT lexeme, sum(CASE WHEN version_from = %(n)s THEN 1 ELSE -1 END)"
        " FROM documents, unnest(tsvector_to_array(tsv)) AS lexeme"
        " WHERE version_from = %(n)s OR version_to = %(n)s GROUP BY lexeme"
        " ON CONFLICT (lexeme) DO UPDATE SET ndoc = t.ndoc + excluded.ndoc",
        {"n": number},
    )
    conn.execute("DELETE FROM archive_terms WHERE ndoc <= 0")


def drop_ended_rows(conn: Any, previous: int) -> None:
    """Deletes rows no reader of the live or previous version sees."""
    for table in _TABLES:
        conn.execute(f"DELETE FROM {table} WHERE version_to <= %s", (previous,))


def build_vector_index(conn: Any) -> None:
    """Builds the HNSW graph over all rows and refreshes the planner's statistics for them."""
    conn.execute(
        "CREATE INDEX IF NOT EXISTS passages_embedding ON passages"
        " USING hnsw (embedding vector_cosine_ops)"
    )
    conn.execute("ANALYZE documents, passages")


def write_manifest(conn: Any, number: int, manifest: dict[str, Any]) -> None:
    """Points the archive at version ``number``; readers see it once the transaction commits."""
    conn.execute(
        "INSERT INTO archive_manifest (id, version, manifest) VALUES (1, %s, %s)"
        " ON CONFLICT (id) DO UPDATE SET version = excluded.version, manifest = excluded.manifest",
        (number, json.dumps(manifest)),
    )
