"""A reader in a private chat: greeting, questions with cited sources, buttons, commands."""

from __future__ import annotations

import re

import pytest

from .telegram_rules import ApiError, check_text, parse_html

TRAM_URL = "https://exemplunews.ro/society/timisoara-approves-tram-line-freidorf"


async def test_start_help_and_command_menu(start_bot):
    bot = await start_bot()
    [hello] = await bot.say("/start")
    assert "Hello, Ada!" in hello["text"]
    assert "/search" in hello["text"] and "@archive_qa_bot" in hello["text"]
    [help_] = await bot.say("/help")
    for command in ("/ask", "/search", "/latest", "/sources", "/reset"):
        assert command in help_["text"]
    [menu] = bot.api.of("setMyCommands")
    assert {"ask", "search", "latest", "sources", "reset", "help"} <= {c["command"] for c in menu.params["commands"]}
    [unknown] = await bot.say("/frobnicate")
    assert "/help" in unknown["text"]


async def test_question_is_answered_with_a_linked_cited_headline(start_bot):
    bot = await start_bot()
    parts = await bot.say("How long will the new tram line in Timisoara be?", until_keyboard=True)
    html = "\n".join(p["html"] for p in parts)
    assert "6.8 km" in html
    assert "[1]" in html
    # the headline links to the article at the quoted sentence (a URL text fragment)
    assert re.search(
        rf'<a href="{re.escape(TRAM_URL)}#:~:text=[^"]+">Timișoara approves 6.8 km tram line to Freidorf industrial '
        r"area</a>, 2025-07-08", html,
    )
    buttons = [b["text"] for row in parts[-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["Sources", "👍", "👎"]
    assert bot.api.of("sendChatAction", action="typing")
    assert not bot.api.of("sendMessage", ok=False)


async def test_follow_up_uses_the_chat_context_and_reset_forgets_it(start_bot):
    bot = await start_bot()
    await bot.say("What did the central bank decide about the key interest rate?", until_keyboard=True)
    follow = await bot.say("and what did the governor say about inflation?", until_keyboard=True)
    assert "Central bank cuts key rate" in follow[-1]["text"] or "Central bank cuts key rate" in "".join(
        p["text"] for p in follow
    )
    [done] = await bot.say("/reset")
    assert "forgotten" in done["text"]
    [nothing] = await bot.say("/sources")
    assert "Ask me a question first" in nothing["text"]


async def test_markup_in_question_and_headline_reaches_the_reader_as_text(start_bot):
    bot = await start_bot()
    question = "Why did Valea Mică ban <b> banners & <script> posters?"
    parts = await bot.say(question, until_keyboard=True)
    html = "\n".join(p["html"] for p in parts)
    text = "\n".join(p["text"] for p in parts)
    assert "&lt;script&gt; posters &amp; &lt;b&gt;bold&lt;/b&gt; banners" in html
    assert "bans <script> posters & <b>bold</b> banners" in text  # what the reader sees
    assert 'href="https://exemplunews.ro/local/valea-mica-poster-rules?ref=a&amp;b=' in html
    assert "<script>" not in html
    # the /sources view quotes the question back, escaped too
    sources = await bot.say("/sources")
    assert "Sources for: Why did Valea Mică ban <b> banners & <script> posters?" in sources[0]["text"]
    assert "<blockquote>" in sources[0]["html"]
    assert not bot.api.of("sendMessage", ok=False), [c.error for c in bot.api.of("sendMessage", ok=False)]


async def test_feedback_buttons_store_votes_and_sources_button_shows_passages(start_bot, backend_settings):
    from qabot.state.feedback import open_feedback

    bot = await start_bot(**backend_settings)
    if backend_settings:
        assert bot.service.store.backend == "postgresql"
    question = "How much will the Timisoara tram line cost?"
    parts = await bot.say(question, until_keyboard=True)
    answer = parts[-1]
    buttons = {b["text"]: b["callback_data"] for row in answer["reply_markup"]["inline_keyboard"] for b in row}

    bot.api.press(answer, buttons["👍"])
    await bot.api.wait_for(lambda: bot.api.of("answerCallbackQuery"))
    assert bot.api.of("answerCallbackQuery")[0].params["text"] == "Thanks for the feedback!"
    bot.api.press(answer, buttons["👎"])  # a second press replaces the vote
    await bot.api.wait_for(lambda: len(bot.api.of("answerCallbackQuery")) == 2)

    rows = open_feedback(bot.settings).rows()  # as another replica would read them
    assert len(rows) == 1
    r = rows[0]
    chat_id, user_id, stored_question, stored_answer, vote, when = (
        r["chat_id"], r["user_id"], r["question"], r["answer"], r["vote"], r["time"])
    assert (chat_id, user_id, stored_question, vote) == (1001, 1001, question, -1)
    assert "412 million lei" in stored_answer and when > 0

    before = len(bot.api.sent(1001))
    bot.api.press(answer, buttons["Sources"])
    [sources] = await bot.api.wait_for(lambda: bot.api.sent(1001)[before:])
    assert "Timișoara approves 6.8 km tram line" in sources["text"]
    assert "412 million lei" in sources["text"]
    assert sources["reply_to_message"]["message_id"] == answer["message_id"]


async def test_search_latest_and_admin_commands(start_bot):
    bot = await start_bot(sources=[])
    [found] = await bot.say("/search tram line")
    assert f'<a href="{TRAM_URL}">' in found["html"]
    [latest] = await bot.say("/latest")
    assert latest["text"].startswith("Latest articles")
    [empty] = await bot.say("/search")
    assert "What should I look for?" in empty["text"]

    [stats] = await bot.say("/stats")
    count = bot.service.stats()["articles"]
    assert f"Articles: {count}, passages:" in stats["text"] and "Feedback: 👍 0 · 👎 0" in stats["text"]
    stranger = bot.api.user(2002, "Bob", "bob")
    [refused] = await bot.say("/stats", user=stranger)
    assert "only the bot's admins" in refused["text"]


async def test_question_too_long_and_rate_limit_are_refused_politely(start_bot):
    bot = await start_bot(rate_limit_count=2, max_question_chars=80)
    [too_long] = await bot.say("Why " + "really " * 20 + "did the central bank cut the rate?")
    assert "Please keep questions under 80 characters" in too_long["text"]
    await bot.say("What did the central bank decide?", until_keyboard=True)
    await bot.say("What is the new minimum wage?", until_keyboard=True)
    [notice] = await bot.say("Who won the cup semi-final?")
    assert "faster than I can read the archive" in notice["text"]
    # another reader is not affected
    other = bot.api.user(3003, "Cleo", "cleo")
    parts = await bot.say("Who won the cup semi-final?", user=other, until_keyboard=True)
    assert "Dunărea Albastră" in "".join(p["text"] for p in parts)


def test_the_stand_in_refuses_what_telegram_refuses():
    # the checks above are only as good as the stand-in's strictness
    for bad in ["<script>x</script>", "<b>open", "a & b", "</b>", "<b><i>x</b></i>", "1 < 2", '<a href="javascript:x">y</a>']:
        with pytest.raises(ApiError, match="can't parse entities"):
            check_text(bad, "HTML")
    for empty in ["", "  ", "<b> </b>"]:
        with pytest.raises(ApiError, match="message text is empty"):
            check_text(empty, "HTML")
    with pytest.raises(ApiError, match="message is too long"):
        check_text("x" * 4097, None)
    with pytest.raises(ApiError, match="message is too long"):
        check_text("👍" * 2049, None)  # 4098 UTF-16 units
    assert check_text("x" * 4096, None)
    assert parse_html('<b>a &amp; b</b> <a href="https://x.org/?a=1&amp;b=2">y</a> &lt;3 &#128077;') == "a & b y <3 👍"
