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
from qabot.interfaces.bot.language import gettext_for
from qabot.interfaces.bot.render import day, esc, link, split_html
from qabot.interfaces.bot.state import NO_PREVIEW, state
from qabot.service import alerts
from qabot.text.i18n import translator
from qabot.text.lang import detect

log = logging.getLogger(__name__)


def _chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


async def follow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/follow topic — be told about new articles on it."""
    st, message = state(context), update.effective_message
    assert message is not None
    topic = command_text(message)
    _ = gettext_for(update, topic)
    if not topic:
        await message.reply_html(
            _("Which topic? e.g. <code>/follow minimum wage</code>. I'll send you new articles about it.")
        )
        return
    try:
        added = await asyncio.to_thread(alerts.follow, st.service.state, _chat_id(update), topic)
    except ValueError as e:
        await message.reply_text(_("Sorry, I can't add that: {error}.").format(error=e))
        return
    topic = " ".join(topic.split())
    if added:
        await message.reply_html(
            _("Following <b>{topic}</b>: new articles about it will come here. "
              "/following lists your topics; /unfollow stops.").format(topic=esc(topic))
        )
    else:
        await message.reply_html(_("You already follow <b>{topic}</b>.").format(topic=esc(topic)))


async def following(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/following — the topics this chat follows, numbered for /unfollow."""
    st, message = state(context), update.effective_message
    assert message is not None
    subs = await asyncio.to_thread(alerts.following, st.service.state, _chat_id(update))
    _ = gettext_for(update)
    if not subs:
        await message.reply_html(_("You follow no topics. Start with e.g. <code>/follow electricity prices</code>."))
        return
    lines = [f"{i}. {esc(s.topic)}" for i, s in enumerate(subs, 1)]
    await message.reply_html(_("<b>Topics you follow</b>") + "\n" + "\n".join(lines) + "\n\n"
                             + _("/unfollow N or /unfollow all"))


async def unfollow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/unfollow N|all — stop following one topic (by its /following number) or all."""
    st, message = state(context), update.effective_message
    assert message is not None
    which = command_text(message).lower()
    store, chat = st.service.state, _chat_id(update)
    subs = await asyncio.to_thread(alerts.following, store, chat)
    _ = gettext_for(update)
    if which == "all":
        chosen = subs
    elif which.isdigit() and 1 <= int(which) <= len(subs):
        chosen = [subs[int(which) - 1]]
    else:
        await message.reply_text(
            _("Unfollow what? Send /unfollow with a number from 1 to {count} (see /following), or /unfollow all.")
            .format(count=len(subs)) if subs
            else _("Unfollow what? Send /unfollow with nothing: you follow no topics, or /unfollow all.")
        )
        return
    for sub in chosen:
        await asyncio.to_thread(alerts.unfollow, store, chat, sub)
    if not chosen:
        await message.reply_text(_("You follow no topics."))
    elif len(chosen) == 1:
        await message.reply_html(_("Stopped following <b>{topic}</b>.").format(topic=esc(chosen[0].topic)))
    else:
        await message.reply_text(_("Stopped following all {count} topics.").format(count=len(chosen)))


def render_alerts(items: list[alerts.Alert]) -> list[str]:
    """One message (more only past Telegram's limit): headline, date, lead sentence, link; in
    the language the first topic was written in (a chat following "salariul minim" reads Romanian)."""
    _ = translator(detect(items[0].topic) if items else "en")
    heading = ("🔔 " + _("<b>New on a topic you follow</b>") if len(items) == 1
               else "🔔 " + _("<b>{count} new articles on topics you follow</b>").format(count=len(items)))
    blocks = [heading]
    for a in items:
        date = day(a.published)
        block = f"• {link(a.title, a.url)}" + (f", {date}" if date else "")
        if a.lead:
            block += f"\n{esc(a.lead)}"
        block += "\n<i>" + _("Topic: {topic}").format(topic=esc(a.topic)) + "</i>"
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
