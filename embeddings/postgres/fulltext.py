"""Full-text search: ``ts_rank`` over the candidates the keyword plan chooses, and word counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from embeddings.keyword import plan, terms
from embeddings.postgres.reader import VersionReader
from embeddings.postgres.rows import LIVE, filter_sql
from embeddings.records import NO_FILTERS, Filters

# ts_rank weights for labels {D, C, B, A}: a word in the headline (A) counts double a word in
# the body (B), as in the local backend's BM25 column weights.
RANK_WEIGHTS = "{0.1, 0.2, 0.5, 1.0}"
RANK_NORMALISATION = 1  # divide by 1 + log(document length), as BM25 discounts long documents


class FullTextSearch(VersionReader):
    """Keyword search and word counts over the ``tsv`` column and ``archive_terms``."""

    def keyword_search(
        self, text: str, k: int, filters: Filters = NO_FILTERS
    ) -> list[tuple[str, float]]:
        """``ts_rank`` over the documents of the query's words that ``keyword.plan`` chooses.

        Ranking every document that shares a word with a question costs a few microseconds a
        document, and a question's words are in most of a large archive; the plan bounds the
        candidates (docs/scaling-benchmarks.md). Below ``PRUNE_FROM`` documents every word is
        matched and ranked, as a plain OR query would."""
        words = terms(text)
        if not words or self._outside(filters):
            return []
        frequencies = dict(self._rows(
            "SELECT lexeme, coalesce(t.ndoc, 0) FROM unnest(tsvector_to_array("
            "to_tsvector('english', qabot_unaccent(%(text)s)))) AS lexeme"
            " LEFT JOIN archive_terms t USING (lexeme)",
            {"text": " ".join(words)},
        ))
        if not frequencies:
            return []
        chosen = plan(sorted(frequencies), frequencies.__getitem__, self.stats().documents)
        params: dict[str, Any] = {"match": _tsquery(chosen.match), "rank": _tsquery(chosen.rank), "k": k}
        where = LIVE + filter_sql(filters, params)
        if chosen.capped:
            # Even the rarest word is in more than keyword.CANDIDATE_POSTINGS documents: the candidates
            # are the most recently added ones with it, as on the local backend. A row_id range
            # that should hold that many of them (from the word's share of the archive) keeps
            # the scan to those rows.
            # With a filter, the range ends at the newest article it admits: rowids follow the
            # order articles arrived, so "in 2019" lies below the newest rows.
            share = max(frequencies[w] for w in chosen.match) / max(1, self.stats().documents)
            top = self._max_row_id(filters)
            if top is None:
                return []
            params["floor"], params["top"] = top - int(chosen.budget / share * 1.25), top
            # When the word is in fewer documents than the range holds, its rows are filtered by
            # row_id as they are read: a bitmap of the range (which the planner otherwise builds
            # from the primary key) cost more than the heap reads it saved, 33 ms against 24.
            rarer = max(frequencies[w] for w in chosen.match) < top - params["floor"]
            row_id = "row_id + 0" if rarer else "row_id"
            span = f" AND {row_id} BETWEEN %(floor)s AND %(top)s ORDER BY row_id DESC LIMIT {int(chosen.budget)}"
        else:
            span = ""
        # Each candidate row is read once, ranked as it is read (MATERIALIZED keeps the planner
        # from walking the table in another order to save the sort).
        rows = self._rows(
            f"WITH c AS MATERIALIZED (SELECT doc_id, ts_rank('{RANK_WEIGHTS}', tsv, %(rank)s::tsquery,"
            f" {RANK_NORMALISATION}) AS s FROM documents WHERE tsv @@ %(match)s::tsquery AND {where}{span})"
            " SELECT doc_id, s FROM c ORDER BY s DESC, doc_id LIMIT %(k)s",
            params,
        )
        return [(r[0], float(r[1])) for r in rows if r[1] > 0]

    def word_documents(self, word: str) -> int:
        """From the live archive's word counts (``archive_terms``); a word the parser splits
        ("t-mobile") counts the documents of its rarest part, at most."""
        rows = self._rows(
            "SELECT min(coalesce(t.ndoc, 0)) FROM unnest(tsvector_to_array("
            "to_tsvector('english', qabot_unaccent(%(word)s)))) AS lexeme"
            " LEFT JOIN archive_terms t USING (lexeme)",
            {"word": word},
        )
        return int(rows[0][0] or 0)

    def _max_row_id(self, filters: Filters = NO_FILTERS) -> int | None:
        """The newest document row this version can see (rows added later are not live) and
        ``filters`` admit; None when they admit none."""
        if filters:
            params: dict[str, Any] = {}
            where = LIVE + filter_sql(filters, params)
            top = self._rows(f"SELECT max(row_id) FROM documents WHERE {where}", params)[0][0]
            return None if top is None else int(top)
        if self._last_row is None:
            self._last_row = int(self._rows(f"SELECT coalesce(max(row_id), 0) FROM documents WHERE {LIVE}", {})[0][0])
        return self._last_row


def _tsquery(lexemes: Sequence[str]) -> str:
    """Lexemes (already normalised by ``to_tsvector``) as a ``tsquery`` matching any of them."""
    return " | ".join("'" + w.replace("\\", "\\\\").replace("'", "''") + "'" for w in lexemes)
