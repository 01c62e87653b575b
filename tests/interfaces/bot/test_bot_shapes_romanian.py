"""A Romanian reader's lists, digests (``/today``) and suggested questions in Telegram: the real
bot against the loopback Bot API stand-in, over the sample archive."""

from __future__ import annotations

from datetime import date

from qabot.text.dates import long_date
from tests.interfaces.bot.test_bot_romanian import romanian_user
from tests.interfaces.bot.test_bot_shapes import suggestion_buttons

ROMANIAN_ASKS = ("Cine este ", "Care sunt ultimele știri despre ", "Ce s-a întâmplat cu ", "Ce articole menționează ",
                 "Ce e nou săptămâna aceasta?")


async def test_a_romanian_list_has_its_heading_and_dates_in_romanian(start_bot):
    bot = await start_bot()
    parts = await bot.say("Ce articole menționează Sibiu?", until_keyboard=True)
    html = "\n".join(p["html"] for p in parts)
    assert html.startswith("<b>Articole care menționează Sibiu:</b>\n• <b>2 iunie 2025</b> — New regional children")
    assert "<b>Surse</b>\n[1] New regional children's hospital opens in Sibiu" in html
    assert not bot.api.of("sendMessage", ok=False)


async def test_today_in_a_romanian_client_is_a_romanian_digest(start_bot):
    bot = await start_bot()
    user = romanian_user(bot.api)
    parts = await bot.say("/today", user=user, until_keyboard=True)
    text = "\n".join(p["text"] for p in parts)
    assert text.startswith(f"Nu s-a publicat nimic pe {long_date(date.today().isoformat(), 'ro')}. "
                           "Cele mai recente articole:")
    assert "\nSurse\n" in text


async def test_start_in_a_romanian_client_offers_romanian_questions_the_archive_answers(start_bot):
    bot = await start_bot()
    user = romanian_user(bot.api)
    [hello] = await bot.say("/start", user=user)
    suggested = await suggestion_buttons(bot, hello)
    assert 1 <= len(suggested) <= 3
    assert all(text.startswith(ROMANIAN_ASKS) for text in suggested), suggested
    for data in suggested.values():
        before = len(bot.api.sent(user["id"]))
        bot.api.press(hello, data, user=user)
        reply = await bot.api.wait_for(
            lambda before=before: [m for m in bot.api.sent(user["id"])[before:] if m.get("reply_markup")]
        )
        assert "Nu am găsit nimic" not in reply[-1]["text"] and "[1]" in reply[-1]["text"]
