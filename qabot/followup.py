"""Follow-up questions: "and what did she say about Romania?" read with the previous turns."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from qabot.models import Answer

_OPENERS = re.compile(r"^\s*(?:and|but|also|so|then|what about|how about|and what|what else)\b", re.I)
_PERSONAL = re.compile(r"\b(?:he|she|they|him|her|his|hers|them|their)\b", re.I)
_PRONOUNS = re.compile(r"\b(?:it|its|this|that|those|these|there)\b", re.I)
_NAME = re.compile(r"\b[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)*")


@dataclass
class Turn:
    question: str
    resolved: str
    answer: Answer
    at: float = field(default_factory=time.monotonic)


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


def resolve(question: str, history: list[Turn]) -> tuple[str, str, list[str]]:
    """(query for retrieval, question for picking sentences, articles the chat was about)."""
    if not history or not is_followup(question):
        return question, question, []
    last = history[-1]
    context_names = names(last.resolved) or names(last.question)
    focus = (", ".join(dict.fromkeys(context_names)) + ": " + question) if context_names else question
    cited = [c.article_id for c in last.answer.citations]
    return f"{last.resolved} {question}", focus, cited


class History:
    """Recent turns per conversation, forgotten after ``ttl`` seconds of silence."""

    def __init__(self, turns: int = 3, ttl: float = 1800.0) -> None:
        self.turns = turns
        self.ttl = ttl
        self._chats: dict[str, list[Turn]] = {}

    def get(self, conversation: str | None) -> list[Turn]:
        if conversation is None:
            return []
        turns = self._chats.get(conversation, [])
        if turns and self.ttl and time.monotonic() - turns[-1].at > self.ttl:
            self._chats.pop(conversation, None)
            return []
        return turns

    def add(self, conversation: str | None, turn: Turn) -> None:
        if conversation is None or self.turns == 0:
            return
        turns = self.get(conversation) + [turn]
        self._chats[conversation] = turns[-self.turns :]

    def reset(self, conversation: str) -> None:
        self._chats.pop(conversation, None)
