"""/status, for everyone: how big and how fresh the archive is.

Readers judge an answer by how current the archive is, so this says how many articles it
holds, the newest one's date, and when the archive last updated successfully: the latest
successful source sync (``qabot.state.sync``) or, without sync records, the index's last publish.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update
from telegram.ext import ContextTypes

from qabot.interfaces.bot.language import gettext_for
from qabot.interfaces.bot.render import day, esc
from qabot.interfaces.bot.state import read, state
from qabot.state.sync import all_statuses
from qabot.text.durations import format_duration


@dataclass(frozen=True)
class Freshness:
    articles: int
    newest: str  # date of the newest article, "" when empty
    updated: str  # ISO time of the last successful update, "" for never
    sources: int
    failing: int


def freshness(service) -> Freshness:  # noqa: ANN001 - the QAService
    stats = service.stats()
    latest = service.latest("", 1)
    statuses = all_statuses(service.state)
    synced = max((s.last_success for s in statuses if s.last_success), default="")
    published = str(stats.get("updated_at") or "")
    return Freshness(
        articles=int(stats.get("articles") or 0),
        newest=latest[0].published if latest else "",
        updated=max(synced, published),
        sources=len(statuses),
        failing=sum(1 for s in statuses if s.consecutive_failures),
    )


def when(iso: str) -> str:
    """``2026-12-01T21:40:05+00:00`` -> ``2026-12-01 21:40 UTC``."""
    if not iso:
        return "never"
    text = iso.replace("T", " ")[:16]
    return f"{text} UTC" if ("+00:00" in iso or iso.endswith("Z")) else text


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
