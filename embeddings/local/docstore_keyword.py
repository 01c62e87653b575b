"""Keyword (FTS5, BM25) search over articles, bounded by the keyword plan to stay fast at scale."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from embeddings.keyword import KeywordPlan, match_terms
from embeddings.local.docstore_reads import DocumentReads

FILTERED_SPAN = 4  # a filtered keyword search ranks at most this many budgets of matching articles


class KeywordSearch(DocumentReads):
    """BM25 in FTS5 over the candidates ``keyword_plan`` chooses, with date and section filters."""

    def keyword_plan(self, words: Sequence[str]) -> KeywordPlan:
        """``keyword.plan`` for ``words`` in this archive (``DocStore`` counts the words)."""
        raise NotImplementedError

    def keyword_search(
        self,
        words: Sequence[str],
        k: int,
        *,
        since: str | None = None,
        until: str | None = None,
        section: str | None = None,
        weights: tuple[float, float] = (2.0, 1.0),
        admitted: np.ndarray | None = None,
    ) -> list[tuple[str, float]]:
        """BM25 over title and text for the query's content ``words``; returns (doc_id, score)
        best first, higher is better.

        The words are chosen by ``keyword.plan`` once the archive is large. FTS5 scores only
        the words it matches, so the candidates come from an AND: the documents with one of
        the rarer words, ranked on every word ``plan`` keeps. The rarer words then count twice
        in the score; they are the ones BM25 weighs most anyway (docs/scaling-benchmarks.md).
        When even the rarest word is in more than ``keyword.CANDIDATE_POSTINGS`` documents, its newest
        documents are the candidates (FTS5 seeks by rowid, which grows with the archive).

        The top ``k`` are chosen inside FTS5 and only they are joined to ``documents``: joining
        every match first (one row read per matching document) cost 3x the ranking itself at
        20k articles.

        ``admitted``: the article rowids a date or section filter admits, ascending (a reader
        holds them in memory, ``filters.RowFilter``). The filter is then applied to the
        candidates FTS5 returns, which the plan bounds. Handing FTS5 the filter as
        ``rowid IN (SELECT ...)`` made it evaluate the MATCH once per article in the range:
        1-7 s a question at 200k articles."""
        chosen = self.keyword_plan(words)
        if not chosen.rank:
            return []
        match = match_terms(chosen.rank)
        if chosen.match != chosen.rank:
            match = f"({match_terms(chosen.match)}) AND ({match})"
        if admitted is not None:
            return self._filtered(chosen, match, weights, k, admitted)
        where, params = self.filter_clause(since, until, section)
        restrict = f"AND rowid IN (SELECT rowid FROM documents WHERE {where})" if params else ""
        if chosen.capped:
            low, _high = self._window(match_terms(chosen.match), chosen.budget, None)
            if low is not None:
                restrict += " AND rowid >= ?"
                params.append(low)
        sql = (
            "SELECT rowid, bm25(documents_fts, ?, ?) AS s FROM documents_fts "
            f"WHERE documents_fts MATCH ? {restrict} ORDER BY s LIMIT ?"
        )
        return self._doc_ids([(r[0], r[1]) for r in self._query(sql, [*weights, match, *params, k])])

    def _filtered(
        self, chosen: KeywordPlan, match: str, weights: tuple[float, float], k: int, admitted: np.ndarray
    ) -> list[tuple[str, float]]:
        """``keyword_search`` within the articles ``admitted``: every candidate in their rowid
        stretch is scored by FTS5, the filter kept here."""
        if not len(admitted):
            return []
        low, high = int(admitted[0]), int(admitted[-1])
        if chosen.capped:
            found_low, found_high = self._window(match_terms(chosen.match), chosen.budget, admitted)
            if found_high is None:
                return []  # no admitted article has the rarest word
            low = max(low, found_low if found_low is not None else low)
            high = min(high, found_high)
        every = self._query(
            "SELECT rowid, bm25(documents_fts, ?, ?) FROM documents_fts WHERE documents_fts MATCH ?"
            " AND rowid >= ? AND rowid <= ?", [*weights, match, low, high],
        )
        rowids = np.fromiter((r[0] for r in every), dtype=np.int64, count=len(every))
        scores = np.fromiter((r[1] for r in every), dtype=np.float64, count=len(every))
        kept = np.flatnonzero(_within(rowids, admitted))
        best = kept[np.argsort(scores[kept], kind="stable")[:k]]
        return self._doc_ids([(int(rowids[i]), float(scores[i])) for i in best])

    def _doc_ids(self, ranked: Sequence[tuple[int, float]]) -> list[tuple[str, float]]:
        """(rowid, bm25) best first -> (doc_id, score), higher better."""
        ids = dict(
            (r[0], r[1]) for r in self._rows_in(
                "SELECT rowid, doc_id FROM documents WHERE rowid IN ({marks})", (r[0] for r in ranked)
            )
        )
        return [(ids[r[0]], -float(r[1])) for r in ranked if r[0] in ids]

    def _window(self, match: str, budget: int, admitted: np.ndarray | None) -> tuple[int | None, int | None]:
        """The rowids (low, high) between which the newest ``budget`` articles
        matching ``match`` (and ``admitted``) lie; None for no bound.

        FTS5 ranks every matching article in the window, admitted or not. Rowids follow the
        order articles arrived, so a date range is mostly one stretch of them: the window
        starts at the newest admitted article and stops at ``FILTERED_SPAN`` budgets of
        matching articles, so a range whose articles are scattered ranks fewer than the budget
        rather than cost many times more."""
        newest = "SELECT rowid FROM documents_fts WHERE documents_fts MATCH ?"
        if admitted is None:
            row = self._query(f"{newest} ORDER BY rowid DESC LIMIT 1 OFFSET ?", [match, budget - 1])
            return (row[0][0] if row else None), None
        wanted, span = budget, budget * FILTERED_SPAN
        high: int | None = None
        scanned = 0
        with self._reading() as db:
            cursor = db.execute(
                f"{newest} AND rowid >= ? AND rowid <= ? ORDER BY rowid DESC",
                [match, int(admitted[0]), int(admitted[-1])],
            )
            while batch := cursor.fetchmany(4096):
                rowids = np.fromiter((r[0] for r in batch), dtype=np.int64, count=len(batch))
                inside = _within(rowids, admitted)
                if high is None:
                    first = np.flatnonzero(inside)
                    if not len(first):
                        continue
                    high = int(rowids[first[0]])
                    rowids, inside = rowids[first[0]:], inside[first[0]:]
                rowids, inside = rowids[: span - scanned], inside[: span - scanned]
                kept = rowids[inside]
                if len(kept) >= wanted:
                    return int(kept[wanted - 1]), high
                wanted -= len(kept)
                scanned += len(rowids)
                if scanned >= span:
                    return int(rowids[-1]), high
        return None, high


def _within(ids: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """Which of ``ids`` are in ``sorted_ids`` (ascending), as a boolean mask."""
    if not len(sorted_ids):
        return np.zeros(len(ids), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_ids, ids), len(sorted_ids) - 1)
    return sorted_ids[at] == ids
