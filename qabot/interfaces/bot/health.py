"""Failing sources, told to the admins: once when a source has failed ``FAILING_ROUNDS`` rounds
in a row, and once when it works again.

It reads the per-source sync records (``qabot.state.sync``) whoever wrote them, and remembers what
it said in the shared state (namespace ``source_alerts``), so a restart or a second replica
never repeats it. Admins listed by @username are reached once they have written to the bot
(their user id is remembered in namespace ``admins``); numeric ids are reached at once.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from qabot.interfaces.bot.guard import is_admin
from qabot.interfaces.bot.render import esc, shorten
from qabot.interfaces.bot.state import state
from qabot.state import StateStore
from qabot.state.sync import SourceStatus, all_statuses

log = logging.getLogger(__name__)

FAILING_ROUNDS = 3
NS, ADMINS = "source_alerts", "admins"


async def remember_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Notes an admin's user id (runs before every handler; stores only on first sight)."""
    st, user = state(context), update.effective_user
    if user is None or user.id in st.admins_seen or not is_admin(st.settings.telegram_admins, user):
        return
    st.admins_seen.add(user.id)
    await asyncio.to_thread(st.service.state.put, ADMINS, str(user.id), {"username": user.username or ""})


def admin_chats(store: StateStore, admins: list[str]) -> list[int]:
    """Numeric ids from the settings, plus @usernames' ids once seen (still listed ones only)."""
    ids = {int(a) for a in admins if a.strip().lstrip("-").isdigit()}
    names = {a.strip().lstrip("@").lower() for a in admins if not a.strip().lstrip("-").isdigit()}
    for key, value in store.scan(ADMINS):
        if value.get("username", "").lower() in names:
            ids.add(int(key))
    return sorted(ids)


def changes(store: StateStore) -> list[tuple[SourceStatus, bool]]:
    """``(status, failing)`` for each source whose state the admins have not heard of yet;
    records it as told. ``failing`` False means it recovered."""
    out = []
    for status in all_statuses(store):
        told = (store.get(NS, status.source) or {}).get("failing", False)
        if status.consecutive_failures >= FAILING_ROUNDS and not told:
            out.append((status, True))
        elif status.consecutive_failures == 0 and told:
            out.append((status, False))
        else:
            continue
        store.put(NS, status.source, {"failing": out[-1][1], "at": status.last_attempt})
    return out


def message(status: SourceStatus, failing: bool) -> str:
    name = esc(shorten(status.source, 200))
    if failing:
        since = f" (last success {esc(status.last_success)})" if status.last_success else " (it has never worked)"
        return (
            f"⚠️ <b>Source failing</b>: {name} failed {status.consecutive_failures} refresh rounds in a row"
            f"{since}.\nLast error: {esc(shorten(status.last_error or '?', 300))}"
        )
    return f"✅ <b>Source recovered</b>: {name} works again (refreshed {esc(status.last_success)})."


async def notify_admins(context: ContextTypes.DEFAULT_TYPE) -> int:
    """Tells the admins about sources that started failing or recovered; returns messages sent.
    One replica at a time (``exclusive``): the others skip and the next tick sees it told."""
    st = state(context)
    store = st.service.state
    with store.exclusive("source-alerts") as mine:
        if not mine:
            return 0
        found = await asyncio.to_thread(changes, store)
        if not found:
            return 0
        chats = await asyncio.to_thread(admin_chats, store, st.settings.telegram_admins)
        sent = 0
        for status, failing in found:
            log.warning("Source %s %s", status.source, "is failing" if failing else "recovered")
            for chat_id in chats:
                try:
                    await context.bot.send_message(chat_id, message(status, failing), parse_mode=ParseMode.HTML)
                    sent += 1
                except TelegramError as e:
                    log.warning("Could not tell admin %s about source %s: %s", chat_id, status.source, e)
        return sent
