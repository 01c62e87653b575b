"""``/start a_<token>``: a reader followed "Ask about this article" from a page of the site.

The chat's questions then answer from that article first (``QAService.open_article``), until
/reset; the focus lives in the shared state, so it survives restarts and other replicas.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from qabot.interfaces.bot.language import gettext_for
from qabot.interfaces.bot.render import day, esc, link
from qabot.interfaces.bot.state import conversation, read, state
from qabot.interfaces.deeplink import PREFIX


def _resolve(st, parameter: str) -> dict | None:  # noqa: ANN001 - BotState
    service = st.service
    store = service.store
    article_id = st.tokens.resolve(parameter, store.version, lambda: list(store.content_hashes()))
    return service.show(article_id) if article_id else None


async def open_article(update: Update, context: ContextTypes.DEFAULT_TYPE, parameter: str) -> bool:
    """Handles a deep-link start parameter; ``False`` when it is not one (a plain /start)."""
    if not parameter.startswith(PREFIX):
        return False
    st, message = state(context), update.effective_message
    assert message is not None
    article = await read(st, _resolve, st, parameter)
    _ = gettext_for(update)
    if article is None:
        await message.reply_text(
            _("I can't find that article in the archive (it may have been removed). "
              "Ask me anything about the news archive instead.")
        )
        return True
    await read(st, st.service.open_article, conversation(update), article["article_id"])
    date = day(article["published"])
    await message.reply_html(
        _("You're reading: {article}").format(article=link(article["title"], article["url"]))
        + (f", {esc(date)}" if date else "")
        + "\n\n" + _("Ask me anything about it, e.g. <i>what was decided?</i> I'll answer from this article "
                      "first. /reset to ask about the whole archive.")
    )
    return True
