"""Suggested questions the archive was checked to answer (``qabot.answers.suggest`` makes the
candidates): each is asked back through the service and kept only when answered, not refused.

The cost is bounded: at most ``CHECKS`` candidates are asked per answer, and each verdict is
cached per index version (a candidate asked again costs a dictionary look-up), as are the
suggestions for a new chat.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Protocol

from embeddings.base import Store
from qabot.answers.extract import lead_vectors
from qabot.answers.labels import ASK_WHO
from qabot.answers.stories import main_story
from qabot.answers.suggest import MAX_SUGGESTIONS, after_answer, on_start, story_names
from qabot.models import Answer, Hit


class QAService(Protocol):
    """What suggesting needs of ``qabot.service.qa.QAService`` (a protocol: no import circle)."""

    @property
    def store(self) -> Store: ...

    def ask(self, question: str, conversation: str | None = None, *, today: date | None = None) -> Answer: ...

CHECKS = 5  # candidates asked back per answer, at most
CACHED = 2000  # verdicts remembered per process
NEWEST = 6  # articles a new chat's suggestions come from


class Suggester:
    def __init__(self, service: QAService) -> None:
        self.service = service
        self._verdicts: OrderedDict[tuple[str, str, str], bool] = OrderedDict()
        self._start: tuple[str, str, tuple[str, ...]] | None = None
        self._lock = threading.Lock()

    def after(self, answer: Answer, ranking: list[Hit], today: date | None) -> tuple[str, ...]:
        """Up to three follow-ups to ``answer`` (``ranking``: its hits, best first)."""
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
        return self._checked(after_answer(answer, shared), today, cited)

    def on_start(self, today: date | None) -> tuple[str, ...]:
        """Up to three questions for a new chat, from the newest articles; cached per version."""
        store = self.service.store
        key = (store.version, str(today))
        cached = self._start
        if cached is not None and cached[:2] == key:
            return cached[2]
        newest = store.latest(NEWEST)
        leads = [d.text.split("\n", 1)[0] for d in newest]
        found = self._checked(on_start((d.title for d in newest), leads), today, set())
        self._start = (*key, found)
        return found

    def _checked(self, candidates: list[str], today: date | None, cited: set[str]) -> tuple[str, ...]:
        kept: list[str] = []
        for question in candidates[:CHECKS]:
            if self._answers(question, today, cited):
                kept.append(question)
                if len(kept) == MAX_SUGGESTIONS:
                    break
        return tuple(kept)

    def _answers(self, question: str, today: date | None, cited: set[str]) -> bool:
        """Asked back: answered (not refused, with a source), and beyond the current answer's
        articles (a suggestion must lead somewhere new, except "who is")."""
        key = (self.service.store.version, question, ",".join(sorted(cited)))
        with self._lock:
            if key in self._verdicts:
                return self._verdicts[key]
        answer = self.service.ask(question, today=today)
        ok = answer.found and bool(answer.citations) and not answer.extra.get("fallback")
        if ok and cited and not question.startswith(ASK_WHO.split("{", 1)[0]):
            ok = any(c.article_id not in cited for c in answer.citations)
        with self._lock:
            self._verdicts[key] = ok
            while len(self._verdicts) > CACHED:
                self._verdicts.popitem(last=False)
        return ok
