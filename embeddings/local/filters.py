"""Passage and article ids by date and section, held in memory for one published version.

A date or section filter on dense search needs the ids of the passages it admits. Asking
SQLite joins every passage to its article: 0.4 s a question at 1M passages
(docs/scaling-benchmarks.md). A filtered keyword search asked SQLite for the articles in the
range as a subquery: 15 ms a question at 200k articles, whatever the words. A published
version never changes, so its passages' and articles' dates and sections are read once, on
the first filtered search (a serving version: when it opens), into arrays (about 20 bytes a
row) and each filter is then a vectorised comparison of a few milliseconds.
"""

from __future__ import annotations

import numpy as np

from embeddings.local.docstore import DocStore


class RowFilter:
    """The same rules as ``DocStore.filter_clause``: ``since`` and ``until`` are inclusive ISO
    prefixes (an undated article passes neither), sections compare without case."""

    def __init__(self, ids: np.ndarray, published: np.ndarray, sections: np.ndarray, names: list[str]) -> None:
        order = np.argsort(ids, kind="stable")
        self._ids, self._published, self._sections = ids[order], published[order], sections[order]
        self._names = names

    @classmethod
    def passages(cls, docs: DocStore, articles: RowFilter) -> RowFilter:
        """Passage ids with their article's date and section, taken from ``articles`` (this
        version's ``RowFilter.articles``): the join reads only two indexes, where joining every
        passage to its article's row and parsing the date again took 5.9 s at 1M passages, 1.4 s
        this way (docs/scaling-benchmarks.md)."""
        rows = docs._query("SELECT c.id, d.rowid FROM chunks c JOIN documents d ON d.doc_id = c.doc_id")
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        owners = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        at = np.searchsorted(articles._ids, owners)  # every passage's article is in the same version
        return cls(ids, articles._published[at], articles._sections[at], articles._names)

    @classmethod
    def articles(cls, docs: DocStore) -> RowFilter:
        """Article rowids (the full-text index's ids) with their date and section."""
        return cls._load(docs, "SELECT rowid, published, section FROM documents")

    @classmethod
    def _load(cls, docs: DocStore, sql: str) -> RowFilter:
        rows = docs._query(sql)
        ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        published = np.fromiter((_day(r[1] or "") for r in rows), dtype=np.int64, count=len(rows))
        names, sections = np.unique(np.array([(r[2] or "").lower() for r in rows], dtype=object), return_inverse=True)
        return cls(ids, published, sections.astype(np.int32), [str(n) for n in names])

    def ids(self, since: str | None, until: str | None, section: str | None) -> np.ndarray:
        """The ids the filter admits, ascending."""
        keep = np.ones(len(self._ids), dtype=bool)
        if since:
            keep &= self._published >= _day(since)
        if until:
            scale = {4: 10_000, 7: 100}.get(len(until[:10]), 1)  # "2025", "2025-03", "2025-03-31"
            keep &= (self._published >= 0) & (self._published // scale <= _day(until) // scale)
        if section:
            wanted = section.lower()
            codes = [i for i, name in enumerate(self._names) if name == wanted]
            keep &= np.isin(self._sections, codes)
        return self._ids[keep]


def _day(iso: str) -> int:
    """An ISO date or date-time as YYYYMMDD (missing month or day as 00), or -1 when it has no
    date: integers compare as the ISO prefixes do, 20x faster than strings over 1M passages."""
    year, month, day = iso[:4], iso[5:7], iso[8:10]
    if not year.isdigit():
        return -1
    return int(year) * 10_000 + (int(month) if month.isdigit() else 0) * 100 + (int(day) if day.isdigit() else 0)
