"""The SQLite schema as numbered migrations, so a copied or older archive is brought up to date."""

from __future__ import annotations

import sqlite3

from embeddings.local.fts_tokens import TOKENIZE


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


def migrate(db: sqlite3.Connection) -> None:
    """Runs the migrations ``db`` has not had, each in its own transaction."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    for number, migration in enumerate(MIGRATIONS[version:], start=version + 1):
        with db:
            migration(db)
            db.execute(f"PRAGMA user_version={number}")
