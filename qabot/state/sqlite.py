"""State in ``<data_dir>/state.sqlite``, beside the versioned index (publishing never touches it).

Every call opens its own short connection (WAL, 10 s busy timeout), so it is safe from any
thread and from several processes on one machine. Locks are ``flock`` on files in the data
folder: the kernel releases them if the holder dies.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from qabot.state.base import Value

FILENAME = "state.sqlite"


def _m001_create_state(db: sqlite3.Connection) -> None:
    # execute, not executescript: executescript would commit the migration's transaction early
    db.execute(
        """
        CREATE TABLE state (
            ns TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            updated_at REAL NOT NULL,
            PRIMARY KEY (ns, key)
        ) WITHOUT ROWID
        """
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m001_create_state]


def _wal(db: sqlite3.Connection, wait: float = 30.0) -> None:
    """Switches the file to WAL. SQLite does not call the busy handler for this switch, so
    processes opening a new file at the same moment got "database is locked" (seen in CI):
    retry until ``wait`` seconds have passed."""
    deadline = time.monotonic() + wait
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


class SqliteState:
    """The local backend of :class:`qabot.state.base.StateStore`."""

    def __init__(self, data_dir: Path) -> None:
        self.dir = Path(data_dir)
        self.path = self.dir / FILENAME
        self.dir.mkdir(parents=True, exist_ok=True)
        self._migrate()
        # One idle reader held open for the store's life: when the last connection to a WAL file
        # closes, SQLite checkpoints and syncs it, so every short call paid a full checkpoint
        # (~25 ms a write on this machine's disk; about 1 ms with this connection open).
        self._keeper = sqlite3.connect(self.path, check_same_thread=False)
        self._keeper.execute("SELECT count(*) FROM state WHERE 0").fetchall()

    def _migrate(self) -> None:
        """Numbered migrations under a write lock, so two processes opening a new file at the
        same moment cannot both create the tables."""
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as db:
            _wal(db)
            db.execute("BEGIN IMMEDIATE")
            try:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                for number, migrate in enumerate(MIGRATIONS[version:], start=version + 1):
                    migrate(db)
                    db.execute(f"PRAGMA user_version = {number}")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
            _wal(db)
            # WAL with NORMAL syncs at checkpoints, not at every commit (each answer writes its
            # turn, its question-log line and its feedback record); a power cut may lose the last
            # moments of follow-up context, never corrupt the file.
            db.execute("PRAGMA synchronous=NORMAL")
            yield db

    def get(self, ns: str, key: str) -> Value | None:
        with self._connect() as db:
            row = db.execute("SELECT value FROM state WHERE ns = ? AND key = ?", (ns, key)).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, ns: str, key: str, value: Value) -> None:
        with self._connect() as db:
            db.execute(
                "INSERT INTO state (ns, key, value, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                (ns, key, json.dumps(value, ensure_ascii=False), time.time()),
            )

    def add(self, ns: str, key: str, value: Value) -> bool:
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO state (ns, key, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                (ns, key, json.dumps(value, ensure_ascii=False), time.time()),
            )
            return cur.rowcount == 1

    def delete(self, ns: str, key: str) -> bool:
        with self._connect() as db:
            return db.execute("DELETE FROM state WHERE ns = ? AND key = ?", (ns, key)).rowcount == 1

    def scan(self, ns: str, prefix: str = "") -> list[tuple[str, Value]]:
        with self._connect() as db:
            rows = db.execute(
                "SELECT key, value FROM state WHERE ns = ? AND substr(key, 1, ?) = ? ORDER BY key",
                (ns, len(prefix), prefix),
            ).fetchall()
        return [(key, json.loads(value)) for key, value in rows]

    def namespaces(self) -> list[str]:
        with self._connect() as db:
            return [r[0] for r in db.execute("SELECT DISTINCT ns FROM state ORDER BY ns")]

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
        fd = os.open(self.dir / f".lock-{safe}", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def close(self) -> None:
        """Closes the idle reader; calls open their own connections."""
        self._keeper.close()
