"""The narrow interfaces the store is built on: the encoder, and the storage seam.

Every storage backend (``embeddings/local``: FAISS + SQLite in a versioned folder;
``embeddings/postgres``: pgvector + full-text search) implements ``Store`` for reading and
``StoreWriter`` for publishing a new version, and passes ``tests/contract``. The application
only ever talks to these two protocols; ``embeddings.factory`` picks the backend.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import numpy as np

from embeddings.records import NO_FILTERS, Document, Filters, Passage, Stats


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors; everything else builds on ``embed``.

    ``kind`` says what a text is: "query" for a question or a topic, "passage" for what is
    stored. Models trained with prefixes (e5: "query: ", "passage: ") need to know; others
    ignore it."""

    model_id: str

    @property
    def dim(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def embed(self, texts: Sequence[str], *, progress: bool = False, kind: str = "passage") -> np.ndarray: ...


class Store(Protocol):
    """One published version of an archive, opened for reading. Safe to share between threads.

    A reader keeps answering from the version it opened while a writer publishes the next;
    ``live_version`` tells it (cheaply) that it should reopen.
    """

    backend: str

    @property
    def version(self) -> str:
        """The version this store serves."""
        ...

    @property
    def manifest(self) -> dict[str, Any]:
        """Model id, dimension, chunking settings, counts: what the archive was built with."""
        ...

    def live_version(self) -> str:
        """The version published now (differs from ``version`` after a refresh elsewhere)."""
        ...

    def dense_search(
        self, query: np.ndarray, k: int, filters: Filters = NO_FILTERS
    ) -> list[tuple[int, float]]:
        """Up to ``k`` (passage id, cosine similarity) best first, among passages whose
        document passes ``filters``."""
        ...

    def keyword_search(
        self, text: str, k: int, filters: Filters = NO_FILTERS
    ) -> list[tuple[str, float]]:
        """Up to ``k`` (doc id, score) best first for any of the content words of ``text``
        (title weighs more than body; diacritics and case do not matter). Scores are positive,
        higher is better, and only comparable within one result list."""
        ...

    def word_documents(self, word: str) -> int:
        """How many articles contain ``word`` as keyword search reads it (stemmed; diacritics
        and case do not matter). Cheap at any archive size: asking whether a name is rare
        must not rank every article that has it."""
        ...

    def passage_vectors(self, ids: Sequence[int]) -> np.ndarray:
        """The stored vectors of ``ids`` in that order."""
        ...

    def passage_similarities(self, ids: Sequence[int], query: np.ndarray) -> np.ndarray:
        """The inner product of ``query`` with the stored vector of each of ``ids``, in that
        order (exact rescoring). A server computes it where the vectors are: shipping ~700
        vectors to score them cost 10x computing them in PostgreSQL."""
        ...

    def article_similarities(self, doc_ids: Iterable[str], query: np.ndarray) -> dict[str, dict[int, float]]:
        """For each stored article among ``doc_ids``, the inner product of ``query`` with each
        of its passages' vectors, by passage id in reading order: ``passage_ids`` and
        ``passage_similarities`` in one read. Retrieval rescores every passage of the ~100
        articles the keyword search finds; a server then reads each passage row once, not
        twice (docs/scaling-benchmarks.md)."""
        ...

    def documents(self, doc_ids: Iterable[str]) -> dict[str, Document]:
        """The stored documents among ``doc_ids``, by id (unknown ids are absent)."""
        ...

    def passages(self, ids: Iterable[int]) -> dict[int, Passage]:
        """The stored passages among ``ids``, by id."""
        ...

    def passage_ids(self, doc_ids: Iterable[str]) -> dict[str, list[int]]:
        """doc id -> its passage ids in reading order."""
        ...

    def first_passage_ids(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """doc id -> id of its opening passage (the lead of a news story)."""
        ...

    def sections(self) -> list[str]:
        """The distinct non-empty sections of the archive."""
        ...

    def latest(self, k: int, section: str | None = None) -> list[Document]:
        """The ``k`` most recently published documents (optionally of one section)."""
        ...

    def content_hashes(self) -> dict[str, tuple[str, str]]:
        """doc id -> (content hash, source), so ingestion embeds only what changed."""
        ...

    def body_hashes(self) -> dict[str, str]:
        """body hash -> doc id, to spot the same body arriving under another id."""
        ...

    def stats(self) -> Stats: ...

    def close(self) -> None: ...


class StoreWriter(Protocol):
    """Builds the next version. Used as a context manager: ``commit`` publishes everything
    written in one atomic step; leaving the block without it discards the work. Only one writer
    runs at a time per archive: a second one raises ``StoreLocked``. A writer starts from the
    live version (or from nothing when opened with ``rebuild``)."""

    def __enter__(self) -> StoreWriter: ...

    def __exit__(self, *exc: object) -> None: ...

    def put(
        self, doc: Document, passages: Sequence[str], vectors: np.ndarray,
        ids: Sequence[int] | None = None,
    ) -> list[int]:
        """Adds a document that is not stored, with its passages in reading order and one vector
        per passage; returns the new passage ids. ``ids`` keeps given passage ids (when copying
        an archive from another backend); otherwise the store numbers them."""
        ...

    def delete(self, doc_id: str) -> None:
        """Removes a document, its passages and their vectors (nothing if it is absent)."""
        ...

    def commit(self) -> str:
        """Publishes the new version atomically and returns its name."""
        ...
