"""The feedback store and the guards on their own (real SQLite, a controllable clock)."""

from __future__ import annotations

import sqlite3

import pytest
from telegram import Chat, User

from qabot.interfaces.bot.guard import RateLimiter, is_admin, is_allowed
from qabot.state.feedback import FeedbackStore
from qabot.state.sqlite import SqliteState


def test_feedback_store_records_votes_and_survives_reopening(tmp_path):
    store = FeedbackStore(SqliteState(tmp_path))
    first = store.record_answer(-100, 7, "Who won?", "Dunărea Albastră [1].")
    second = store.record_answer(-100, 8, "Where?", "In Brăila [1].")
    assert store.vote(first, 7, 1) and store.vote(first, 9, -1) and store.vote(second, 8, -1)
    assert store.vote(first, 7, -1)  # changing one's mind replaces the vote
    assert not store.vote(12345, 7, 1)  # an answer the store never saw
    with pytest.raises(ValueError):
        store.vote(first, 7, 5)

    reopened = FeedbackStore(SqliteState(tmp_path))  # nothing is lost
    assert reopened.totals() == {"up": 0, "down": 3}
    rows = reopened.rows()
    assert {(r["chat_id"], r["user_id"], r["question"], r["vote"]) for r in rows} == {
        (-100, 7, "Who won?", -1), (-100, 9, "Who won?", -1), (-100, 8, "Where?", -1),
    }
    assert reopened.question_of(second) == "Where?" and reopened.question_of(12345) is None


def test_votes_of_an_older_feedback_file_are_carried_over_once(tmp_path):
    with sqlite3.connect(tmp_path / "feedback.sqlite") as db:
        db.executescript(
            """
            CREATE TABLE answers (id INTEGER PRIMARY KEY, chat_id INTEGER, user_id INTEGER,
                                  question TEXT, answer TEXT, created_at REAL);
            CREATE TABLE votes (answer_id INTEGER, user_id INTEGER, vote INTEGER, voted_at REAL);
            INSERT INTO answers VALUES (1, -100, 7, 'Who won?', 'Dunărea [1].', 10.0);
            INSERT INTO votes VALUES (1, 7, 1, 11.0), (1, 8, -1, 12.0);
            """
        )
    store = FeedbackStore(SqliteState(tmp_path), tmp_path)
    assert store.totals() == {"up": 1, "down": 1}
    assert store.vote(1, 9, 1)  # the old answer ids still take votes
    again = FeedbackStore(SqliteState(tmp_path), tmp_path)  # not imported twice
    assert again.totals() == {"up": 2, "down": 1}
    assert [r["user_id"] for r in again.rows()] == [7, 8, 9]


def test_answer_ids_are_unique_and_fit_callback_data(tmp_path):
    store = FeedbackStore(SqliteState(tmp_path))
    ids = {store.record_answer(1, 2, "q", "a") for _ in range(200)}
    assert len(ids) == 200 and all(0 < i < 2**53 for i in ids)
    assert all(len(f"fb:{i}:-1") <= 64 for i in ids)


def test_rate_limit_is_per_user_and_slides():
    now = [0.0]
    limiter = RateLimiter(2, 60.0, clock=lambda: now[0])
    assert limiter.hit(1) == 0 and limiter.hit(1) == 0
    assert limiter.hit(1) == pytest.approx(60.0)  # third within the window: wait a minute
    assert limiter.hit(2) == 0  # someone else is unaffected
    now[0] = 30.0
    assert limiter.hit(1) == pytest.approx(30.0)
    now[0] = 60.0
    assert limiter.hit(1) == 0  # the first question left the window


def test_admins_and_allowlist_match_ids_and_usernames():
    ada = User(1001, "Ada", False, username="Ada_L")
    bob = User(2002, "Bob", False)
    group = Chat(-100200, Chat.SUPERGROUP)
    assert is_admin(["1001"], ada) and is_admin(["@ada_l"], ada) and is_admin(["ada_l"], ada)
    assert not is_admin(["1001"], bob) and not is_admin([], ada) and not is_admin(["1001"], None)
    assert is_allowed([], bob, None)
    assert is_allowed(["-100200"], bob, group)  # a whole group may be allowed
    assert not is_allowed(["1001"], bob, group)
