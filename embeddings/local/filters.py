"""Passage ids by date and section, held in memory for one published version.

A date or section filter on dense search needs the ids of the passages it admits. Asking
SQLite joins every passage to its article: 0.4 s a question at 1M passages
(docs/scaling-benchmarks.md). A published version never changes, so its passages' dates and
sections are read once, on the first filtered search, into arrays (about 35 bytes a passage)
and each filter is then a vectorised comparison of a few milliseconds.
"""

from __future__ import annotations

import numpy as np

from embeddings.local.docstore import DocStore


class PassageFilter:
    """The same rules as ``DocStore.filter_clause``: ``since`` and ``until`` are inclusive ISO
    prefixes (an undated article passes neither), sections compare without case."""

    def __init__(self, ids: np.ndarray, published: np.ndarray, sections: np.ndarray, names: list[str]) -> None:
        self._ids, self._published, self._sections, self._names = ids, published, sections, names

    @classmethod
    def load(cls, docs: DocStore) -> PassageFilter:
        rows = docs._query("SELECT c.id, d.published, d.section FROM chunks c JOIN documents d ON d.doc_id = c.doc_id")
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        published = np.array([(r[1] or "").encode("ascii", "ignore") for r in rows], dtype=bytes)
        names, sections = np.unique(np.array([(r[2] or "").lower() for r in rows], dtype=object), return_inverse=True)
        return cls(ids, published, sections.astype(np.int32), [str(n) for n in names])

    def ids(self, since: str | None, until: str | None, section: str | None) -> np.ndarray:
        keep = np.ones(len(self._ids), dtype=bool)
        if since:
            keep &= self._published >= since.encode("ascii", "ignore")
        if until:
            cut = until.encode("ascii", "ignore")
            keep &= (self._published != b"") & (self._published.astype(f"S{len(cut)}") <= cut)
        if section:
            wanted = section.lower()
            codes = [i for i, name in enumerate(self._names) if name == wanted]
            keep &= np.isin(self._sections, codes)
        return self._ids[keep]
