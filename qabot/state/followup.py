"""Follow-up questions: "and what did she say about Romania?" read with the previous turns."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from qabot.models import Answer, Citation, Hit, TimelineEntry
from qabot.state import StateStore

_OPENERS = re.compile(r"^\s*(?:and|but|also|so|then|what about|how about|and what|what else)\b", re.I)
_PERSONAL = re.compile(r"\b(?:he|she|they|him|her|his|hers|them|their)\b", re.I)
_PRONOUNS = re.compile(r"\b(?:it|its|this|that|those|these|there)\b", re.I)
_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")


@dataclass
class Turn:
    question: str
    resolved: str
    answer: Answer
    at: float = field(default_factory=time.time)  # wall clock: turns outlive the process

    def to_value(self) -> dict[str, Any]:
        return {"question": self.question, "resolved": self.resolved, "at": self.at,
                "answer": answer_to_value(self.answer)}

    @classmethod
    def from_value(cls, value: dict[str, Any]) -> Turn:
        return cls(value["question"], value["resolved"], answer_from_value(value["answer"]), value["at"])


def answer_to_value(answer: Answer) -> dict[str, Any]:
    """What a follow-up and /sources need, as JSON (the per-request ``extra`` is left out)."""
    value = asdict(answer)
    value.pop("extra", None)
    return value


def answer_from_value(value: dict[str, Any]) -> Answer:
    known = {f.name for f in fields(Answer)}
    kept = {k: v for k, v in value.items() if k in known}
    kept["citations"] = tuple(Citation(**c) for c in kept.get("citations", ()))
    kept["closest"] = tuple(Hit(**{**h, "passages": tuple(h.get("passages", ())),
                                   "chunk_ids": tuple(h.get("chunk_ids", ()))}) for h in kept.get("closest", ()))
    kept["passages"] = tuple(kept.get("passages", ()))
    kept["timeline"] = tuple(TimelineEntry(**e) for e in kept.get("timeline", ()))
    kept["suggestions"] = tuple(kept.get("suggestions", ()))
    return Answer(**kept)


def names(text: str) -> list[str]:
    """Capitalised phrases after the first word: people, places, organisations."""
    words = text.split(maxsplit=1)
    rest = words[1] if len(words) > 1 else ""
    return [m.group(0) for m in _NAME.finditer(rest)]


def is_followup(question: str) -> bool:
    """Leans on the previous turn: opens with "and ...", or a pronoun with no name of its own."""
    if _OPENERS.match(question):
        return True
    found = names(question)
    if _PERSONAL.search(question):
        return not any(" " in name for name in found)
    return bool(_PRONOUNS.search(question)) and not found


def resolve(question: str, history: list[Turn], article_title: str = "") -> tuple[str, str, list[str]]:
    """(query for retrieval, question for picking sentences, articles the chat was about).
    ``article_title``: the article a deep link opened, the context of a first question."""
    if not history and article_title and is_followup(question):
        return f"{article_title} {question}", question, []
    if not history or not is_followup(question):
        return question, question, []
    last = history[-1]
    context_names = names(last.resolved) or names(last.question)
    focus = (", ".join(dict.fromkeys(context_names)) + ": " + question) if context_names else question
    cited = [c.article_id for c in last.answer.citations]
    return f"{last.resolved} {question}", focus, cited


class History:
    """Recent turns per conversation, forgotten after ``ttl`` seconds of silence.

    With a state store (``qabot.state``, namespace ``history``) the turns outlive the process
    and are shared by replicas: a follow-up that lands on another bot process keeps its context.
    ``state`` may be a callable, so the store is opened only when a conversation needs it.
    Without one, turns stay in memory. The article a deep link opened (namespace ``focus``)
    is part of the conversation too, and /reset forgets both.
    """

    NS, FOCUS = "history", "focus"

    def __init__(
        self, turns: int = 3, ttl: float = 1800.0, state: StateStore | Callable[[], StateStore] | None = None
    ) -> None:
        self.turns = turns
        self.ttl = ttl
        self._state = state
        self._chats: dict[str, list[Turn]] = {}

    @property
    def store(self) -> StateStore | None:
        if callable(self._state):
            self._state = self._state()
        return self._state  # type: ignore[return-value]

    def get(self, conversation: str | None) -> list[Turn]:
        if conversation is None:
            return []
        store = self.store
        if store is None:
            turns = self._chats.get(conversation, [])
        else:
            value = store.get(self.NS, conversation)
            turns = [Turn.from_value(t) for t in value["turns"]] if value else []
        if turns and self.ttl and time.time() - turns[-1].at > self.ttl:
            self._forget_turns(conversation)
            return []
        return turns

    def add(self, conversation: str | None, turn: Turn) -> None:
        if conversation is None or self.turns == 0:
            return
        turns = (self.get(conversation) + [turn])[-self.turns :]
        store = self.store
        if store is None:
            self._chats[conversation] = turns
        else:
            store.put(self.NS, conversation, {"turns": [t.to_value() for t in turns]})

    def _forget_turns(self, conversation: str) -> None:
        store = self.store
        if store is None:
            self._chats.pop(conversation, None)
        else:
            store.delete(self.NS, conversation)

    def reset(self, conversation: str) -> None:
        self._forget_turns(conversation)
        store = self.store
        if store is not None:
            store.delete(self.FOCUS, conversation)

    def set_article(self, conversation: str, article_id: str) -> None:
        """Questions in this conversation answer from ``article_id`` first, until /reset."""
        store = self.store
        if store is not None:
            store.put(self.FOCUS, conversation, {"article_id": article_id, "at": time.time()})

    def article(self, conversation: str | None) -> str | None:
        store = self.store
        if conversation is None or store is None:
            return None
        value = store.get(self.FOCUS, conversation)
        return value["article_id"] if value else None
