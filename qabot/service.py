"""The question-answering service: one object the CLI and the bot both drive.

Synchronous and thread-safe; the bot calls it from worker threads.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import numpy as np

from embeddings.encoder import SentenceEncoder
from embeddings.errors import ModelMismatch, NoIndex
from embeddings.store import IndexFolder, Store
from qabot.answer import Extractor, Source
from qabot.errors import ConfigError, IndexMissing
from qabot.followup import History, Turn, resolve
from qabot.intent import ENTITY, PERIOD, PLAIN, TIMELINE, Intent, read_intent
from qabot.models import Answer, Citation, Hit
from qabot.news import Composed, NewsAnswers
from qabot.pipeline import IngestReport, index_dir, ingest
from qabot.retrieve import Candidate, Filters, Retriever
from qabot.settings import Settings
from qabot.when import parse_dates

log = logging.getLogger(__name__)

ANSWER_ARTICLES = 3
NAME_ARTICLES = 6  # articles naming the person asked about, read for their introduction and quotes
FOLLOW_UP_BOOST = 0.05  # articles cited in the previous turn, for follow-ups
SOFT_FILTER_KEEP = 0.9  # a filter said in the question stays if its best hit is this close


def rebuild_hint(settings: Settings) -> str:
    return "rebuild it with: qabot ingest --rebuild SOURCE... (or qabot refresh --rebuild)"


def make_encoder(settings: Settings) -> SentenceEncoder:
    return SentenceEncoder(
        settings.model,
        precision=settings.precision,
        batch_size=settings.batch_size,
        threads=settings.torch_threads,
        backend=settings.backend,
        cache_dir=settings.encoder_cache_dir,
    )


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
        self.encoder = _LockedEncoder(encoder or make_encoder(settings))
        self.history = History(settings.history_turns, settings.history_ttl)
        self.extractor = Extractor(settings.answer_chars)
        self._store: Store | None = None
        self._section_cache: tuple[str, list[str]] | None = None
        self._archive_cache: tuple[str, bool, int] | None = None
        self._reload_lock = threading.Lock()
        self._refresh_lock = threading.Lock()

    @classmethod
    def open(cls, settings: Settings, encoder: SentenceEncoder | None = None) -> QAService:
        service = cls(settings, encoder)
        service.store  # noqa: B018 - fail now, with a clear message, if there is no index
        from qabot.dates import warm

        warm()  # dateparser's language data, before the first question rather than during it
        return service

    # --- the index ---
    @property
    def store(self) -> Store:
        if self._store is None:
            with self._reload_lock:
                if self._store is None:
                    self._store = self._open_store()
        return self._store

    def _open_store(self) -> Store:
        root = index_dir(self.settings)
        try:
            return Store.open(root, model_id=self.encoder.model_id)
        except NoIndex as e:
            raise IndexMissing(
                f"no index in {self.settings.data_dir}; build one with: qabot ingest SOURCE..."
            ) from e
        except ModelMismatch as e:
            raise ConfigError(f"{e}; {rebuild_hint(self.settings)}") from e

    def reload_if_changed(self) -> bool:
        """Picks up a version published by another process (a refresh); one small file read."""
        token = IndexFolder(index_dir(self.settings)).token()
        if self._store is not None and token == self._store.version:
            return False
        with self._reload_lock:
            if self._store is not None and token == self._store.version:
                return False
            self._store = self._open_store()
            log.info("serving index version %s", self._store.version)
            return True

    def _sections(self) -> list[str]:
        """The archive's section names, read once per index version (a full scan otherwise)."""
        store = self.store
        cached = self._section_cache
        if cached is None or cached[0] != store.version:
            cached = self._section_cache = (store.version, store.docs.sections())
        return cached[1]

    def _archive(self) -> tuple[bool, int]:
        """Whether the archive has dated articles, and how many articles; once per version."""
        store = self.store
        cached = self._archive_cache
        if cached is None or cached[0] != store.version:
            newest = store.docs.latest(1)
            cached = self._archive_cache = (
                store.version, bool(newest and newest[0].published), store.docs.counts()["documents"]
            )
        return cached[1], cached[2]

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
        boost: list[str] | None = None, force_dates: bool = False,
    ) -> tuple[list[Candidate], list[Hit], np.ndarray]:
        """Hybrid retrieval. Flags filter strictly; a date or section said in the question filters
        softly: kept only while the best filtered article is about as close as the best overall."""
        retriever = self.retriever
        qvec = retriever.embed_query(query)

        def run(attempt: Filters) -> list[Candidate]:
            found = retriever.candidates(query, attempt, query_vector=qvec, keyword_query=keyword_query)
            for c in found:
                if boost and c.doc_id in boost:
                    c.score += FOLLOW_UP_BOOST
            return sorted(found, key=lambda c: c.score, reverse=True)

        candidates = run(filters)
        if question_dates and not filters:
            dates, _rest = parse_dates(query)
            said = Filters(dates.since, dates.until, section_in(query, self._sections()))
            if said:
                narrowed = run(said)
                best = max((c.dense for c in candidates), default=0.0)
                if narrowed and (force_dates or max(c.dense for c in narrowed) >= SOFT_FILTER_KEEP * best):
                    candidates = narrowed
        return candidates, retriever.to_hits(candidates[:40], 20), qvec

    def ask(
        self, question: str, conversation: str | None = None, *,
        since: str | None = None, until: str | None = None, section: str | None = None,
    ) -> Answer:
        started = time.perf_counter()
        question = " ".join(question.split())
        turns = self.history.get(conversation)
        query, focus, cited_before = resolve(question, turns)
        intent = read_intent(query)
        candidates, hits, qvec = self._retrieve(
            query, Filters(since, until, section), boost=cited_before, force_dates=intent.kind == PERIOD,
            # a timeline spans its story, and "the first forecast for 2026" came out before 2026
            question_dates=intent.kind != TIMELINE and not intent.earliest,
        )
        best = candidates[0].dense if candidates else 0.0
        relevant = bool(hits) and best >= self.settings.min_relevance and not self._elsewhere(query, hits, best)
        name_hits = self._name_hits(intent, query, hits) if intent.kind == ENTITY or not relevant else []
        if intent.kind == PERIOD and hits and intent.dates:
            relevant = True  # the archive has articles from the period asked about
        if not relevant and not name_hits:
            answer = Answer(
                question=question,
                answer="I could not find anything about that in the archive.",
                found=False,
                closest=tuple(hits[:3]),
                resolved_question=query,
            )
        else:
            focus_vector = qvec if focus == query else self.encoder.embed([focus])[0]
            answer = self._answer(question, focus, focus_vector, hits, turns, intent, name_hits)
        answer = _with_latency(answer, started)
        leading = answer.extra.pop("leading", [])
        lead_hits = [h for h in (*name_hits, *hits) if h.article_id in leading]
        lead_hits = sorted({h.article_id: h for h in lead_hits}.values(), key=lambda h: leading.index(h.article_id))
        answer.extra["ranking"] = (lead_hits + [h for h in hits if h.article_id not in leading])[:10]
        self.history.add(conversation, Turn(question, query, answer))
        return answer

    def _elsewhere(self, query: str, hits: list[Hit], best: float) -> bool:
        """The question is about a name the best articles never mention, or uses a word the
        archive never does while only just relevant (qabot.evidence)."""
        from qabot.evidence import UNSURE_MARGIN, elsewhere, unknown_word

        docs = self.store.docs
        top = docs.get_many(h.article_id for h in hits[:ANSWER_ARTICLES])
        if elsewhere(query, [f"{d.title}\n{d.text}" for d in top.values()]):
            return True
        return best < self.settings.min_relevance + UNSURE_MARGIN and unknown_word(query, docs)

    def _name_hits(self, intent: Intent, query: str, hits: list[Hit]) -> list[Hit]:
        """Articles naming the person or organisation asked about, when the name is rare enough
        to be evidence (qabot.entities); for other questions also most of their other words."""
        from qabot.entities import Name, capitalised_names, known
        from qabot.fold import fold, folded_terms

        _dated, total = self._archive()
        names = [intent.name] if intent.kind == ENTITY else capitalised_names(query)
        docs = self.store.docs
        for text in names:
            name = Name.of(text)
            ids = known(docs, name, total)
            if not ids:
                continue
            found = docs.get_many(ids[:NAME_ARTICLES])
            out = [_doc_hit(found[i], full=True) for i in ids[:NAME_ARTICLES] if i in found]
            if intent.kind != ENTITY:
                others = [t for t in folded_terms(query) if t not in name.words]
                body = fold(out[0].passages[0]) if out else ""
                if others and sum(1 for t in others if t in body) < len(others) / 2:
                    continue
            return out
        return []

    def _answer(
        self, question: str, focus: str, qvec: np.ndarray, hits: list[Hit], history: list[Turn],
        intent: Intent, name_hits: list[Hit],
    ) -> Answer:
        dated, _total = self._archive()
        news = NewsAnswers(self.extractor, self._sources, self._lead_vectors, dated=dated,
                           as_of_days=self.settings.as_of_days)
        composed: Composed = news.compose(intent, focus, qvec, hits or name_hits, name_hits)
        text, citations = composed.text, composed.citations
        passages = tuple(
            {"n": i + 1, "article_id": h.article_id, "title": h.title, "url": h.url,
             "published": h.published, "score": h.score, "text": h.passages[0] if h.passages else ""}
            for i, h in enumerate(hits[:5])
        )
        if self.settings.llm_url and intent.kind == PLAIN:
            top = [h for h in hits[:ANSWER_ARTICLES] if h.score >= hits[0].score * 0.8]
            llm_text = self._generate(question, self._sources(top, qvec), history)
            if llm_text is not None:
                text, citations = llm_text
        return Answer(
            question=question, answer=text, citations=tuple(citations), passages=passages,
            found=True, closest=tuple(hits[:3]), resolved_question=focus,
            extra={"leading": composed.leading}, kind=intent.kind, timeline=composed.timeline,
        )

    def _lead_vectors(self, doc_ids: list[str]) -> np.ndarray:
        """Vectors of the articles' opening passages (headline and lead), in ``doc_ids`` order."""
        first = self.store.docs.first_chunk_ids(doc_ids)
        return self.store.vectors.vectors(np.asarray([first[d] for d in doc_ids], dtype=np.int64))

    def _sources(self, hits: list[Hit], qvec: np.ndarray) -> list[Source]:
        """Every passage of the answering articles, in order, with its exact similarity."""
        store = self.store
        by_doc = store.docs.chunk_ids_of(h.article_id for h in hits)
        ids = [i for h in hits for i in by_doc.get(h.article_id, [])]
        if not ids:
            return []
        sims = store.vectors.vectors(np.asarray(ids, dtype=np.int64)) @ qvec
        sim_of = dict(zip(ids, (float(s) for s in sims), strict=True))
        chunks = store.docs.chunks(ids)
        return [
            Source(h, [(chunks[i].text, sim_of[i]) for i in by_doc.get(h.article_id, []) if i in chunks])
            for h in hits
        ]

    def _generate(
        self, question: str, sources: list[Source], history: list[Turn]
    ) -> tuple[str, list[Citation]] | None:
        """The LLM's answer from each article's three closest passages, or None to fall back."""
        from qabot.llm import LLMAnswerer, Passage

        hits = [s.hit for s in sources]
        passages = []
        for i, source in enumerate(sources):
            closest = sorted(range(len(source.passages)), key=lambda k: -source.passages[k][1])[:3]
            text = " ".join(source.passages[k][0] for k in sorted(closest))
            passages.append(Passage(i + 1, source.hit.title, source.hit.published, source.hit.url, text))
        past = [(t.question, t.answer.answer) for t in history]
        text = LLMAnswerer(self.settings).answer(question, passages, past)
        if text is None:
            return None
        used = sorted({int(n) for n in _markers(text)})
        citations = [
            Citation(n, hits[n - 1].article_id, hits[n - 1].title, hits[n - 1].url,
                     hits[n - 1].published, passages[n - 1].text[:300])
            for n in used
        ]
        return text, citations

    def latest(self, topic: str = "", k: int = 5) -> list[Hit]:
        if topic.strip():
            hits = self._retrieve(topic, Filters(), question_dates=False)[1]
            relevant = [h for h in hits if h.score >= hits[0].score * 0.7] if hits else []
            return sorted(relevant, key=lambda h: h.published, reverse=True)[:k]
        return [_doc_hit(d) for d in self.store.docs.latest(k)]

    def show(self, article_id: str) -> dict | None:
        doc = self.store.docs.get(article_id)
        if doc is None:
            return None
        return {
            "article_id": doc.doc_id, "title": doc.title, "url": doc.meta.get("url", ""),
            "published": doc.published, "author": doc.meta.get("author", ""),
            "section": doc.section, "text": doc.text,
            "chunks": [c.text for c in self.store.docs.chunks_of(article_id)],
        }

    def stats(self) -> dict:
        store = self.store
        counts = store.docs.counts()
        return {
            "articles": counts["documents"], "chunks": counts["chunks"],
            "model": store.manifest.get("model"), "dim": store.manifest.get("dim"),
            "index": store.manifest.get("index"), "data_dir": str(Path(self.settings.data_dir).resolve()),
            "updated_at": store.manifest.get("updated_at"),
        }

    def reset(self, conversation: str) -> None:
        self.history.reset(conversation)

    def last_answer(self, conversation: str) -> Answer | None:
        turns = self.history.get(conversation)
        return turns[-1].answer if turns else None


def section_in(question: str, sections: list[str]) -> str | None:
    """A section the question names: "in the sport section", "politics news", "in Business"."""
    import re

    for section in sorted(sections, key=len, reverse=True):
        name = re.escape(section)
        if re.search(rf"\b(?:in|from) (?:the )?{name}(?: section| pages)?\b|\b{name} (?:section|news|stories)\b",
                     question, re.I):
            return section
    return None


def _markers(text: str) -> list[str]:
    import re

    return [n for group in re.findall(r"\[(\d+(?:\s*,\s*\d+)*)\]", text) for n in re.split(r"\s*,\s*", group)]


def _doc_hit(doc, full: bool = False) -> Hit:
    return Hit(doc.doc_id, doc.title, doc.meta.get("url", ""), doc.published, doc.section,
               doc.meta.get("author", ""), 0.0, (doc.text if full else doc.text[:300],))


def _with_latency(answer: Answer, started: float) -> Answer:
    from dataclasses import replace

    return replace(answer, latency_ms=round((time.perf_counter() - started) * 1000, 1))
