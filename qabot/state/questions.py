"""The question log: what readers asked, for the editors' insights page.

Written in ``QAService.ask``, the one path Telegram, the website and the terminal chat share,
so every interface is counted together. A record holds the question, when, whether it was
answered, its kind, the channel (read from the conversation's prefix: ``tg:`` Telegram,
``web:`` the website, ``cli`` the terminal chat) and the headlines cited — never an IP
address, a chat or user id, nor the conversation id itself (docs/privacy.md).

Records live in the shared state (namespace ``questions``), keyed ``<UTC ISO time>:<random>``
so a period is a key range and every replica writes to the same log. Records older than
``QABOT_QUESTION_LOG_DAYS`` are deleted by the first write of each hour; with
``QABOT_QUESTION_LOG=false`` nothing is written.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone

from qabot.state import StateStore

NS = "questions"
PURGE_EVERY = 3600.0  # seconds between two retention sweeps by one process
CHANNELS = {"tg": "telegram", "web": "web", "cli": "terminal"}


@dataclass(frozen=True)
class LoggedSource:
    """A source an answer cited: enough to show it to an editor."""

    title: str
    url: str
    published: str


@dataclass(frozen=True)
class LoggedQuestion:
    """One question a reader asked, with no trace of who asked it."""

    at: float  # seconds since the epoch (UTC)
    question: str
    found: bool
    kind: str
    channel: str
    sources: tuple[LoggedSource, ...] = ()

    @property
    def day(self) -> str:
        return datetime.fromtimestamp(self.at, timezone.utc).date().isoformat()

    def to_value(self) -> dict:
        return asdict(self)

    @classmethod
    def from_value(cls, value: dict) -> LoggedQuestion:
        sources = tuple(LoggedSource(**s) for s in value.get("sources", ()))
        return cls(value["at"], value["question"], bool(value["found"]), value.get("kind", "plain"),
                   value.get("channel", "other"), sources)


def channel_of(conversation: str | None) -> str | None:
    """The interface a conversation id belongs to; ``None`` (not logged) for no conversation:
    one-off `qabot ask`, evaluations and benchmarks ask without one and are not readers."""
    if conversation is None:
        return None
    prefix = conversation.split(":", 1)[0]
    return CHANNELS.get(prefix, "other")


def _key(at: float) -> str:
    stamp = datetime.fromtimestamp(at, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
    return f"{stamp}:{secrets.token_hex(4)}"


class QuestionLog:
    """Appends questions and reads them back by period; thread-safe, shared by replicas."""

    def __init__(self, state: StateStore, days: int = 30, enabled: bool = True) -> None:
        self.state = state
        self.days = days
        self.enabled = enabled
        self._purged = 0.0
        self._lock = threading.Lock()

    def record(self, question: LoggedQuestion) -> None:
        if not self.enabled:
            return
        self.state.put(NS, _key(question.at), question.to_value())
        self._purge_now_and_then(question.at)

    def _purge_now_and_then(self, now: float) -> None:
        with self._lock:
            if now - self._purged < PURGE_EVERY:
                return
            self._purged = now
        self.purge(now)

    def purge(self, now: float | None = None) -> int:
        """Deletes the records older than the retention period; how many went."""
        cutoff = _key((now or time.time()) - self.days * 86400)
        old = [key for key, _ in self.state.scan(NS) if key < cutoff]
        for key in old:
            self.state.delete(NS, key)
        return len(old)

    def between(self, since: str, until: str) -> list[LoggedQuestion]:
        """Questions asked from day ``since`` to day ``until`` (``YYYY-MM-DD``, both included),
        oldest first."""
        end = (datetime.fromisoformat(until) + timedelta(days=1)).date().isoformat()
        return [LoggedQuestion.from_value(v) for key, v in self.state.scan(NS) if since <= key < end]
