"""Suggested questions the archive was checked to answer (``qabot.answers.suggest`` makes the
candidates): each is asked back through the service and kept only when answered, not refused.

The cost is bounded: at most ``CHECKS`` candidates are asked per answer, and each verdict is
cached per index version and language (a candidate asked again costs a dictionary look-up), as
are the suggestions for a new chat (per language: a Romanian reader is offered Romanian questions).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Protocol

from embeddings.base import Store
from qabot.answers.extract import lead_vectors
from qabot.answers.stories import main_story
from qabot.answers.suggest import MAX_SUGGESTIONS, after_answer, asks_who, on_start, story_names
from qabot.models import Answer, Hit
from qabot.text.lang import DEFAULT, supported


class QAService(Protocol):
    """What suggesting needs of ``qabot.service.qa.QAService`` (a protocol: no import circle)."""

    @property
    def store(self) -> Store: ...

    def ask(
        self, question: str, conversation: str | None = None, *, today: date | None = None, language: str | None = None,
    ) -> Answer: ...

CHECKS = 5  # candidates asked back per answer, at most
CACHED = 2000  # verdicts remembered per process
NEWEST = 6  # articles a new chat's suggestions come from


class Suggester:
    def __init__(self, service: QAService) -> None:
        self.service = service
        self._verdicts: OrderedDict[tuple[str, str, str, str], bool] = OrderedDict()
        self._start: dict[str, tuple[str, str, tuple[str, ...]]] = {}  # language -> (version, day, questions)
        self._lock = threading.Lock()

    def after(
        self, answer: Answer, ranking: list[Hit], today: date | None, language: str | None = None,
    ) -> tuple[str, ...]:
        """Up to three follow-ups to ``answer`` (``ranking``: its hits, best first), in
        ``language`` (else the answer's)."""
        spoken = supported(language or answer.language) or DEFAULT
        if not answer.found or not answer.citations:
            return ()
        store = self.service.store
        lead = next((h for h in ranking if h.article_id == answer.citations[0].article_id), None)
        shared: list[str] = []
        if lead is not None:
            story = main_story(ranking, lambda ids: lead_vectors(store, ids))
            others = [h for h in story if h.article_id != lead.article_id]
            if others:  # names the lead's headline shares with the story's other articles
                words = {w for h in others for w in story_names(h.title)}
                shared = [n for n in story_names(lead.title) if n in words] or story_names(lead.title)[:1]
        cited = {c.article_id for c in answer.citations}
        return self._checked(after_answer(answer, shared, spoken), today, cited, spoken)

    def on_start(self, today: date | None, language: str | None = None) -> tuple[str, ...]:
        """Up to three questions for a new chat, from the newest articles, in ``language`` (the
        interface's; else English); cached per version, day and language."""
        spoken = supported(language) or DEFAULT
        store = self.service.store
        key = (store.version, str(today))
        cached = self._start.get(spoken)
        if cached is not None and cached[:2] == key:
            return cached[2]
        newest = store.latest(NEWEST)
        leads = [d.text.split("\n", 1)[0] for d in newest]
        found = self._checked(on_start((d.title for d in newest), leads, spoken), today, set(), spoken)
        with self._lock:
            self._start[spoken] = (*key, found)
        return found

    def _checked(self, candidates: list[str], today: date | None, cited: set[str], language: str) -> tuple[str, ...]:
        kept: list[str] = []
        for question in candidates[:CHECKS]:
            if self._answers(question, today, cited, language):
                kept.append(question)
                if len(kept) == MAX_SUGGESTIONS:
                    break
        return tuple(kept)

    def _answers(self, question: str, today: date | None, cited: set[str], language: str) -> bool:
        """Asked back (as a reader of ``language`` would): answered in that language (not
        refused, with a source), and beyond the current answer's articles (a suggestion must
        lead somewhere new, except "who is")."""
        key = (self.service.store.version, language, question, ",".join(sorted(cited)))
        with self._lock:
            if key in self._verdicts:
                return self._verdicts[key]
        answer = self.service.ask(question, today=today, language=language)
        ok = answer.found and bool(answer.citations) and not answer.extra.get("fallback")
        ok = ok and answer.language == language
        if ok and cited and not asks_who(question):
            ok = any(c.article_id not in cited for c in answer.citations)
        with self._lock:
            self._verdicts[key] = ok
            while len(self._verdicts) > CACHED:
                self._verdicts.popitem(last=False)
        return ok
