"""Topic alerts in Telegram: /follow, /following, /unfollow, and delivering the outbox.

The matching and queueing happen where the refresh ran (``qabot.service.alerts``); here a bot takes
the queued alerts for each chat out of the outbox and sends them in one message (split only
past Telegram's length limit). Sends go through the application's AIORateLimiter, so flood
limits are respected; a chat that blocked the bot (403) loses its subscriptions.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import ContextTypes

from qabot.interfaces.bot.handlers import command_text
from qabot.interfaces.bot.render import day, esc, link, split_html
from qabot.interfaces.bot.state import NO_PREVIEW, state
from qabot.service import alerts

log = logging.getLogger(__name__)


def _chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


async def follow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/follow topic — be told about new articles on it."""
    st, message = state(context), update.effective_message
    assert message is not None
    topic = command_text(message)
    if not topic:
        await message.reply_html(
            "Which topic? e.g. <code>/follow minimum wage</code>. I'll send you new articles about it."
        )
        return
    try:
        added = await asyncio.to_thread(alerts.follow, st.service.state, _chat_id(update), topic)
    except ValueError as e:
        await message.reply_text(f"Sorry, I can't add that: {e}.")
        return
    topic = " ".join(topic.split())
    if added:
        await message.reply_html(
            f"Following <b>{esc(topic)}</b>: new articles about it will come here. "
            "/following lists your topics; /unfollow stops."
        )
    else:
        await message.reply_html(f"You already follow <b>{esc(topic)}</b>.")


async def following(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/following — the topics this chat follows, numbered for /unfollow."""
    st, message = state(context), update.effective_message
    assert message is not None
    subs = await asyncio.to_thread(alerts.following, st.service.state, _chat_id(update))
    if not subs:
        await message.reply_html("You follow no topics. Start with e.g. <code>/follow electricity prices</code>.")
        return
    lines = [f"{i}. {esc(s.topic)}" for i, s in enumerate(subs, 1)]
    await message.reply_html("<b>Topics you follow</b>\n" + "\n".join(lines) + "\n\n/unfollow N or /unfollow all")


async def unfollow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unfollow N|all — stop following one topic (by its /following number) or all."""
    st, message = state(context), update.effective_message
    assert message is not None
    which = command_text(message).lower()
    store, chat = st.service.state, _chat_id(update)
    subs = await asyncio.to_thread(alerts.following, store, chat)
    if which == "all":
        chosen = subs
    elif which.isdigit() and 1 <= int(which) <= len(subs):
        chosen = [subs[int(which) - 1]]
    else:
        hint = f"a number from 1 to {len(subs)} (see /following)" if subs else "nothing: you follow no topics"
        await message.reply_text(f"Unfollow what? Send /unfollow with {hint}, or /unfollow all.")
        return
    for sub in chosen:
        await asyncio.to_thread(alerts.unfollow, store, chat, sub)
    if not chosen:
        await message.reply_text("You follow no topics.")
    elif len(chosen) == 1:
        await message.reply_html(f"Stopped following <b>{esc(chosen[0].topic)}</b>.")
    else:
        await message.reply_text(f"Stopped following all {len(chosen)} topics.")


def render_alerts(items: list[alerts.Alert]) -> list[str]:
    """One message (more only past Telegram's limit): headline, date, lead sentence, link."""
    heading = "🔔 <b>New on a topic you follow</b>" if len(items) == 1 else f"🔔 <b>{len(items)} new articles on topics you follow</b>"
    blocks = [heading]
    for a in items:
        date = day(a.published)
        block = f"• {link(a.title, a.url)}" + (f", {date}" if date else "")
        if a.lead:
            block += f"\n{esc(a.lead)}"
        block += f"\n<i>Topic: {esc(a.topic)}</i>"
        blocks.append(block)
    return split_html("\n\n".join(blocks))


async def deliver(context: ContextTypes.DEFAULT_TYPE) -> int:
    """Sends every chat its queued alerts; returns how many alerts went out."""
    store = state(context).service.state
    queued = await asyncio.to_thread(alerts.pending, store)
    sent = 0
    for chat_id, items in queued.items():
        mine = await asyncio.to_thread(alerts.claim, store, items)
        if not mine:
            continue  # another replica took them
        try:
            for part in render_alerts(mine):
                await context.bot.send_message(chat_id, part, parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW)
        except (Forbidden, BadRequest) as e:
            if isinstance(e, BadRequest) and "chat not found" not in e.message.lower():
                log.error("Alert for chat %s refused: %s", chat_id, e)
                continue
            dropped = await asyncio.to_thread(alerts.forget_chat, store, chat_id)
            log.info("Chat %s cannot be reached (%s): dropped its %d topics", chat_id, e.message, dropped)
            continue
        except TelegramError as e:  # the rate limiter already retried: try again next tick
            log.warning("Alerts for chat %s not sent (%s); will retry", chat_id, e)
            await asyncio.to_thread(alerts.requeue, store, mine)
            continue
        sent += len(mine)
    if sent:
        log.info("Sent %d topic alerts", sent)
    return sent
