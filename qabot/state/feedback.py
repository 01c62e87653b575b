"""Readers' votes on answers, kept in the shared state (``qabot.state``).

With ``QABOT_DATABASE_URL`` that is PostgreSQL, so every bot replica records and counts the
same votes; otherwise ``state.sqlite`` in the data folder. Each answer the bot sends is
recorded (chat, user, question, answer, time) under a random id that no other replica will
draw; a vote on it is recorded per voter, and pressing again replaces that voter's vote.
Votes from the older ``feedback.sqlite`` are carried over once.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from contextlib import closing
from pathlib import Path

from qabot.settings import Settings
from qabot.state import StateStore, open_state

ANSWERS = "feedback.answers"
VOTES = "feedback.votes"
REPORTS = "feedback.reports"
REASON_CHARS = 300  # a problem report is a short reason, not an essay
LEGACY_FILE = "feedback.sqlite"
ID_BITS = 53  # exact in JSON and JavaScript numbers; short enough for Telegram's callback data


class FeedbackStore:
    """Answers sent and the votes readers gave them."""

    def __init__(self, state: StateStore, legacy_dir: Path | None = None) -> None:
        self.state = state
        if legacy_dir is not None:
            self._import_legacy(Path(legacy_dir) / LEGACY_FILE)

    def record_answer(
        self, chat_id: int, user_id: int | None, question: str, answer: str, sources: list[dict] | None = None
    ) -> int:
        """Remember an answer that was sent; the id goes into its vote buttons. ``sources``
        (title, url, published of each citation) let an editor see what a voted-down answer quoted."""
        record = {"chat_id": chat_id, "user_id": user_id, "question": question, "answer": answer,
                  "created_at": time.time(), "sources": sources or []}
        while True:
            answer_id = secrets.randbits(ID_BITS) or 1
            if self.state.add(ANSWERS, str(answer_id), record):
                return answer_id

    def vote(self, answer_id: int, user_id: int, vote: int) -> bool:
        """Store ``user_id``'s vote (+1 or -1); ``False`` when the answer is unknown."""
        if vote not in (-1, 1):
            raise ValueError(f"vote must be 1 or -1, not {vote!r}")
        if self.state.get(ANSWERS, str(answer_id)) is None:
            return False
        self.state.put(VOTES, f"{answer_id}:{user_id}",
                       {"answer_id": answer_id, "user_id": user_id, "vote": vote, "voted_at": time.time()})
        return True

    def report(self, answer_id: int, reason: str) -> bool:
        """A reader reports a problem with an answer; ``False`` when the answer is unknown."""
        record = self.state.get(ANSWERS, str(answer_id))
        if record is None:
            return False
        self.state.put(REPORTS, f"{answer_id}:{time.time():.6f}",
                       {"answer_id": answer_id, "reason": reason[:REASON_CHARS], "reported_at": time.time()})
        return True

    def answer(self, answer_id: int) -> dict | None:
        """The recorded answer (question, answer, sources, chat, time), or ``None``."""
        return self.state.get(ANSWERS, str(answer_id))

    def reports(self) -> list[dict]:
        """Every problem report with its answer id, reason and time, oldest first."""
        return sorted((v for _key, v in self.state.scan(REPORTS)), key=lambda r: r["reported_at"])

    def question_of(self, answer_id: int) -> str | None:
        """The question a recorded answer was given for."""
        record = self.state.get(ANSWERS, str(answer_id))
        return record["question"] if record else None

    def chat_of(self, answer_id: int) -> int | None:
        """The chat a recorded answer was sent to (buttons are honoured in that chat only)."""
        record = self.state.get(ANSWERS, str(answer_id))
        return int(record["chat_id"]) if record else None

    def rows(self) -> list[dict]:
        """Every vote with its chat, user, question, answer and time, oldest first."""
        out = []
        for _key, v in self.state.scan(VOTES):
            a = self.state.get(ANSWERS, str(v["answer_id"])) or {}
            out.append({"answer_id": v["answer_id"], "chat_id": a.get("chat_id"), "user_id": v["user_id"],
                        "question": a.get("question", ""), "answer": a.get("answer", ""),
                        "vote": v["vote"], "time": v["voted_at"]})
        return sorted(out, key=lambda r: r["time"])

    def totals(self) -> dict[str, int]:
        """``{"up": n, "down": n}`` over all votes (for /stats)."""
        votes = [v["vote"] for _key, v in self.state.scan(VOTES)]
        return {"up": votes.count(1), "down": votes.count(-1)}

    def _import_legacy(self, path: Path) -> None:
        """Copies answers and votes from ``feedback.sqlite`` (kept as it was) into the state, once."""
        if not path.exists() or self.state.get("feedback.meta", "imported") is not None:
            return
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            for id_, chat, user, question, answer, created in db.execute(
                "SELECT id, chat_id, user_id, question, answer, created_at FROM answers"
            ):
                self.state.add(ANSWERS, str(id_), {"chat_id": chat, "user_id": user, "question": question,
                                                   "answer": answer, "created_at": created})
            for answer_id, user, vote, voted in db.execute(
                "SELECT answer_id, user_id, vote, voted_at FROM votes"
            ):
                self.state.add(VOTES, f"{answer_id}:{user}",
                               {"answer_id": answer_id, "user_id": user, "vote": vote, "voted_at": voted})
        self.state.put("feedback.meta", "imported", {"from": str(path), "at": time.time()})


def open_feedback(settings: Settings) -> FeedbackStore:
    """Votes in the shared state (carrying over an older ``feedback.sqlite`` once)."""
    return FeedbackStore(open_state(settings), settings.data_dir)
