"""/status, for everyone: how big and how fresh the archive is.

Readers judge an answer by how current the archive is, so this says how many articles it
holds, the newest one's date, and when the archive last updated successfully: the latest
successful source sync (``qabot.state.sync``) or, without sync records, the index's last publish.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from qabot.interfaces.bot.language import gettext_for
from qabot.interfaces.bot.render import day, esc
from qabot.interfaces.bot.state import read, state
from qabot.interfaces.freshness import freshness, when
from qabot.text.durations import format_duration


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/status — article count, newest article, last successful update."""
    st, message = state(context), update.effective_message
    assert message is not None
    info = await read(st, freshness, st.service)
    _ = gettext_for(update)
    lines = [
        _("<b>Archive status</b>"),
        _("Articles: {count}").format(count=info.articles),
        _("Newest article: {date}").format(date=esc(day(info.newest)) or _("none yet")),
        _("Last updated successfully: {when}").format(when=esc(when(info.updated)) if info.updated else _("never")),
    ]
    if st.settings.refresh_seconds:
        lines.append(_("Checked for new articles every {every}.").format(every=format_duration(st.settings.refresh_seconds)))
    if info.failing:
        lines.append(_("{failing} of {sources} sources failed their last update.").format(
            failing=info.failing, sources=info.sources))
    await message.reply_html("\n".join(lines))
