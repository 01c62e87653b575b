"""Admin commands: /stats and /refresh, for the ids and @usernames in ``telegram_admins``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from qabot.errors import QabotError, WriterBusy
from qabot.interfaces.bot.guard import is_admin
from qabot.interfaces.bot.render import esc, shorten
from qabot.interfaces.bot.state import read, state

log = logging.getLogger(__name__)


async def _admin_only(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    if is_admin(state(context).settings.telegram_admins, update.effective_user):
        return True
    assert update.effective_message is not None
    await update.effective_message.reply_text("Sorry, only the bot's admins can do that.")
    return False


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/stats — index size, model and freshness, plus readers' votes."""
    if not await _admin_only(update, context):
        return
    st = state(context)
    info = await read(st, st.service.stats)
    votes = await read(st, st.feedback.totals)
    lines = [
        "<b>Archive</b>",
        f"Articles: {info.get('articles', '?')}, passages: {info.get('chunks', '?')}",
        f"Model: {esc(str(info.get('model', '?')))} ({info.get('dim', '?')} dims, {esc(str(info.get('index', '?')))})",
        f"Updated: {esc(str(info.get('updated_at') or 'never'))}",
        f"Feedback: 👍 {votes['up']} · 👎 {votes['down']}",
    ]
    if st.refresh is not None and not st.refresh.done():
        lines.append("A refresh is running.")
    assert update.effective_message is not None
    await update.effective_message.reply_html("\n".join(lines))


def summary(report: Any) -> str:
    """One message for an ingest report: counts, then the first few failures."""
    r = report.as_dict() if hasattr(report, "as_dict") else dict(report)
    failed = r.get("failed") or []
    text = (
        f"<b>Refresh done</b> in {float(r.get('seconds', 0)):.1f} s: {r.get('added', 0)} added, "
        f"{r.get('updated', 0)} updated, {r.get('unchanged', 0)} unchanged, {r.get('removed', 0)} removed, "
        f"{r.get('duplicates', 0)} duplicates, {len(failed)} failed; "
        f"{r.get('chunks_embedded', 0)} passages embedded."
    )
    for f in failed[:5]:
        text += f"\n• {esc(shorten(str(f.get('source', '?')), 120))}: {esc(shorten(str(f.get('error', '')), 200))}"
    if len(failed) > 5:
        text += f"\n… and {len(failed) - 5} more (see the log)."
    return text


async def refresh(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/refresh [prune] — re-read the configured sources in the background, report when done."""
    if not await _admin_only(update, context):
        return
    st, message = state(context), update.effective_message
    assert message is not None
    if st.refresh is not None and not st.refresh.done():
        await message.reply_text("A refresh is already running; I'll report when it's done.")
        return
    prune = (context.args or [""])[0].lower() == "prune"
    status = await message.reply_text("Refreshing the archive… I'll report here when it's done.")
    # A daemon thread and a task of our own, not the update's: shutting the bot down must not
    # wait for a long ingest (the index keeps its last published version).
    from qabot.interfaces.bot.schedule import run_round  # the one place a round is run

    st.tasks.add(task := asyncio.create_task(_report(run_round(st, prune=prune, every_source=True), status)))
    task.add_done_callback(st.tasks.discard)


async def _report(job: Awaitable[Any], status: Message) -> None:
    try:
        report = await job
    except WriterBusy:  # another process (a CLI ingest, a reindex) holds the index's writer lock
        text = "A refresh is already running in another process; its new articles appear when it is done."
    except QabotError as e:
        text = f"Refresh failed: {esc(str(e))}"
    except Exception:
        log.exception("Refresh failed")
        text = "Refresh failed with an unexpected error; see the bot's log."
    else:
        text = summary(report) if report is not None else (
            "Another process is refreshing the archive right now; its new articles appear when it is done."
        )
        log.info("Refresh finished: %s", report.as_dict() if hasattr(report, "as_dict") else report)
    try:
        await status.edit_text(text, parse_mode=ParseMode.HTML)
    except TelegramError as e:
        log.warning("Could not report the refresh: %s", e)
