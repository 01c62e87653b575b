"""SQLite connections: one per reading thread, so a question's reads run at once; one to write."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from embeddings.local.docstore_schema import migrate


class SQLiteFile:
    """The file opened read-only for a published version, or read-write (and migrated) for the
    writer's private copy."""

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
            migrate(self.db)

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
        up and its passage reads run at once (qabot.answers.retrieve), where on one shared connection
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

    def _query(self, sql: str, params: Sequence = ()) -> list[sqlite3.Row]:
        with self._reading() as db:
            return db.execute(sql, params).fetchall()

    def _rows_in(self, sql: str, keys: Iterable) -> list[sqlite3.Row]:
        """Runs ``sql`` (with ``{marks}`` for an IN list) over ``keys`` in batches SQLite accepts."""
        unique = list(dict.fromkeys(keys))
        rows: list[sqlite3.Row] = []
        for start in range(0, len(unique), 500):
            part = unique[start : start + 500]
            rows.extend(self._query(sql.format(marks=",".join("?" * len(part))), part))
        return rows
