"""One connection pool per database for the whole process, so each refreshed version reuses it."""

from __future__ import annotations

import atexit
import threading
from typing import Any

HNSW_EF_SEARCH = 200  # twice the 100 passages retrieval asks for

_pools: dict[str, Any] = {}
_pools_lock = threading.Lock()


def shared_pool(url: str) -> Any:
    """One small connection pool per database for the whole process, closed at exit."""
    with _pools_lock:
        pool = _pools.get(url)
        if pool is None:
            from pgvector.psycopg import register_vector
            from psycopg_pool import ConnectionPool

            def configure(conn: Any) -> None:
                register_vector(conn)
                # The graph walk keeps HNSW_EF_SEARCH candidates and goes on past rows a filter
                # drops, so a filtered search still returns k hits (pgvector 0.8).
                conn.execute(f"SET hnsw.ef_search = {HNSW_EF_SEARCH}")
                conn.execute("SET hnsw.iterative_scan = strict_order")

            pool = ConnectionPool(
                url, min_size=1, max_size=4, kwargs={"autocommit": True}, configure=configure,
                open=True, name="qabot-archive",
            )
            if not _pools:
                atexit.register(close_pools)
            _pools[url] = pool
        return pool


def close_pools() -> None:
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()
