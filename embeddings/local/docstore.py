"""SQLite document store: documents, their chunks, and an FTS5 keyword index over documents.

Chunk row ids are the FAISS ids. Schema changes are numbered migrations (``docstore_schema``).
``DocStore`` joins the store's jobs: connections (``docstore_connections``), reads
(``docstore_reads``), keyword search (``docstore_keyword``) and writes (``docstore_writes``);
it keeps the word counts that plan keyword searches, whose limits are read from this module.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from embeddings.keyword import KeywordPlan, plan
from embeddings.local.docstore_keyword import KeywordSearch
from embeddings.local.docstore_writes import DocumentWrites
from embeddings.local.fts_tokens import TOKENIZE, Tokens

FREQUENCY_CACHE = 100_000  # words whose document frequency a reader remembers
PHRASE_COUNT_POSTINGS = 100_000  # a split word is counted exactly while its parts' postings are fewer


class DocStore(KeywordSearch, DocumentWrites):
    """One SQLite file. Readers open it read-only; one writer works on a private copy."""

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        super().__init__(path, readonly=readonly)
        self._documents: int | None = None
        self._frequencies: dict[str, tuple[int, int]] = {}
        self._tokens: Tokens | None = None
        # a writer's counts are those of the version it copied until it commits
        self._counted = readonly and bool(self._query(
            "SELECT 1 FROM sqlite_master WHERE name = 'term_documents'"
        )) and bool(self._query("SELECT 1 FROM term_documents LIMIT 1"))

    def document_count(self) -> int:
        if self._documents is None or not self.readonly:
            self._documents = self._query("SELECT count(*) FROM documents")[0][0]
        return self._documents

    def keyword_plan(self, words: Sequence[str]) -> KeywordPlan:
        """``keyword.plan`` for ``words`` in this archive: their counts and what matching each walks."""
        counted = self.word_counts(words)
        return plan(words, lambda w: counted[w][0], self.document_count(), lambda w: counted[w][1])

    def document_frequency(self, word: str) -> int:
        """How many documents contain ``word`` (as FTS5 tokenizes and stems it), or, for a word
        FTS5 splits whose parts are common, its rarest part's count (``word_counts``)."""
        return self.word_counts([word])[word][0]

    def word_counts(self, words: Sequence[str]) -> dict[str, tuple[int, int]]:
        """Each word's (documents, postings a search walks to match it), remembered for a
        read-only (published, never changing) version.

        A reader tokenizes the words it has not seen in one pass and looks them up in one query:
        one by one, a question's new words cost a millisecond or more before its search could
        start. A word FTS5 splits ("pre-tax") is matched as a phrase, over its parts' postings;
        when they add up to more than ``PHRASE_COUNT_POSTINGS`` its documents are not counted
        (10-12 ms for "three-year" or "first-time" at 200k articles) but bounded by its rarest
        part, as PostgreSQL's word counts do."""
        known = {w: c for w in dict.fromkeys(words) if (c := self._frequencies.get(w)) is not None}
        unseen = [w for w in dict.fromkeys(words) if w not in known]
        if unseen:
            known.update(self._count(unseen))
        return {w: known[w] for w in words}

    def _count(self, words: list[str]) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        if not self._counted:  # a writer, or a version written before the counts were kept
            for word in words:
                count = self._phrase_count(word)
                out[word] = (count, count)
        else:
            tokens = self._tokenizer().many(words)
            counts = {r[0]: r[1] for r in self._rows_in(
                "SELECT term, documents FROM term_documents WHERE term IN ({marks})", (t for ts in tokens for t in ts)
            )}
            for word, parts in zip(words, tokens, strict=True):
                postings = [counts.get(t, 0) for t in parts] or [0]
                walk = sum(postings)
                if len(postings) > 1 and min(postings) and walk <= PHRASE_COUNT_POSTINGS:
                    out[word] = (self._phrase_count(word), walk)
                else:  # one token; a part no article has; or parts too common to count the phrase
                    out[word] = (min(postings), walk)
        if self.readonly:
            for word, counted in out.items():
                self._remember(word, counted)
        return out

    def _phrase_count(self, word: str) -> int:
        quoted = '"' + word.replace('"', '""') + '"'
        return self._query("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH ?", [quoted])[0][0]

    def _remember(self, word: str, counted: tuple[int, int]) -> None:
        if len(self._frequencies) >= FREQUENCY_CACHE:
            self._frequencies.clear()
        self._frequencies[word] = counted

    def count_terms(self) -> None:
        """Refills ``term_documents`` from the full-text index (one pass over it: 3.4 s at 200k
        articles, milliseconds for a newsroom's daily refresh of a small archive)."""
        with self.lock:
            self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fts_terms USING fts5vocab(main, documents_fts, 'row')")
            self.db.execute("DELETE FROM term_documents")
            self.db.execute("INSERT INTO term_documents SELECT term, doc FROM temp.fts_terms")
        self._frequencies.clear()

    def _tokenizer(self) -> Tokens:
        if self._tokens is None:
            self._tokens = Tokens(TOKENIZE)
        return self._tokens
