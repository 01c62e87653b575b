"""Reads of passages, their vectors and articles in one version, as answers and ingestion need."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from embeddings.errors import StoreError
from embeddings.postgres.reader import VersionReader
from embeddings.postgres.rows import DOC_COLUMNS, LIVE, document, filter_sql
from embeddings.records import Document, Filters, Passage


class RecordReads(VersionReader):
    """Rows by id, by article, by section and by hash, from the version this reader is bound to."""

    def passage_vectors(self, ids: Sequence[int]) -> np.ndarray:
        wanted = [int(i) for i in ids]
        rows = self._rows(
            f"SELECT id, embedding FROM passages WHERE id = ANY(%(ids)s) AND {LIVE}", {"ids": wanted},
            binary=True,  # vectors as raw float32: parsing their text form costs milliseconds
        )
        found = {int(r[0]): r[1].to_numpy() if hasattr(r[1], "to_numpy") else r[1] for r in rows}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise StoreError(f"no stored vectors for passage ids {missing[:5]}")
        dim = int(self._manifest.get("dim", 0))
        if not wanted:
            return np.empty((0, dim), dtype=np.float32)
        return np.stack([np.asarray(found[i], dtype=np.float32) for i in wanted])

    def passage_similarities(self, ids: Sequence[int], query: np.ndarray) -> np.ndarray:
        wanted = [int(i) for i in ids]
        if not wanted:
            return np.empty(0, dtype=np.float32)
        rows = self._rows(  # <#> is the negative inner product
            f"SELECT id, -(embedding <#> %(q)s) FROM passages WHERE id = ANY(%(ids)s) AND {LIVE}",
            {"ids": wanted, "q": np.asarray(query, dtype=np.float32)},
        )
        found = {int(r[0]): float(r[1]) for r in rows}
        missing = [i for i in wanted if i not in found]
        if missing:
            raise StoreError(f"no stored vectors for passage ids {missing[:5]}")
        return np.array([found[i] for i in wanted], dtype=np.float32)

    def article_similarities(self, doc_ids: Iterable[str], query: np.ndarray) -> dict[str, dict[int, float]]:
        rows = self._rows(  # <#> is the negative inner product
            f"SELECT doc_id, id, -(embedding <#> %(q)s) FROM passages WHERE doc_id = ANY(%(ids)s)"
            f" AND {LIVE} ORDER BY doc_id, ord",
            {"ids": list(dict.fromkeys(doc_ids)), "q": np.asarray(query, dtype=np.float32)},
        )
        out: dict[str, dict[int, float]] = {}
        for doc_id, pid, sim in rows:
            out.setdefault(doc_id, {})[int(pid)] = float(sim)
        return out

    def documents(self, doc_ids: Iterable[str]) -> dict[str, Document]:
        rows = self._rows(
            f"SELECT {DOC_COLUMNS} FROM documents WHERE doc_id = ANY(%(ids)s) AND {LIVE}",
            {"ids": list(dict.fromkeys(doc_ids))},
        )
        return {r[0]: document(r) for r in rows}

    def passages(self, ids: Iterable[int]) -> dict[int, Passage]:
        rows = self._rows(
            f"SELECT id, doc_id, ord, text FROM passages WHERE id = ANY(%(ids)s) AND {LIVE}",
            {"ids": [int(i) for i in ids]},
        )
        return {int(r[0]): Passage(int(r[0]), r[1], r[2], r[3]) for r in rows}

    def passage_ids(self, doc_ids: Iterable[str]) -> dict[str, list[int]]:
        rows = self._rows(
            f"SELECT doc_id, id FROM passages WHERE doc_id = ANY(%(ids)s) AND {LIVE} ORDER BY doc_id, ord",
            {"ids": list(dict.fromkeys(doc_ids))},
        )
        out: dict[str, list[int]] = {}
        for doc_id, pid in rows:
            out.setdefault(doc_id, []).append(int(pid))
        return out

    def first_passage_ids(self, doc_ids: Iterable[str]) -> dict[str, int]:
        rows = self._rows(
            f"SELECT doc_id, id FROM passages WHERE doc_id = ANY(%(ids)s) AND ord = 0 AND {LIVE}",
            {"ids": list(dict.fromkeys(doc_ids))},
        )
        return {r[0]: int(r[1]) for r in rows}

    def sections(self) -> list[str]:
        if self._sections is None:
            rows = self._rows(f"SELECT DISTINCT section FROM documents WHERE section != '' AND {LIVE}", {})
            self._sections = [r[0] for r in rows]
        return self._sections

    def latest(self, k: int, section: str | None = None) -> list[Document]:
        params: dict[str, Any] = {"k": k}
        where = LIVE + filter_sql(Filters(section=section), params)
        rows = self._rows(
            f"SELECT {DOC_COLUMNS} FROM documents WHERE {where}"
            " ORDER BY published DESC, updated_at DESC LIMIT %(k)s",
            params,
        )
        return [document(r) for r in rows]

    def content_hashes(self) -> dict[str, tuple[str, str]]:
        rows = self._rows(f"SELECT doc_id, content_hash, source FROM documents WHERE {LIVE}", {})
        return {r[0]: (r[1], r[2]) for r in rows}

    def body_hashes(self) -> dict[str, str]:
        rows = self._rows(f"SELECT body_hash, doc_id FROM documents WHERE {LIVE}", {})
        return {r[0]: r[1] for r in rows}
