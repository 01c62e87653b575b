"""Groups (silent unless addressed), inline mode and the allowlist."""

from __future__ import annotations

GROUP = -100200300


async def test_group_chatter_is_ignored_but_mention_reply_and_ask_are_answered(start_bot):
    bot = await start_bot()
    api = bot.api
    group = api.chat(GROUP, "supergroup")
    ada, bob = api.user(1001, "Ada", "ada"), api.user(2002, "Bob", "bob")

    def replies_to(message: dict) -> list[dict]:
        return [m for m in api.sent(GROUP) if m.get("reply_to_message", {}).get("message_id") == message["message_id"]]

    chatter = api.send_text("Has anyone seen the new tram line plans?", chat=group, user=bob)
    other_bot = api.send_text("/ask@some_other_bot what about the tram line?", chat=group, user=bob)

    mentioned = await bot.say("@archive_qa_bot how long is the Timisoara tram line?", chat=group, user=ada, until_keyboard=True)
    assert "6.8 km" in mentioned[0]["text"]
    assert mentioned[0]["reply_to_message"]["text"].startswith("@archive_qa_bot how long")

    by_reply = await bot.say("how much will it cost?", chat=group, user=bob, reply_to=mentioned[-1], until_keyboard=True)
    assert "412 million lei" in "".join(m["text"] for m in by_reply)

    by_command = await bot.say("/ask@archive_qa_bot What is the new minimum wage?", chat=group, user=ada, until_keyboard=True)
    assert "4,325 lei" in "".join(m["text"] for m in by_command)
    plain_command = await bot.say("/ask Who won the cup semi-final?", chat=group, user=ada, until_keyboard=True)
    assert "Dunărea Albastră" in "".join(m["text"] for m in plain_command)

    # every update is handled in order of arrival; by now the chatter had its chance
    assert replies_to(chatter) == [] and replies_to(other_bot) == []
    # a private question still works while the group is busy
    [hello] = await bot.say("/start", user=bob)
    assert "Hello, Bob!" in hello["text"]


async def test_inline_query_offers_matching_articles(start_bot):
    bot = await start_bot()
    qid = bot.api.inline("tram line Timisoara")
    [call] = await bot.api.wait_for(lambda: bot.api.of("answerInlineQuery", inline_query_id=qid))
    results = call.params["results"]
    first = results[0]
    assert first["type"] == "article"
    assert first["title"] == "Timișoara approves 6.8 km tram line to Freidorf industrial area"
    assert first["url"] == "https://exemplunews.ro/society/timisoara-approves-tram-line-freidorf"
    assert first["description"].startswith("2025-07-08 · ")
    content = first["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert '<a href="https://exemplunews.ro/society/timisoara-approves-tram-line-freidorf">' in content["message_text"]
    assert len({r["id"] for r in results}) == len(results)

    empty = bot.api.inline("")
    [latest] = await bot.api.wait_for(lambda: bot.api.of("answerInlineQuery", inline_query_id=empty))
    assert latest.params["results"], "an empty query offers the newest articles"


async def test_allowlist_keeps_strangers_out(start_bot):
    bot = await start_bot(telegram_allowlist=["1001"])
    stranger = bot.api.user(4004, "Eve", "eve")
    [refused] = await bot.say("What is the new minimum wage?", user=stranger)
    assert refused["text"] == "Sorry, this bot is private."
    qid = bot.api.inline("tram", user=stranger)
    [call] = await bot.api.wait_for(lambda: bot.api.of("answerInlineQuery", inline_query_id=qid))
    assert call.params["results"] == []
    parts = await bot.say("What is the new minimum wage?", until_keyboard=True)  # Ada, on the list
    assert parts[-1]["reply_markup"]
