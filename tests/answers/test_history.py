"""Follow-up context in the shared state: it outlives the process and expires after the TTL."""

from __future__ import annotations

import time

from qabot.models import Answer, Citation, Hit
from qabot.state.followup import History, Turn, resolve
from qabot.state.sqlite import SqliteState

ANSWER = Answer(
    question="What did the central bank decide?",
    answer="It cut the key rate to 6.25% [1].",
    citations=(Citation(1, "bnr-cut", "Central bank cuts key rate", "https://x.test/bnr", "2025-08-06", "It cut..."),),
    passages=({"n": 1, "article_id": "bnr-cut", "text": "The central bank cut...", "score": 0.71},),
    closest=(Hit("bnr-cut", "Central bank cuts key rate", "https://x.test/bnr", "2025-08-06", "Economy", "", 0.9,
                 ("The central bank cut...",), (3, 4)),),
    resolved_question="What did the central bank decide?",
    extra={"ranking": ["not kept"]},
)


def test_turns_survive_a_new_history_object_on_the_same_state(tmp_path):
    first = History(3, 1800, SqliteState(tmp_path))
    first.add("tg:1", Turn(ANSWER.question, ANSWER.question, ANSWER))
    later = History(3, 1800, lambda: SqliteState(tmp_path))  # another process, opened lazily
    [turn] = later.get("tg:1")
    assert turn.answer.citations == ANSWER.citations and turn.answer.closest == ANSWER.closest
    assert turn.answer.passages == ANSWER.passages and turn.answer.extra == {}
    query, _focus, cited = resolve("and what did the governor say?", later.get("tg:1"))
    assert query.startswith("What did the central bank decide?") and cited == ["bnr-cut"]
    assert later.get("tg:2") == []


def test_context_expires_and_reset_forgets_the_opened_article(tmp_path):
    history = History(2, 60, SqliteState(tmp_path))
    history.add("tg:1", Turn("q", "q", ANSWER, at=time.time() - 120))
    assert history.get("tg:1") == []
    history.set_article("tg:1", "bnr-cut")
    history.add("tg:1", Turn("q", "q", ANSWER))
    assert history.article("tg:1") == "bnr-cut" and len(history.get("tg:1")) == 1
    history.reset("tg:1")
    assert history.article("tg:1") is None and history.get("tg:1") == []


def test_only_the_last_turns_are_kept(tmp_path):
    history = History(2, 0, SqliteState(tmp_path))
    for q in ("one", "two", "three"):
        history.add("c", Turn(q, q, ANSWER))
    assert [t.question for t in history.get("c")] == ["two", "three"]
