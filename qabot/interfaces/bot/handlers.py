"""What readers talk to: questions, commands, buttons and the error reply.

In a private chat any text is a question. In a group the bot speaks only when addressed: a
@mention, a reply to one of its messages, or /ask. Each chat keeps its own follow-up context
(``tg:<chat_id>``); the service runs off the event loop, so one slow answer never holds up
another reader.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.error import NetworkError, TelegramError
from telegram.ext import ApplicationHandlerStop, ContextTypes

from qabot.interfaces.bot import deeplinks, render
from qabot.interfaces.bot.callbacks import START_SUGGESTIONS, parse_button
from qabot.interfaces.bot.guard import is_allowed
from qabot.interfaces.bot.language import client_language, gettext_for
from qabot.interfaces.bot.state import conversation, read, reply_parts, state, typing

log = logging.getLogger(__name__)
TODAY_QUESTION = "What's new today?"  # what /today asks (a digest: qabot.answers.digest)

HELP = """I answer questions from the news archive, quoting the articles I used.

Just ask, e.g. <i>What did the council decide about the bridge?</i> Follow-up questions
(<i>and when?</i>) continue the conversation.

/ask <i>question</i> — ask (in groups, or mention me, or reply to my message)
/search <i>words</i> — matching headlines
/latest [<i>topic</i>] — the newest articles
/today — what's new today, story by story
/sources — the passages behind my last answer
/reset — forget our conversation
/status — how fresh the archive is
/follow <i>topic</i> — get new articles on a topic; /following, /unfollow

Type <code>@{bot} words</code> in any chat to share an article."""

COMMANDS = [
    ("ask", "Ask a question about the news archive"),
    ("search", "Headlines matching some words"),
    ("latest", "The newest articles, optionally on a topic"),
    ("today", "What's new today, story by story"),
    ("sources", "The passages behind my last answer"),
    ("reset", "Forget our conversation"),
    ("status", "How many articles, how fresh"),
    ("follow", "Get new articles on a topic"),
    ("following", "The topics you follow"),
    ("unfollow", "Stop following a topic"),
    ("help", "How to use this bot"),
]


def command_text(message: Message) -> str:
    """The text after ``/command@bot``, newlines kept (``context.args`` would drop them)."""
    text = message.text or ""
    for entity in message.entities:
        if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
            return text[len(message.parse_entity(entity)) :].strip()
    return text.strip()


def addressed(message: Message, bot_id: int, username: str) -> str | None:
    """In a group, the question if the bot was mentioned or replied to, else ``None``."""
    text = message.text or ""
    mention = f"@{username}".lower()
    for entity, value in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if (entity.type == MessageEntity.MENTION and value.lower() == mention) or (
            entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot_id
        ):
            return re.sub(re.escape(mention), " ", text, flags=re.I).strip(" ,:\n")
    replied = message.reply_to_message
    if replied and replied.from_user and replied.from_user.id == bot_id:
        return text.strip()
    return None


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop updates from users and chats outside the allowlist (when one is set)."""
    st = state(context)
    if is_allowed(st.settings.telegram_allowlist, update.effective_user, update.effective_chat):
        return
    if update.inline_query:
        await update.inline_query.answer([], cache_time=60, is_personal=True)
    elif update.callback_query:
        await update.callback_query.answer("This bot is private.")
    elif update.effective_message and update.effective_chat and update.effective_chat.type == ChatType.PRIVATE:
        await update.effective_message.reply_text("Sorry, this bot is private.")
    raise ApplicationHandlerStop


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greets the reader and shows what to ask; ``/start a_<token>`` (a deep link from an
    article page) opens the conversation on that article."""
    assert update.effective_message is not None
    if context.args and await deeplinks.open_article(update, context, context.args[0]):
        return
    _ = gettext_for(update)
    name = update.effective_user.first_name if update.effective_user else _("there")
    hello = await update.effective_message.reply_html(
        _("Hello, {name}! ").format(name=render.esc(name)) + _(HELP).format(bot=render.esc(context.bot.username))
    )
    # then questions the archive answers, as buttons under it: each checked by asking it (cached
    # per index version), after the greeting so that it never waits for them
    st = state(context)
    suggested = await read(st, st.service.suggestions, language=client_language(update))
    if suggested:
        await _add_buttons(hello, InlineKeyboardMarkup(render.suggestion_rows(START_SUGGESTIONS, suggested)))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Lists the commands."""
    assert update.effective_message is not None
    _ = gettext_for(update)
    await update.effective_message.reply_html(_(HELP).format(bot=render.esc(context.bot.username)))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any text in a private chat, or an addressed one in a group, is a question."""
    message = update.effective_message
    if message is None or message.text is None:
        return
    if message.chat.type == ChatType.PRIVATE:
        question: str | None = message.text
    else:
        question = addressed(message, context.bot.id, context.bot.username)
        if question is None:
            return  # group chatter not meant for the bot
    await answer_question(update, context, question or "")


async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ask question — or /ask as a reply to a message, to ask what it says."""
    message = update.effective_message
    assert message is not None
    question = command_text(message)
    if not question and message.reply_to_message and message.reply_to_message.text:
        if message.reply_to_message.from_user and message.reply_to_message.from_user.id != context.bot.id:
            question = message.reply_to_message.text
    if not question:
        _ = gettext_for(update)
        await message.reply_html(_("Ask me something, e.g. <code>/ask what happened to the bridge?</code>"))
        return
    await answer_question(update, context, question)


async def refuse(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> bool:
    """Reply politely and return True when the question is too long or the user too quick."""
    st = state(context)
    message, user = update.effective_message, update.effective_user
    assert message is not None
    limit = st.settings.max_question_chars
    _ = gettext_for(update, question)
    if len(question) > limit:
        await message.reply_text(
            _("That's a long one ({length} characters). Please keep questions under {limit} characters — "
              "a short question finds the right articles best.").format(length=len(question), limit=limit)
        )
        return True
    wait = st.questions.hit(user.id if user else 0)
    if wait:
        await message.reply_text(
            _("You're asking faster than I can read the archive. Please try again in {seconds} s.").format(
                seconds=max(1, round(wait)))
        )
        return True
    return False


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE, question: str) -> None:
    """Answers from the archive with cited sources, a "Sources" button and 👍/👎."""
    st = state(context)
    message, chat, user = update.effective_message, update.effective_chat, update.effective_user
    assert message is not None and chat is not None
    question = question.strip()
    if not question:
        await message.reply_text(gettext_for(update)("Ask me a question about the news archive."))
        return
    if await refuse(update, context, question):
        return
    async with typing(context, chat.id):
        answer = await read(st, st.service.ask, question, conversation(update), language=client_language(update))
        answer_id = await read(
            st, st.feedback.record_answer, chat.id, user.id if user else None, question, answer.answer
        )
    await read(st, st.remember, answer_id, answer)
    sent = await reply_parts(message, render.render_answer(answer), render.answer_keyboard(answer_id, language=answer.language))
    if sent and answer.found:
        # the follow-ups the archive answers join the buttons once checked: the answer never waits
        suggested = await read(st, st.service.suggestions, answer)
        if suggested:
            await read(st, st.remember, answer_id, replace(answer, suggestions=suggested))
            await _add_buttons(sent[-1], render.answer_keyboard(answer_id, suggested, answer.language))


async def _add_buttons(message: Message, keyboard: InlineKeyboardMarkup) -> None:
    """Replaces a sent message's buttons; a message deleted meanwhile keeps none, and that is fine."""
    try:
        await message.edit_reply_markup(reply_markup=keyboard)
    except TelegramError as e:
        log.info("Could not add the suggested questions: %s", e)


async def today(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/today — today's articles grouped by story (the newest ones when none came out today)."""
    await answer_question(update, context, gettext_for(update)(TODAY_QUESTION))


async def search(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/search words — headlines of the best matching articles."""
    st, message = state(context), update.effective_message
    assert message is not None and update.effective_chat is not None
    query = command_text(message)
    _ = gettext_for(update, query)
    if not query:
        await message.reply_html(_("What should I look for? e.g. <code>/search bridge repairs</code>"))
        return
    if await refuse(update, context, query):
        return
    async with typing(context, update.effective_chat.id):
        hits = await read(st, st.service.search, query, 5)
    if not hits:
        await message.reply_html(_("Nothing in the archive matches <i>{query}</i>.").format(query=render.esc(query)))
        return
    await reply_parts(message, render.render_hits(_("Articles matching “{query}”").format(query=query), hits))


async def latest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/latest [topic] — the newest articles, optionally on a topic."""
    st, message = state(context), update.effective_message
    assert message is not None and update.effective_chat is not None
    topic = command_text(message)
    if await refuse(update, context, topic):
        return
    async with typing(context, update.effective_chat.id):
        hits = await read(st, st.service.latest, topic, 5)
    _ = gettext_for(update, topic)
    if not hits:
        await message.reply_html(
            _("The archive has no articles about <i>{topic}</i> yet.").format(topic=render.esc(topic)) if topic
            else _("The archive has no articles yet.")
        )
        return
    heading = _("Latest on “{topic}”").format(topic=topic) if topic else _("Latest articles")
    await reply_parts(message, render.render_hits(heading, hits))


async def sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/sources — the passages behind the last answer in this chat."""
    st, message = state(context), update.effective_message
    assert message is not None
    answer = await read(st, st.service.last_answer, conversation(update))
    if answer is None:
        await message.reply_text(
            gettext_for(update)("Ask me a question first; /sources then shows the passages my answer came from.")
        )
        return
    await reply_parts(message, render.render_sources(answer))


async def reset(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/reset — forget this chat's conversation."""
    st, message = state(context), update.effective_message
    assert message is not None
    await read(st, st.service.reset, conversation(update))
    await message.reply_text(
        gettext_for(update)("Done: I've forgotten our conversation. The next question starts fresh.")
    )


async def unknown(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An unknown /command in a private chat: point to /help instead of staying silent."""
    assert update.effective_message is not None
    await update.effective_message.reply_text(
        gettext_for(update)("I don't know that command. /help lists what I can do.")
    )


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The buttons under an answer: "Sources" and 👍/👎 (stored in the shared state)."""
    st, query = state(context), update.callback_query
    assert query is not None
    button = parse_button(query.data)
    chat = query.message.chat.id if query.message is not None else None
    _ = gettext_for(update)
    if button is not None and button.kind == "sq" and chat is not None:
        await _ask_suggested(update, context, button.answer_id, button.index, chat)
        return
    if button is None or chat is None or await read(st, st.feedback.chat_of, button.answer_id) != chat:
        # garbage, or another chat's answer id: never show (or rate) someone else's answer
        await query.answer(_("That button doesn't work here."))
        return
    if button.kind == "fb":
        stored = await read(st, st.feedback.vote, button.answer_id, query.from_user.id, button.vote)
        await query.answer(_("Thanks for the feedback!") if stored else _("That answer is too old to rate."))
    else:
        answer = await read(st, st.recall, button.answer_id)
        await query.answer()
        if isinstance(query.message, Message):
            if answer is None:
                await query.message.reply_text(
                    _("I no longer have the sources for that answer; try /sources or ask again.")
                )
            else:
                await reply_parts(query.message, render.render_sources(answer), quote=True)


async def _ask_suggested(
    update: Update, context: ContextTypes.DEFAULT_TYPE, answer_id: int, index: int, chat: int
) -> None:
    """A suggested question's button: asks it in this chat, as if the reader had typed it."""
    st, query = state(context), update.callback_query
    assert query is not None
    if answer_id == START_SUGGESTIONS:  # as /start offered them: in the reader's Telegram language
        suggested = await read(st, st.service.suggestions, language=client_language(update))
    elif await read(st, st.feedback.chat_of, answer_id) != chat:
        suggested = ()  # another chat's answer: never ask (or show) its suggestions here
    else:
        answer = await read(st, st.recall, answer_id)
        suggested = answer.suggestions if answer is not None else ()
    if index >= len(suggested):
        await query.answer("That suggestion is no longer available; please ask again.")
        return
    await query.answer()
    await answer_question(update, context, suggested[index])


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Logs the failure and tells the affected reader briefly; other readers never notice."""
    error = context.error
    if update is None and isinstance(error, NetworkError):
        log.warning("Telegram unreachable, retrying: %s", error)
        return
    log.error("Update %s failed", getattr(update, "update_id", "-"), exc_info=error)
    if not isinstance(update, Update):
        return
    try:
        _ = gettext_for(update, update.effective_message.text or "" if update.effective_message else "")
        if update.callback_query:
            await update.callback_query.answer(_("Sorry, that didn't work. Please try again."))
        elif update.effective_message and update.effective_message.text is not None:
            await update.effective_message.reply_text(
                _("Sorry, something went wrong while answering that. Please try again in a moment.")
            )
    except TelegramError as e:
        log.warning("Could not tell the reader about the failure: %s", e)
