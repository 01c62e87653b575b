"""Hostile clients and a busy archive (issue 12): forged button data, inline queries at and
over Telegram's length limit, /refresh while another process writes, a refresh under load."""

from __future__ import annotations

import asyncio
import logging
import time

from embeddings.local import LocalWriter
from qabot.store import index_dir

from .conftest import LATE, write_jsonl

INLINE_LIMIT = 256  # Telegram delivers inline queries of up to 256 characters


def buttons(message: dict) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row}


async def test_forged_button_data_never_shows_another_chats_answer(start_bot, caplog):
    bot = await start_bot()
    ada, bob = bot.api.user(1001, "Ada", "ada"), bot.api.user(2002, "Bob", "bob")
    ada_answer = (await bot.say("How much will the Timisoara tram line cost?", user=ada, until_keyboard=True))[-1]
    bob_answer = (await bot.say("What is the new minimum wage?", user=bob, until_keyboard=True))[-1]
    ada_id = buttons(ada_answer)["Sources"].split(":")[1]

    forged = [f"src:{ada_id}", f"fb:{ada_id}:1", "src:abc", "fb:1:5", "src:", "x" * 64,
              "src:99999999999999999999", "fb:-3:1", ""]
    with caplog.at_level(logging.ERROR):
        for data in forged:
            before = len(bot.api.of("answerCallbackQuery"))
            bot.api.press(bob_answer, data, user=bob)
            [reply] = (await bot.api.wait_for(lambda b=before: bot.api.of("answerCallbackQuery")[b:]))
            assert reply.params.get("text") == "That button doesn't work here.", data
    await asyncio.sleep(0.3)
    shown = " ".join(m["text"] for m in bot.api.sent(2002))
    assert "412 million lei" not in shown and "Timișoara" not in shown
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    # Bob's own button still works
    before = len(bot.api.sent(2002))
    bot.api.press(bob_answer, buttons(bob_answer)["Sources"], user=bob)
    [sources] = await bot.api.wait_for(lambda: bot.api.sent(2002)[before:])
    assert "4,325 lei" in sources["text"]


async def test_inline_queries_at_and_over_the_length_limit(start_bot):
    bot = await start_bot()
    for query in ["tram line " * 25 + "Timis"[: INLINE_LIMIT - 250], "a" * INLINE_LIMIT,
                  "tram " * 80, "<b>&amp;" * 60, "\u200f\u200d" * 200]:
        qid = bot.api.inline(query)
        [call] = await bot.api.wait_for(lambda q=qid: bot.api.of("answerInlineQuery", ok=None, inline_query_id=q))
        assert call.status == 200, (len(query), call.error)
        assert isinstance(call.params["results"], list)


async def test_refresh_while_another_process_writes_says_so(start_bot, tmp_path):
    feed = write_jsonl(tmp_path / "late.jsonl", [LATE])
    bot = await start_bot(sources=[str(feed)])
    with LocalWriter(index_dir(bot.settings), model_id=bot.service.encoder.model_id):  # another writer
        await bot.say("/refresh")
        edited = await bot.api.wait_for(
            lambda: [m for m in bot.api.sent(1001) if m.get("edit_date")], timeout=60
        )
    assert "already running" in edited[0]["text"] and "unexpected" not in edited[0]["text"]


async def test_no_question_fails_while_a_refresh_publishes(start_bot, tmp_path):
    """About 20 questions a second during a whole /refresh, through the real bot."""
    from tests.embeddings.test_atomic import write_generated

    folder = write_generated(tmp_path / "more", 120)
    bot = await start_bot(sources=[str(folder)], rate_limit_count=100000)
    version = bot.service.store.version
    readers = [bot.api.user(5000 + i, f"R{i}", None) for i in range(40)]
    await bot.say("/refresh")
    asked = 0
    started = time.monotonic()
    while True:
        reader = readers[asked % len(readers)]
        bot.api.send_text("What is the new minimum wage?", chat=bot.api.chat(reader["id"]), user=reader)
        asked += 1
        await asyncio.sleep(0.05)
        done = [m for m in bot.api.sent(1001) if m.get("edit_date") and "Refresh done" in m["text"]]
        if done or time.monotonic() - started > 240:
            break
    assert done, "the refresh did not finish"
    assert bot.service.store.version != version or bot.service.reload_if_changed()

    def answered() -> bool:
        return all(any(m.get("reply_markup") for m in bot.api.sent(r["id"])) for r in readers[: min(asked, 40)])

    await bot.api.wait_for(lambda: sum(
        1 for r in readers for m in bot.api.sent(r["id"]) if m.get("reply_markup")) >= asked, timeout=120)
    texts = [m["text"] for r in readers for m in bot.api.sent(r["id"])]
    assert len([t for t in texts if "4,325 lei" in t]) >= asked
    assert not [t for t in texts if "Sorry" in t]
    assert not bot.api.of("sendMessage", ok=False)
    print(f"{asked} questions over {time.monotonic() - started:.1f} s of refresh, none failed")


def test_sigterm_during_a_refresh_stops_cleanly_and_keeps_a_whole_version(standin, data_dir, tmp_path):
    from tests.embeddings.test_atomic import assert_consistent, write_generated

    from .test_bot_process import running_bot, stop

    before = assert_consistent(data_dir)
    folder = write_generated(tmp_path / "more", 200)
    with running_bot(standin, data_dir, standin.token, QABOT_SOURCES=str(folder), QABOT_TELEGRAM_ADMINS="1001") as proc:
        standin.wait_for_sync(lambda: standin.of("setMyCommands") or proc.poll() is not None, timeout=180)
        assert proc.poll() is None, proc.communicate()
        standin.send_text("/refresh")
        standin.wait_for_sync(lambda: [m for m in standin.sent(1001) if "Refreshing" in m["text"]])
        out, err = stop(proc, 60)
    assert proc.returncode == 0, err
    assert "Traceback" not in err, err
    assert assert_consistent(data_dir) in (before, before + 200)  # the old version or the new, whole
