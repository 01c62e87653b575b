"""A reader bound to one published version, so it sees that archive whole until it reopens."""

from __future__ import annotations

from typing import Any

from embeddings.postgres.db import redact
from embeddings.postgres.rows import LIVE, read_manifest, version_name
from embeddings.records import Filters, Stats

BACKEND = "postgresql"


class VersionReader:
    """Every query runs on the process's pool against the rows live in version ``version``."""

    backend = BACKEND

    def __init__(self, url: str, pool: Any, version: int, manifest: dict[str, Any]) -> None:
        self.url = url
        self._pool = pool
        self._number = version
        self._manifest = manifest
        self._sections: list[str] | None = None
        self._last_row: int | None = None
        self._dates: tuple[str, str] | None = None  # the first dated and the last article date

    @property
    def version(self) -> str:
        return version_name(self._number)

    @property
    def manifest(self) -> dict[str, Any]:
        return self._manifest

    def _rows(self, sql: str, params: dict[str, Any], *, binary: bool = False) -> list[tuple[Any, ...]]:
        params.setdefault("v", self._number)
        with self._pool.connection() as conn:
            return conn.execute(sql, params, binary=binary).fetchall()

    def live_version(self) -> str:
        with self._pool.connection() as conn:
            return version_name(read_manifest(conn)[0])

    def _outside(self, filters: Filters) -> bool:
        """Whether a date filter lies wholly outside the archive's dates ("in 2004" asked of an
        archive that starts in 2015). The HNSW walk would then read the whole graph looking for
        rows that pass (0.2 s at 1M passages), and so would a SQL check for such rows; the
        archive's first and last dates come from the date index once per version."""
        if not (filters.since or filters.until):
            return False
        if self._dates is None:
            first = self._rows(f"SELECT min(published) FROM documents WHERE {LIVE} AND published > ''", {})[0][0]
            last = self._rows(f"SELECT max(published) FROM documents WHERE {LIVE}", {})[0][0]
            self._dates = (first or "", last or "")
        first, last = self._dates
        if not first:
            return True  # no dated article passes a date filter
        return bool((filters.since and last < filters.since)
                    or (filters.until and first[: len(filters.until)] > filters.until))

    def stats(self) -> Stats:
        m = self._manifest
        counts = m.get("counts", {})
        return Stats(
            backend=BACKEND, location=redact(self.url), version=self.version,
            documents=int(counts.get("documents", 0)), passages=int(counts.get("chunks", 0)),
            model=m.get("model", ""), dim=int(m.get("dim", 0)), index=m.get("index", ""),
            updated_at=m.get("updated_at", ""),
        )

    def close(self) -> None:
        """Nothing to release: the connections belong to the process-wide pool of this URL,
        which the next version opened (after a refresh) goes on using."""
