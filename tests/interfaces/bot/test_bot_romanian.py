"""A Romanian reader in Telegram: answers, refusals, labels and commands in Romanian."""

from __future__ import annotations


def romanian_user(api) -> dict:
    return {**api.user(uid=1002, first_name="Ioana", username="ioana"), "language_code": "ro"}


async def test_a_romanian_question_gets_a_romanian_refusal_with_romanian_labels(start_bot):
    bot = await start_bot()
    parts = await bot.say("Cine a câștigat Turul Franței în 2024?", until_keyboard=True)
    html = "\n".join(p["html"] for p in parts)
    assert "Nu am găsit nimic despre asta în arhivă." in html
    assert "<b>Cele mai apropiate titluri</b>" in html
    assert "could not find" not in html and "Closest headlines" not in html
    buttons = [b["text"] for row in parts[-1]["reply_markup"]["inline_keyboard"] for b in row]
    assert buttons == ["Surse", "👍", "👎"]


async def test_a_romanian_answer_has_romanian_labels_and_dates_but_quotes_the_article(start_bot):
    bot = await start_bot()
    parts = await bot.say("Cine este Ioana Preda?", until_keyboard=True)
    html = "\n".join(p["html"] for p in parts)
    assert "<b>Surse</b>" in html and "Sources" not in html
    assert "aprilie 2025" in html  # the article's date, written in Romanian
    assert "Transport Minister Ioana Preda" in html  # the quoted sentence stays in English
    [sources] = await bot.say("/sources")
    assert sources["text"].startswith("Surse pentru: Cine este Ioana Preda?")


async def test_commands_answer_in_the_telegram_clients_language(start_bot):
    bot = await start_bot()
    user = romanian_user(bot.api)
    [hello] = await bot.say("/start", user=user)
    assert "Bună, Ioana!" in hello["text"] and "Răspund la întrebări din arhiva de știri" in hello["text"]
    assert "@archive_qa_bot" in hello["text"]
    [status] = await bot.say("/status", user=user)
    assert status["text"].startswith("Starea arhivei") and "Articole: " in status["text"]
    [unknown] = await bot.say("/frobnicate", user=user)
    assert unknown["text"] == "Nu cunosc această comandă. /help arată ce pot face."
    # the question's language wins over the client's: an English question is answered in English
    parts = await bot.say("How long will the new tram line in Timisoara be?", user=user, until_keyboard=True)
    assert "<b>Sources</b>" in "\n".join(p["html"] for p in parts)


async def test_following_a_romanian_topic_is_confirmed_in_romanian(start_bot):
    bot = await start_bot()
    [done] = await bot.say("/follow salariul minim pe economie")
    assert done["text"] == (
        "Urmăriți salariul minim pe economie: articolele noi despre acest subiect vor veni aici. "
        "/following arată subiectele dvs.; /unfollow oprește urmărirea."
    )
