"""The archive's FTS5 tokenizer, and words run through it, so counts are looked up as indexed."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence

TOKENIZE = "porter unicode61 remove_diacritics 2"


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
