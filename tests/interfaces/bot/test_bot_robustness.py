"""Flood control, network failures, a failing reader, and a fresh index without a restart."""

from __future__ import annotations

import asyncio
import re

from .conftest import LATE, write_jsonl

FERRY_QUESTION = "When did the electric ferry on Lake Sarmis start carrying passengers?"


async def test_flood_control_429_is_waited_out_and_the_message_still_arrives(start_bot):
    bot = await start_bot()
    bot.api.fail_next(2, retry_after=1, methods={"sendMessage"})
    [help_] = await bot.say("/help")
    assert "/search" in help_["text"]
    refused = bot.api.of("sendMessage", ok=False)
    assert [c.status for c in refused] == [429, 429]
    assert len(bot.api.of("sendMessage")) == 1  # delivered once, not duplicated


async def test_a_dropped_connection_is_retried(start_bot):
    bot = await start_bot()
    bot.api.drop_next(1, methods={"sendMessage"})
    [help_] = await bot.say("/help")
    assert "/latest" in help_["text"]
    assert [c.error for c in bot.api.calls if c.method == "sendMessage" and c.status != 200] == ["dropped"]


async def test_one_readers_failure_does_not_affect_another(start_bot):
    bot = await start_bot()
    api = bot.api
    blocker = api.user(5005, "Mallory", "mallory")
    api.block(5005)  # every message to this reader fails with 403
    api.send_text("What is the new minimum wage?", user=blocker)
    parts = await bot.say("What is the new minimum wage?", until_keyboard=True)
    assert "4,325 lei" in "".join(p["text"] for p in parts)
    # the blocked reader's answer failed, and so did the error handler's apology; both were tried
    await api.wait_for(lambda: len(api.of("sendMessage", ok=False, chat_id=5005)) >= 2)
    assert {c.status for c in api.of("sendMessage", ok=False, chat_id=5005)} == {403}
    # and the bot goes on serving
    [hello] = await bot.say("/start")
    assert "Hello" in hello["text"]


async def test_an_index_published_by_another_process_is_served_without_restart(start_bot, tmp_path, encoder):
    from qabot.service.qa import QAService

    bot = await start_bot()
    before = await bot.say(FERRY_QUESTION, until_keyboard=True)
    assert LATE["url"] not in "".join(p["html"] for p in before)

    # another process (here: another service instance, as `qabot ingest` would be) publishes
    # a new index version with one more article
    late = write_jsonl(tmp_path / "late.jsonl", [LATE])
    outside = QAService(bot.settings, encoder)
    report = await asyncio.to_thread(outside.ingest, [str(late)])
    assert report.added == 1

    after = await bot.say(FERRY_QUESTION, user=bot.api.user(6006, "Dan", "dan"), until_keyboard=True)
    html = "".join(p["html"] for p in after)
    # the citation links to the quoted sentence in the new article (a text fragment after the URL)
    assert re.search(
        rf'<a href="{re.escape(LATE["url"])}#:~:text=[^"]+">Electric ferry starts service across Lake Sarmis</a>, 2025-10-18',
        html,
    )
    assert "14 minutes" in html or "Saturday" in html


async def test_admin_refresh_runs_in_the_background_and_reports(start_bot, tmp_path):
    late = write_jsonl(tmp_path / "late.jsonl", [LATE])
    bot = await start_bot(sources=[str(late)])
    count = bot.service.stats()["articles"]
    [status] = await bot.say("/refresh")
    assert status["text"].startswith("Refreshing the archive")
    # the bot keeps answering while the refresh runs
    [hello] = await bot.say("/help", user=bot.api.user(7007, "Gil", "gil"))
    assert "/ask" in hello["text"]
    [edit] = await bot.api.wait_for(lambda: bot.api.of("editMessageText", message_id=status["message_id"]))
    assert edit.params["text"].startswith("<b>Refresh done</b>")
    assert "1 added" in edit.params["text"]
    [stats] = await bot.say("/stats")
    assert f"Articles: {count + 1}," in stats["text"]
    parts = await bot.say(FERRY_QUESTION, until_keyboard=True)
    assert LATE["url"] in "".join(p["html"] for p in parts)

    stranger = bot.api.user(2002, "Bob", "bob")
    [refused] = await bot.say("/refresh", user=stranger)
    assert "only the bot's admins" in refused["text"]
