"""The question-answering service: one object the CLI and the bot both drive.

Synchronous and thread-safe; the bot calls it from worker threads.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embeddings.base import Store
from qabot.answers.asof import NEAR
from qabot.answers.compose import assemble
from qabot.answers.extract import Extractor
from qabot.answers.intent import ASOF, ENTITY, LATEST, PERIOD, TIMELINE, Intent, read_intent
from qabot.answers.retrieve import Candidate, Filters, Retriever, in_background
from qabot.errors import ConfigError, IndexDamaged, IndexMissing
from qabot.ingest.pipeline import IngestReport, ingest
from qabot.models import Answer, Hit
from qabot.service.coverage import Coverage
from qabot.service.encoder import LockedEncoder
from qabot.service.shapes import SHAPES, shaped_answer
from qabot.service.suggestions import Suggester
from qabot.settings import Settings
from qabot.state import StateStore, open_state
from qabot.state.followup import History, Turn, resolve
from qabot.state.questions import LoggedQuestion, LoggedSource, QuestionLog, channel_of
from qabot.store import open_store, writer_errors

if TYPE_CHECKING:
    from concurrent.futures import Future

    from embeddings.encoders.e5 import E5Encoder
    from embeddings.encoders.sentence import SentenceEncoder
    from qabot.answers.entities import Name

log = logging.getLogger(__name__)

ARCHIVE_SAMPLE = 20  # newest articles whose openings tell the archive's language
PIN_BOOST = 1.0  # the article a deep link opened goes first whenever it is relevant at all
NAME_ARTICLES = 6  # articles naming the person asked about, read for their introduction and quotes



def question_threads(settings: Settings, articles: int) -> int:
    """Threads that embed a question: as set, else (0) every core for a small archive and every
    core but one for a large one. A question's keyword search runs while it is embedded; from
    ``keyword.PRUNE_FROM`` articles it costs about as much as the embedding, and sharing every
    core with it made both slower (docs/scaling-benchmarks.md)."""
    from embeddings.keyword import PRUNE_FROM

    if settings.question_threads:
        return settings.question_threads
    if articles < PRUNE_FROM:
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores - 1)


class QAService:
    def __init__(self, settings: Settings, encoder: SentenceEncoder | E5Encoder) -> None:
        self.settings = settings
        self.encoder = LockedEncoder(encoder)
        self._state: StateStore | None = None
        self.history = History(settings.history_turns, settings.history_ttl, lambda: self.state)
        self.extractor = Extractor(settings.answer_chars)
        self._store: Store | None = None
        self._archive_cache: tuple[str, bool, int, str] | None = None
        self._reload_lock = threading.Lock()
        self._refresh_lock = threading.Lock()
        self._bad_version = ""  # a published version that failed to open (logged once)
        self._suggester: Suggester | None = None
        self._questions: QuestionLog | None = None

    @property
    def state(self) -> StateStore:
        """The shared state (follow-up context, subscriptions, sync state), opened on first use."""
        if self._state is None:
            with self._reload_lock:  # two first questions at once must not both create it
                if self._state is None:
                    self._state = open_state(self.settings)
        return self._state

    @property
    def questions(self) -> QuestionLog:
        """The question log the editors' insights read (``qabot.state.questions``)."""
        if self._questions is None:
            self._questions = QuestionLog(self.state, self.settings.question_log_days, self.settings.question_log)
        return self._questions

    @property
    def min_relevance(self) -> float:
        """The best passage similarity below which the archive has nothing on a question:
        QABOT_MIN_RELEVANCE when set, else the floor measured for the encoder's model (its
        ``min_relevance``), else the default, which was measured on all-MiniLM-L6-v2."""
        if "min_relevance" in self.settings.model_fields_set:
            return self.settings.min_relevance
        floor = getattr(self.encoder.inner, "min_relevance", None)
        return float(floor) if floor is not None else self.settings.min_relevance

    @property
    def coverage(self) -> Coverage:
        """Whether the archive covers a question (``qabot.service.coverage``), for the version
        open now. The model's lower floors (a question all in the best headline; across languages,
        a word of it in the best article) do not apply when QABOT_MIN_RELEVANCE is set: the
        newsroom's floor is then the only one."""
        own = "min_relevance" in self.settings.model_fields_set
        headline = None if own else getattr(self.encoder.inner, "headline_relevance", None)
        across = None if own else getattr(self.encoder.inner, "across_relevance", None)
        return Coverage(self.store, lambda text: self.encoder.embed([text], kind="query")[0], self.min_relevance,
                        headline, across, self._archive()[1])

    def _about(self, topic: str, sentences: list[str]) -> np.ndarray:
        """The model's similarity of ``topic`` (read as a question) to each of ``sentences``:
        for picking the quote about a topic across languages, where no word is shared."""
        asked = self.encoder.embed([topic], kind="query")[0]
        return self.encoder.embed(sentences, kind="passage") @ asked

    # --- the index ---
    @property
    def store(self) -> Store:
        if self._store is None:
            with self._reload_lock:
                if self._store is None:
                    self._store = self._open_store()
        return self._store

    def _open_store(self) -> Store:
        store = open_store(self.settings, self.encoder.model_id, serving=True)
        self.encoder.set_question_threads(question_threads(self.settings, store.stats().documents))
        return store

    def reload_if_changed(self) -> bool:
        """Picks up a version published by another process (a refresh); one cheap check."""
        store = self._store
        if store is None:  # nothing open yet: the store property opens the live version on use
            return False
        if store.live_version() in (store.version, self._bad_version):
            return False
        with self._reload_lock:
            if self._store is not None and self._store.live_version() in (self._store.version, self._bad_version):
                return False
            try:
                opened = self._open_store()
            except IndexDamaged as e:
                if self._store is None:
                    raise
                # Keep answering from the version already open; say so once per bad version.
                self._bad_version = self._store.live_version()
                log.error("keeping index version %s: the newly published version %s is damaged: %s",
                          self._store.version, self._bad_version, e)
                return False
            self._store = opened
            log.info("serving index version %s", self._store.version)
            return True

    @property
    def retriever(self) -> Retriever:
        return Retriever(self.store, self.encoder)

    # --- writing ---
    def ingest(
        self, sources: list, *, prune: bool = False, rebuild: bool = False, progress: bool = False
    ) -> IngestReport:
        with self._refresh_lock:
            try:
                with writer_errors(self.settings):
                    report = ingest(
                        sources, self.settings, self.encoder, prune=prune, rebuild=rebuild, progress=progress,
                        state=self.state,
                    )
            finally:
                self.encoder.release_bulk_runtime()
        try:
            self.reload_if_changed()
        except IndexMissing:
            pass  # nothing published yet (every source failed): the report says why
        return report

    def sources(self) -> list:
        """The configured sources (QABOT_SOURCES_FILE, then QABOT_SOURCES); ConfigError when none."""
        from qabot.ingest.loaders.sources import configured_sources

        specs = configured_sources(self.settings)
        if not specs:
            raise ConfigError(
                "no sources configured: set QABOT_SOURCES (comma-separated folders, files, feeds, sitemaps "
                "or URLs) or QABOT_SOURCES_FILE (see config/sources.example.toml)"
            )
        return specs

    def refresh(self, prune: bool = False, progress: bool = False) -> IngestReport:
        return self.ingest(self.sources(), prune=prune, progress=progress)

    # --- reading ---
    def search(self, query: str, k: int = 10, **filters: str | None) -> list[Hit]:
        return self._retrieve(query, Filters(**filters), question_dates=True)[1][:k]

    def _retrieve(
        self, query: str, filters: Filters, *, question_dates: bool, keyword_query: str | None = None,
        boost: list[str] | None = None, pin: str | None = None, force_dates: bool = False,
        today: date | None = None, date_slack: int = 0, across: bool = False, story: bool = False,
    ) -> tuple[list[Candidate], list[Hit], np.ndarray]:
        retriever = self.retriever
        candidates, hits, qvec = retriever.retrieve(
            query, filters, question_dates=question_dates, keyword_query=keyword_query, boost=boost,
            force_dates=force_dates, today=today, date_slack=date_slack, across=across, story=story,
        )
        if pin and self._pin(candidates, pin, query, qvec, retriever):
            candidates.sort(key=lambda c: c.score, reverse=True)
            hits = retriever.to_hits(candidates[:40], 20)
        return candidates, hits, qvec

    def _pin(self, found: list[Candidate], pin: str, query: str, qvec: np.ndarray, retriever: Retriever) -> bool:
        """Puts the deep-linked article first when it says anything about the question."""
        mine = next((c for c in found if c.doc_id == pin), None)
        if mine is None:
            scored = retriever.score_articles(query, [pin], query_vector=qvec)
            if not scored:
                return False  # the article is gone from the archive
            mine = scored[0]
            found.append(mine)
        if mine.dense < self.min_relevance:
            return False
        mine.score += PIN_BOOST
        return True

    def ask(
        self, question: str, conversation: str | None = None, *,
        since: str | None = None, until: str | None = None, section: str | None = None,
        today: date | None = None, suggest: bool = False, language: str | None = None,
    ) -> Answer:
        """The cited answer to ``question``. ``today`` is the date "now" means (default: the
        clock); an evaluation sets it to the date its questions were written for. With
        ``suggest``, up to three follow-ups the archive was checked to answer
        (``qabot.service.suggestions``); off by default, as each costs a question. The answer
        speaks the question's language (``Answer.language``); ``language`` is the interface's
        (Telegram's ``language_code``, a web page's), which decides when the question is too
        short to tell."""
        from qabot.answers.scoring import names_and_figures
        from qabot.text.i18n import translator
        from qabot.text.lang import detect

        started = time.perf_counter()
        question = " ".join(question.split())
        spoken = detect(question, language)
        turns = self.history.get(conversation)
        pin = self.history.article(conversation)
        opened = self.store.documents([pin]).get(pin) if pin and not turns else None
        query, focus, cited_before = resolve(question, turns, opened.title if opened else "")
        intent = read_intent(query, today)
        own = intent if query == question else read_intent(question, today)
        if own.kind in SHAPES:  # a list, digest, summary or comparison stands alone: no follow-up reading
            intent, query = own, question
        # lists, digests, summaries and comparisons read a set of articles (qabot.service.shapes)
        shaped = shaped_answer(self, question, intent, conversation, Filters(since, until, section), today, spoken)
        if shaped is not None:
            return self._finish(replace(shaped, resolved_question=query), query, [], [], conversation, started,
                                suggest, today, spoken)
        # a Romanian question over an English archive (or the reverse) shares only its names and
        # figures with the articles, word for word: the keyword search and evidence use only those
        across = spoken != self._archive_language()
        # "who is ..." is answered from the articles naming them: looked up while retrieving
        lookups = self._name_lookups(intent, query) if intent.kind == ENTITY else None
        candidates, hits, qvec = self._retrieve(
            query, Filters(since, until, section), boost=cited_before, pin=pin, force_dates=intent.kind == PERIOD,
            keyword_query=names_and_figures(query) if across else None, across=across,
            story=intent.kind in (LATEST, TIMELINE),
            today=today, date_slack=NEAR if intent.kind == ASOF else 0,
            # a timeline spans its story, "the first forecast for 2026" came out before 2026, and "after
            # the first budget revision of 2025" is timed by the revision
            question_dates=intent.kind != TIMELINE and not intent.earliest and not intent.event,
        )
        best = candidates[0].dense if candidates else 0.0
        coverage = self.coverage
        relevant = (
            bool(hits)
            and coverage.above_floor(best, candidates, query, spoken if across else None)
            and not coverage.elsewhere(query, hits, best, spoken, across)
        )
        name_hits = self._name_hits(intent, query, lookups) if intent.kind == ENTITY or not relevant else []
        if intent.kind == PERIOD and hits and intent.dates:
            relevant = True  # the archive has articles from the period asked about
        if not relevant and not name_hits:
            answer = Answer(
                question=question,
                answer=translator(spoken)("I could not find anything about that in the archive."),
                found=False,
                closest=tuple(hits[:3]),
                resolved_question=query,
            )
        else:
            focus_vector = qvec if focus == query else self.encoder.embed([focus], kind="query")[0]
            answer = assemble(
                question, focus, focus_vector, hits if relevant else [], turns,
                store=self.store, extractor=self.extractor, settings=self.settings,
                intent=intent, name_hits=name_hits, dated=self._archive()[0], today=today, language=spoken, across=across,
                about=self._about if across else None,
            )
        return self._finish(answer, query, hits, name_hits, conversation, started, suggest, today, spoken)

    def _finish(
        self, answer: Answer, query: str, hits: list[Hit], name_hits: list[Hit], conversation: str | None, started: float,
        suggest: bool, today: date | None, spoken: str,
    ) -> Answer:
        """The ranking (lead articles first), the suggestions when asked for, the latency and
        language, and the turn remembered for follow-ups."""
        leading = answer.extra.pop("leading", [])
        first = {h.article_id: h for h in (*name_hits, *hits) if h.article_id in leading}
        lead_hits = [first[i] for i in leading if i in first]
        ranking = (lead_hits + [h for h in hits if h.article_id not in leading])[:10]
        if suggest:
            answer = replace(answer, suggestions=self.suggester.after(answer, ranking, today, spoken))
        answer = _with_latency(answer, started, spoken)
        answer.extra["ranking"] = ranking or [_cited_hit(c) for c in answer.citations]
        self.history.add(conversation, Turn(answer.question, query, answer))
        self._log_question(conversation, answer)
        return answer

    @property
    def suggester(self) -> Suggester:
        if self._suggester is None:
            self._suggester = Suggester(self)
        return self._suggester

    def suggestions(
        self, answer: Answer | None = None, today: date | None = None, language: str | None = None,
    ) -> tuple[str, ...]:
        """Up to three questions the archive answers: follow-ups to ``answer`` (in its language),
        or, for a new chat (``/start``, the web page), from the newest articles, in ``language``
        (the interface's). Each was asked and answered."""
        if answer is None:
            return self.suggester.on_start(today, language)
        ranking = answer.extra.get("ranking") or [_cited_hit(c) for c in answer.citations]
        return self.suggester.after(answer, list(ranking), today)

    def articles(self) -> int:
        """How many articles the archive holds (cached per version)."""
        return self._archive()[1]

    def retrieve_for(
        self, query: str, filters: Filters, *, today: date | None = None, date_slack: int = 0,
        question_dates: bool = True,
    ) -> tuple[list[Candidate], list[Hit], np.ndarray]:
        """Hybrid retrieval for one part of a question (a comparison's side)."""
        return self._retrieve(query, filters, question_dates=question_dates, today=today, date_slack=date_slack)

    def _log_question(self, conversation: str | None, answer: Answer) -> None:
        """Counts a reader's question for the insights (Telegram, web and chat alike)."""
        channel = channel_of(conversation)
        if channel is None or not self.settings.question_log:
            return
        sources = tuple(LoggedSource(c.title, c.url, c.published) for c in answer.citations)
        try:
            self.questions.record(LoggedQuestion(time.time(), answer.question, answer.found, answer.kind,
                                                 channel, sources))
        except Exception:  # noqa: BLE001 - a log that cannot be written must not cost the reader the answer
            log.exception("could not log a question")

    def _archive(self) -> tuple[bool, int]:
        """Whether the archive has dated articles, and how many articles; once per version."""
        store = self.store
        cached = self._archive_cache
        if cached is None or cached[0] != store.version:
            from qabot.text.lang import detect

            newest = store.latest(ARCHIVE_SAMPLE)
            # the archive's language: its newest articles' openings', read once per version
            language = detect(" ".join(d.text[:300] for d in newest), names=True) if newest else ""
            cached = self._archive_cache = (
                store.version, bool(newest and newest[0].published), store.stats().documents, language
            )
        return cached[1], cached[2]

    def _archive_language(self) -> str:
        """The language the archive is written in (its newest articles'), "" when empty."""
        self._archive()
        return self._archive_cache[3] if self._archive_cache else ""

    def _name_lookups(self, intent: Intent, query: str) -> list[tuple[Name, Future]]:
        """Starts looking up the names the question mentions (``_name_hits``): each costs a
        keyword search and some article reads, and they run at once."""
        from qabot.answers.entities import Name, capitalised_names, known

        _dated, total = self._archive()
        names = [Name.of(text) for text in ([intent.name] if intent.kind == ENTITY else capitalised_names(query))]
        return [(name, in_background(known, self.store, name, total, NAME_ARTICLES)) for name in names]

    def _name_hits(self, intent: Intent, query: str, lookups: list[tuple[Name, Future]] | None = None) -> list[Hit]:
        """Articles naming the person or organisation asked about, when the name is rare enough
        to be evidence (qabot.answers.entities); for other questions also most of their other words.
        The first name, in the question's order, whose articles qualify is the answer."""
        from qabot.text.fold import fold, folded_terms

        for name, lookup in lookups if lookups is not None else self._name_lookups(intent, query):
            ids = lookup.result()
            if not ids:
                continue
            found = self.store.documents(ids)
            out = [_doc_hit(found[i], full=True) for i in ids if i in found]
            if intent.kind != ENTITY:
                others = [t for t in folded_terms(query) if t not in name.words]
                body = fold(out[0].passages[0]) if out else ""
                if others and sum(1 for t in others if t in body) < len(others) / 2:
                    continue
            return out
        return []

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

    def open_article(self, conversation: str, article_id: str) -> None:
        """A deep link opened this article: the conversation's questions answer from it first."""
        self.history.reset(conversation)
        self.history.set_article(conversation, article_id)

    def last_answer(self, conversation: str) -> Answer | None:
        turns = self.history.get(conversation)
        return turns[-1].answer if turns else None


def _doc_hit(doc, full: bool = False) -> Hit:
    return Hit(doc.doc_id, doc.title, doc.meta.get("url", ""), doc.published, doc.section,
               doc.meta.get("author", ""), 0.0, (doc.text if full else doc.text[:300],))


def _cited_hit(c) -> Hit:  # noqa: ANN001 - a Citation
    return Hit(c.article_id, c.title, c.url, c.published, "", "", 0.0, (c.snippet,))


def _with_latency(answer: Answer, started: float, language: str) -> Answer:
    return replace(answer, latency_ms=round((time.perf_counter() - started) * 1000, 1), language=language)
