"""Lists, comparisons, digests (``/today``) and suggested questions in Telegram: the real bot
against the loopback Bot API stand-in, over the sample archive. Telegram's HTML rules (the
stand-in) accept every message, and each suggested question's button is asked and answered."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from qabot.interfaces.bot.callbacks import parse_button
from qabot.text.dates import long_date


def buttons(markup: dict | None) -> dict[str, str]:
    return {b["text"]: b["callback_data"] for row in (markup or {}).get("inline_keyboard", []) for b in row}


async def suggestion_buttons(bot: Any, message: dict) -> dict[str, str]:
    """The suggested questions added under ``message`` once the bot has checked them."""
    def edited() -> dict | None:
        calls = bot.api.of("editMessageReplyMarkup", message_id=message["message_id"])
        return calls[-1].params["reply_markup"] if calls else None

    markup = await bot.api.wait_for(edited)
    return {text: data for text, data in buttons(markup).items() if data.startswith("sq:")}


async def test_a_list_is_a_dated_line_per_article_under_its_heading(start_bot):
    bot = await start_bot()
    parts = await bot.say("Which articles mention Sibiu?", until_keyboard=True)
    html = "\n".join(p["html"] for p in parts)
    assert html.startswith("<b>Articles mentioning Sibiu:</b>\n• <b>2 June 2025</b> — New regional children")
    assert "I could not find" not in html
    assert "<b>Sources</b>\n[1] New regional children's hospital opens in Sibiu with 412 beds, 2025-06-02" in html
    assert not bot.api.of("sendMessage", ok=False)


async def test_a_comparison_shows_both_figures_with_their_dates_and_sources(start_bot):
    bot = await start_bot()
    parts = await bot.say(
        "What is the difference between the minimum wage increase and the pension increase?", until_keyboard=True
    )
    text = "\n".join(p["text"] for p in parts)
    lines = [line for line in text.splitlines() if line.startswith("• ")]
    assert text.startswith("Compared:")
    assert len(lines) == 2
    assert lines[0].startswith("• 19 May 2025 — ") and "4,325 lei" in lines[0] and lines[0].endswith("[1]")
    assert lines[1].startswith("• 11 June 2025 — ") and "2.5%" in lines[1] and lines[1].endswith("[2]")
    assert "[1] Gross minimum wage to rise to 4,325 lei" in text and "[2] Stoica: pension point" in text
    assert not bot.api.of("sendMessage", ok=False)


async def test_today_and_the_main_news_of_a_month_are_digests_by_story(start_bot):
    bot = await start_bot()
    [menu] = bot.api.of("setMyCommands")
    assert "today" in {c["command"] for c in menu.params["commands"]}
    parts = await bot.say("/today", until_keyboard=True)
    text = "\n".join(p["text"] for p in parts)
    # nothing in the sample archive is from today: it says so and lists the newest articles
    assert text.startswith(f"Nothing was published on {long_date(date.today().isoformat())}. The latest articles:")
    assert re.search(r"^• \d{1,2} \w+ 20\d\d — .+ \[1\]$", text, re.M)
    parts = await bot.say("What was the main news in June 2025?", until_keyboard=True)
    text = "\n".join(p["text"] for p in parts)
    assert text.startswith("The main news, from 1 June 2025 to 30 June 2025:")
    days = re.findall(r"^• (\d{1,2}) June 2025 — ", text, re.M)
    assert len(days) == 3 and [int(d) for d in days] == sorted((int(d) for d in days), reverse=True)
    assert not bot.api.of("sendMessage", ok=False)


async def test_suggested_questions_are_buttons_and_each_is_answered(start_bot):
    bot = await start_bot()
    parts = await bot.say("Why did the central bank cut the rate?", until_keyboard=True)
    assert set(buttons(parts[-1]["reply_markup"])) == {"Sources", "👍", "👎"}  # the answer never waits
    suggested = await suggestion_buttons(bot, parts[-1])
    assert 1 <= len(suggested) <= 3
    assert all(len(data.encode()) <= 64 for data in suggested.values())
    for text, data in suggested.items():
        assert parse_button(data) is not None
        before = len(bot.api.sent(1001))
        bot.api.press(parts[-1], data)
        reply = await bot.api.wait_for(
            lambda before=before: [m for m in bot.api.sent(1001)[before:] if m.get("reply_markup")]
        )
        assert "I could not find anything" not in reply[-1]["text"], text
        assert "[1]" in reply[-1]["text"], text
    assert not bot.api.of("sendMessage", ok=False)


async def test_start_offers_questions_the_archive_answers(start_bot):
    bot = await start_bot()
    [hello] = await bot.say("/start")
    suggested = await suggestion_buttons(bot, hello)
    assert 1 <= len(suggested) <= 3
    for data in suggested.values():
        before = len(bot.api.sent(1001))
        bot.api.press(hello, data)
        reply = await bot.api.wait_for(
            lambda before=before: [m for m in bot.api.sent(1001)[before:] if m.get("reply_markup")]
        )
        assert "I could not find anything" not in reply[-1]["text"]
    # a made-up suggestion number, or another chat's answer, asks nothing
    before = len(bot.api.sent(1001))
    bot.api.press(hello, "sq:0:9")
    await bot.api.wait_for(lambda: any(c.params.get("text", "").startswith("That suggestion")
                                       for c in bot.api.of("answerCallbackQuery")))
    assert len(bot.api.sent(1001)) == before
