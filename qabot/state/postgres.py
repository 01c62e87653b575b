"""State in the ``qabot_state`` table of the PostgreSQL database the archive lives in.

Every replica behind a load balancer reads and writes the same rows, so a follow-up that lands
on another replica finds its context, a vote counts once and an alert goes out once.
``exclusive`` is a session advisory lock on a connection of its own: the server drops it if
the holder dies.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from embeddings.postgres.db import apply_migrations
from qabot.state.base import Value

# Key space of the two-int advisory locks for named state locks ("qsta"); the archive writer
# uses a one-bigint key, which PostgreSQL keeps apart.
LOCK_CLASS = 0x71737461
MIGRATION_LOCK = 0x7161626F742D7374  # "qabot-st"


def _m001_create_state(cur: Any) -> None:
    cur.execute(
        """
        CREATE TABLE qabot_state (
            ns TEXT COLLATE "C" NOT NULL,
            key TEXT COLLATE "C" NOT NULL,
            value JSONB NOT NULL,
            updated_at DOUBLE PRECISION NOT NULL,
            PRIMARY KEY (ns, key)
        )
        """
    )


MIGRATIONS: list[Callable[[Any], None]] = [_m001_create_state]


def _connect(url: str, *, autocommit: bool = False) -> Any:
    """A plain connection; a failure names the server, never the password."""
    import psycopg

    from embeddings.postgres.db import redact
    from qabot.errors import ConfigError

    try:
        return psycopg.connect(url, autocommit=autocommit)
    except psycopg.OperationalError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else "connection failed"
        raise ConfigError(f"cannot connect to PostgreSQL at {redact(url)}: {first}") from None


class PostgresState:
    """The PostgreSQL backend of :class:`qabot.state.base.StateStore`."""

    def __init__(self, url: str) -> None:
        from psycopg_pool import ConnectionPool

        self.url = url
        with _connect(url) as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            apply_migrations(conn, "qabot_state_schema", MIGRATIONS)
        self._pool = ConnectionPool(
            url, min_size=1, max_size=4, kwargs={"autocommit": True},
            check=ConnectionPool.check_connection, open=True, name="qabot-state",
        )

    def _execute(self, sql: str, params: tuple[Any, ...]) -> Any:
        with self._pool.connection() as conn:
            cur = conn.execute(sql, params)
            return cur.rowcount, (cur.fetchall() if cur.description else [])

    def get(self, ns: str, key: str) -> Value | None:
        _, rows = self._execute("SELECT value FROM qabot_state WHERE ns = %s AND key = %s", (ns, key))
        return rows[0][0] if rows else None

    def put(self, ns: str, key: str, value: Value) -> None:
        self._execute(
            "INSERT INTO qabot_state (ns, key, value, updated_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            (ns, key, json.dumps(value, ensure_ascii=False), time.time()),
        )

    def add(self, ns: str, key: str, value: Value) -> bool:
        count, _ = self._execute(
            "INSERT INTO qabot_state (ns, key, value, updated_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            (ns, key, json.dumps(value, ensure_ascii=False), time.time()),
        )
        return count == 1

    def delete(self, ns: str, key: str) -> bool:
        count, _ = self._execute("DELETE FROM qabot_state WHERE ns = %s AND key = %s", (ns, key))
        return count == 1

    def scan(self, ns: str, prefix: str = "") -> list[tuple[str, Value]]:
        _, rows = self._execute(
            "SELECT key, value FROM qabot_state WHERE ns = %s AND left(key, %s) = %s"
            ' ORDER BY key COLLATE "C"',
            (ns, len(prefix), prefix),
        )
        return [(key, value) for key, value in rows]

    def namespaces(self) -> list[str]:
        _, rows = self._execute('SELECT DISTINCT ns FROM qabot_state ORDER BY ns', ())
        return [r[0] for r in rows]

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        conn = _connect(self.url, autocommit=True)
        try:
            got = conn.execute(
                "SELECT pg_try_advisory_lock(%s, hashtext(%s))", (LOCK_CLASS, name)
            ).fetchone()[0]
            yield bool(got)
        finally:
            conn.close()  # ends the session, and with it the lock

    def close(self) -> None:
        self._pool.close()
