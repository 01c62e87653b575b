"""Readers' votes on answers, kept in ``<data_dir>/feedback.sqlite``.

It lives beside the versioned index, not inside it, so publishing a new index version never
touches it. Each answer the bot sends is recorded (chat, user, question, answer, time); a vote
on it is recorded per voter, and pressing again replaces that voter's vote. The ``feedback``
view joins both: one row per vote with chat, user, question, answer, vote and time.
Every method opens its own connection, so it is safe to call from any thread.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path

FILENAME = "feedback.sqlite"


def _m001_create_tables(db: sqlite3.Connection) -> None:
    db.executescript(
        """
        CREATE TABLE answers (
            id INTEGER PRIMARY KEY,
            chat_id INTEGER NOT NULL,
            user_id INTEGER,
            question TEXT NOT NULL,
            answer TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE TABLE votes (
            answer_id INTEGER NOT NULL REFERENCES answers(id),
            user_id INTEGER NOT NULL,
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            voted_at REAL NOT NULL,
            PRIMARY KEY (answer_id, user_id)
        );
        CREATE VIEW feedback AS
            SELECT a.id AS answer_id, a.chat_id, v.user_id, a.question, a.answer,
                   v.vote, v.voted_at AS time
            FROM votes v JOIN answers a ON a.id = v.answer_id;
        """
    )


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_m001_create_tables]


class FeedbackStore:
    """Answers sent and the votes readers gave them."""

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / FILENAME
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            for number, migrate in enumerate(MIGRATIONS[version:], start=version + 1):
                migrate(db)
                db.execute(f"PRAGMA user_version = {number}")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
            db.execute("PRAGMA journal_mode=WAL")
            yield db

    def record_answer(self, chat_id: int, user_id: int | None, question: str, answer: str) -> int:
        """Remember an answer that was sent; the id goes into its vote buttons."""
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO answers (chat_id, user_id, question, answer, created_at) VALUES (?, ?, ?, ?, ?)",
                (chat_id, user_id, question, answer, time.time()),
            )
            return int(cur.lastrowid or 0)

    def vote(self, answer_id: int, user_id: int, vote: int) -> bool:
        """Store ``user_id``'s vote (+1 or -1); ``False`` when the answer is unknown."""
        if vote not in (-1, 1):
            raise ValueError(f"vote must be 1 or -1, not {vote!r}")
        with self._connect() as db:
            if db.execute("SELECT 1 FROM answers WHERE id = ?", (answer_id,)).fetchone() is None:
                return False
            db.execute(
                "INSERT INTO votes (answer_id, user_id, vote, voted_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (answer_id, user_id) DO UPDATE SET vote = excluded.vote,"
                " voted_at = excluded.voted_at",
                (answer_id, user_id, vote, time.time()),
            )
            return True

    def question_of(self, answer_id: int) -> str | None:
        """The question a recorded answer was given for."""
        with self._connect() as db:
            row = db.execute("SELECT question FROM answers WHERE id = ?", (answer_id,)).fetchone()
        return row[0] if row else None

    def chat_of(self, answer_id: int) -> int | None:
        """The chat a recorded answer was sent to (buttons are honoured in that chat only)."""
        with self._connect() as db:
            row = db.execute("SELECT chat_id FROM answers WHERE id = ?", (answer_id,)).fetchone()
        return int(row[0]) if row else None

    def rows(self) -> list[dict]:
        """Every vote with its chat, user, question, answer and time, oldest first."""
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY time")]

    def totals(self) -> dict[str, int]:
        """``{"up": n, "down": n}`` over all votes (for /stats)."""
        with self._connect() as db:
            up, down = db.execute(
                "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM votes"
            ).fetchone()
        return {"up": int(up), "down": int(down)}
