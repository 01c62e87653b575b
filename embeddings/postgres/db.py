"""Connections, the writer lock and the numbered schema migrations of the PostgreSQL backend.

Rows carry the version range they belong to (``version_from`` <= v < ``version_to``), so a
reader keeps answering from the version it opened while a writer publishes the next one in
one transaction; see ``store.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from embeddings.errors import StoreUnavailable

# One advisory lock key per database for the archive writer ("qabot-ar" as 8 bytes).
WRITER_LOCK = 0x7161626F742D6172

INSTALL_HINT = "the PostgreSQL backend needs psycopg and pgvector: pip install 'qabot[postgres]'"


def psycopg() -> Any:
    try:
        import psycopg as module
    except ImportError as e:  # pragma: no cover - an install without the extra
        raise StoreUnavailable(INSTALL_HINT) from e
    return module


def redact(url: str) -> str:
    """The URL without its password, for messages and ``qabot stats``."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    try:
        parts = urlsplit(url)
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        if parts.username:
            netloc = f"{parts.username}@{netloc}"
        query = urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "password"])
    except ValueError:
        return "postgresql://…"
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def connect(url: str, *, autocommit: bool = False) -> Any:
    """A connection with the pgvector type registered; connection errors name the server only."""
    pg = psycopg()
    try:
        conn = pg.connect(url, autocommit=autocommit)
    except pg.OperationalError as e:
        raise StoreUnavailable(f"cannot connect to PostgreSQL at {redact(url)}: {_first_line(e)}") from None
    try:
        from pgvector.psycopg import register_vector

        register_vector(conn)
    except pg.ProgrammingError:  # the extension is not created yet (the first migration does it)
        conn.rollback()
    except ImportError as e:  # pragma: no cover
        conn.close()
        raise StoreUnavailable(INSTALL_HINT) from e
    return conn


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _m001_create_tables(cur: Any) -> None:
    cur.execute("CREATE EXTENSION IF NOT EXISTS vector")
    cur.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    cur.execute(
        """
        CREATE OR REPLACE FUNCTION qabot_unaccent(text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
            AS $$ SELECT unaccent('unaccent'::regdictionary, $1) $$;

        CREATE TABLE archive_manifest (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            version INTEGER NOT NULL,
            manifest JSONB NOT NULL
        );

        CREATE TABLE documents (
            row_id BIGSERIAL PRIMARY KEY,
            doc_id TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL,
            published TEXT NOT NULL DEFAULT '',
            section TEXT NOT NULL DEFAULT '',
            meta JSONB NOT NULL DEFAULT '{}',
            content_hash TEXT NOT NULL,
            body_hash TEXT NOT NULL,
            source TEXT NOT NULL DEFAULT '',
            updated_at TEXT NOT NULL,
            version_from INTEGER NOT NULL,
            version_to INTEGER,
            tsv TSVECTOR GENERATED ALWAYS AS (
                setweight(to_tsvector('english', qabot_unaccent(title)), 'A')
                || setweight(to_tsvector('english', qabot_unaccent(text)), 'B')
            ) STORED
        );
        CREATE UNIQUE INDEX documents_live_id ON documents (doc_id) WHERE version_to IS NULL;
        CREATE INDEX documents_id ON documents (doc_id);
        CREATE INDEX documents_published ON documents (published);
        CREATE INDEX documents_tsv ON documents USING gin (tsv);

        CREATE SEQUENCE passage_ids;
        CREATE TABLE passages (
            row_id BIGSERIAL PRIMARY KEY,
            id BIGINT NOT NULL,
            doc_id TEXT NOT NULL,
            ord INTEGER NOT NULL,
            text TEXT NOT NULL,
            published TEXT NOT NULL DEFAULT '',
            section TEXT NOT NULL DEFAULT '',
            embedding vector NOT NULL,
            version_from INTEGER NOT NULL,
            version_to INTEGER
        );
        CREATE UNIQUE INDEX passages_live_id ON passages (id) WHERE version_to IS NULL;
        CREATE INDEX passages_id ON passages (id);
        CREATE INDEX passages_doc ON passages (doc_id, ord);
        """
    )


def _m002_term_frequencies(cur: Any) -> None:
    """Per-word document counts of the live archive, which keyword search needs to choose its
    words (``embeddings.keyword.plan``) in one indexed lookup; and the tsvector kept in the
    row (``STORAGE MAIN``) rather than in TOAST, which made ranking each candidate 6x cheaper
    (docs/scaling-benchmarks.md). Rows written before keep their storage until rewritten."""
    cur.execute(
        """
        CREATE TABLE archive_terms (lexeme TEXT PRIMARY KEY, ndoc INTEGER NOT NULL);
        INSERT INTO archive_terms (lexeme, ndoc)
            SELECT lexeme, count(*) FROM documents, unnest(tsvector_to_array(tsv)) AS lexeme
            WHERE version_to IS NULL GROUP BY lexeme;
        ALTER TABLE documents ALTER COLUMN tsv SET STORAGE MAIN;
        """
    )


def _m003_passages_in_the_row(cur: Any) -> None:
    """A passage's vector and text kept in its row (``STORAGE MAIN``), not in TOAST. Rescoring
    a question's candidates reads ~600 stored vectors, and each out-of-line one cost a TOAST
    index probe and a page besides the row's own (docs/scaling-benchmarks.md). A row of a
    384-dimension vector and its passage is about 2.3 kB, three to a page; a 1024-dimension one
    still fits. Text is kept in too, or TOAST would move it out in the vector's place. Rows
    written before keep their storage until rewritten."""
    cur.execute(PASSAGES_IN_THE_ROW)


# Also after the vector column changes type (a first load fixes its dimension), which resets
# its storage to the type's own (out of line).
PASSAGES_IN_THE_ROW = (
    "ALTER TABLE passages ALTER COLUMN embedding SET STORAGE MAIN, ALTER COLUMN text SET STORAGE MAIN"
)


MIGRATIONS: list[Callable[[Any], None]] = [_m001_create_tables, _m002_term_frequencies, _m003_passages_in_the_row]
SCHEMA_VERSION = len(MIGRATIONS)


def apply_migrations(conn: Any, table: str, steps: list[Callable[[Any], None]]) -> None:
    """Runs the ``steps`` this database has not seen, each in its own (sub)transaction, and
    records how far it got in ``table``. The caller holds a lock that keeps two runners apart.
    Shared by the archive's schema and the application's state (``qabot.state``)."""
    with conn.transaction():
        conn.execute(f"CREATE TABLE IF NOT EXISTS {table} (version INTEGER NOT NULL)")
        row = conn.execute(f"SELECT version FROM {table}").fetchone()
        if row is None:
            conn.execute(f"INSERT INTO {table} VALUES (0)")
        version = row[0] if row else 0
    for number, step in enumerate(steps[version:], start=version + 1):
        with conn.transaction(), conn.cursor() as cur:
            step(cur)
            cur.execute(f"UPDATE {table} SET version = %s", (number,))


def migrate(conn: Any) -> None:
    """Brings the archive's tables to ``SCHEMA_VERSION``. Call with the writer lock held."""
    apply_migrations(conn, "archive_schema", MIGRATIONS)
    from pgvector.psycopg import register_vector

    register_vector(conn)
