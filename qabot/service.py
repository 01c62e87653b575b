"""The question-answering service: one object the CLI and the bot both drive.

Synchronous and thread-safe; the bot calls it from worker threads.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embeddings.base import Store
from embeddings.errors import StoreError
from qabot.answer import Extractor, assemble
from qabot.errors import ConfigError, QabotError
from qabot.followup import History, Turn, resolve
from qabot.models import Answer, Hit
from qabot.pipeline import IngestReport, ingest
from qabot.retrieve import Candidate, Filters, Retriever, section_in
from qabot.settings import Settings
from qabot.wiring import build_encoder, open_store, rebuild_hint

if TYPE_CHECKING:
    from embeddings.encoder import SentenceEncoder

log = logging.getLogger(__name__)

# Old names, kept for callers that still import them from here.
make_encoder = build_encoder
__all__ = ["QAService", "make_encoder", "rebuild_hint", "section_in"]


class _LockedEncoder:
    """Serialises model calls: torch already uses every core for one batch."""

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.inner = encoder
        self.model_id = encoder.model_id
        self._lock = threading.Lock()

    def embed(self, texts, progress: bool = False):
        with self._lock:
            return self.inner.embed(texts, progress=progress)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


class QAService:
    def __init__(self, settings: Settings, encoder: SentenceEncoder | None = None) -> None:
        self.settings = settings
        self.encoder = _LockedEncoder(encoder or build_encoder(settings))
        self.history = History(settings.history_turns, settings.history_ttl)
        self.extractor = Extractor(settings.answer_chars)
        self._store: Store | None = None
        self._reload_lock = threading.Lock()
        self._refresh_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, encoder: SentenceEncoder | None = None) -> QAService:
        from qabot.wiring import build_service

        return build_service(settings, encoder)

    # --- the index ---
    @property
    def store(self) -> Store:
        if self._store is None:
            with self._reload_lock:
                if self._store is None:
                    self._store = self._open_store()
        return self._store

    def _open_store(self) -> Store:
        return open_store(self.settings, self.encoder.model_id)

    def reload_if_changed(self) -> bool:
        """Picks up a version published by another process (a refresh); one cheap check."""
        store = self._store
        if store is not None and store.live_version() == store.version:
            return False
        with self._reload_lock:
            if self._store is not None and self._store.live_version() == self._store.version:
                return False
            self._store = self._open_store()
            log.info("serving index version %s", self._store.version)
            return True

    @property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.encoder)

    # --- writing ---
    def ingest(
        self, sources: list[str], *, prune: bool = False, rebuild: bool = False, progress: bool = False
    ) -> IngestReport:
        with self._refresh_lock:
            try:
                report = ingest(
                    sources, self.settings, self.encoder, prune=prune, rebuild=rebuild, progress=progress
                )
            except StoreError as e:  # another writer, an unreachable database: one line at the edge
                raise QabotError(str(e)) from e
            finally:
                self.encoder.release_bulk_runtime()
        self.reload_if_changed()
        return report

    def refresh(self, prune: bool = False, progress: bool = False) -> IngestReport:
        if not self.settings.sources:
            raise ConfigError("no sources configured: set QABOT_SOURCES (comma-separated folders, files, feeds or URLs)")
        return self.ingest(list(self.settings.sources), prune=prune, progress=progress)

    # --- reading ---
    def search(self, query: str, k: int = 10, **filters: str | None) -> list[Hit]:
        return self._retrieve(query, Filters(**filters), question_dates=True)[1][:k]

    def _retrieve(
        self, query: str, filters: Filters, *, question_dates: bool, keyword_query: str | None = None,
        boost: list[str] | None = None,
    ) -> tuple[list[Candidate], list[Hit], np.ndarray]:
        return self.retriever.retrieve(
            query, filters, question_dates=question_dates, keyword_query=keyword_query, boost=boost
        )

    def ask(
        self, question: str, conversation: str | None = None, *,
        since: str | None = None, until: str | None = None, section: str | None = None,
    ) -> Answer:
        started = time.perf_counter()
        question = " ".join(question.split())
        turns = self.history.get(conversation)
        query, focus, cited_before = resolve(question, turns)
        candidates, hits, qvec = self._retrieve(
            query, Filters(since, until, section), question_dates=True, boost=cited_before
        )
        best = candidates[0].dense if candidates else 0.0
        if not hits or best < self.settings.min_relevance:
            answer = Answer(
                question=question,
                answer="I could not find anything about that in the archive.",
                found=False,
                closest=tuple(hits[:3]),
                resolved_question=query,
            )
        else:
            focus_vector = qvec if focus == query else self.encoder.embed([focus])[0]
            answer = assemble(
                question, focus, focus_vector, hits, turns,
                store=self.store, extractor=self.extractor, settings=self.settings,
            )
        answer = _with_latency(answer, started)
        answer.extra["ranking"] = hits[:10]
        self.history.add(conversation, Turn(question, query, answer))
        return answer

    def latest(self, topic: str = "", k: int = 5) -> list[Hit]:
        if topic.strip():
            hits = self._retrieve(topic, Filters(), question_dates=False)[1]
            relevant = [h for h in hits if h.score >= hits[0].score * 0.7] if hits else []
            return sorted(relevant, key=lambda h: h.published, reverse=True)[:k]
        return [_doc_hit(d) for d in self.store.latest(k)]

    def show(self, article_id: str) -> dict | None:
        store = self.store
        doc = store.documents([article_id]).get(article_id)
        if doc is None:
            return None
        ids = store.passage_ids([article_id]).get(article_id, [])
        passages = store.passages(ids)
        return {
            "article_id": doc.doc_id, "title": doc.title, "url": doc.meta.get("url", ""),
            "published": doc.published, "author": doc.meta.get("author", ""),
            "section": doc.section, "text": doc.text,
            "chunks": [passages[i].text for i in ids if i in passages],
        }

    def stats(self) -> dict:
        stats = self.store.stats()
        return {
            "articles": stats.documents, "chunks": stats.passages,
            "model": stats.model, "dim": stats.dim, "index": stats.index,
            "backend": stats.backend, "location": stats.location, "version": stats.version,
            "data_dir": str(Path(self.settings.data_dir).resolve()),
            "updated_at": stats.updated_at,
        }

    def reset(self, conversation: str) -> None:
        self.history.reset(conversation)

    def last_answer(self, conversation: str) -> Answer | None:
        turns = self.history.get(conversation)
        return turns[-1].answer if turns else None


def _doc_hit(doc) -> Hit:
    return Hit(doc.doc_id, doc.title, doc.meta.get("url", ""), doc.published, doc.section,
               doc.meta.get("author", ""), 0.0, (doc.text[:300],))


def _with_latency(answer: Answer, started: float) -> Answer:
    from dataclasses import replace

    return replace(answer, latency_ms=round((time.perf_counter() - started) * 1000, 1))
