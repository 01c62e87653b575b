"""Inline mode: ``@bot words`` in any chat offers matching articles to share."""

from __future__ import annotations

import hashlib

from telegram import InlineQueryResultArticle, InputTextMessageContent, Update
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from qabot.interfaces.bot.render import day, hit_line, shorten, split_html
from qabot.interfaces.bot.state import NO_PREVIEW, read, state
from qabot.models import Hit

RESULTS = 10


def result(hit: Hit) -> InlineQueryResultArticle:
    """One article as a shareable result: headline, date and snippet; the message links it."""
    snippet = shorten(hit.passages[0], 150) if hit.passages else ""
    date = day(hit.published)
    return InlineQueryResultArticle(
        # ids are limited to 64 bytes; article ids (often URLs) may be longer
        id=hashlib.sha1(hit.article_id.encode()).hexdigest(),
        title=shorten(hit.title, 120) or "(untitled)",
        description=" · ".join(x for x in (date, snippet) if x) or None,
        url=hit.url if hit.url.startswith(("http://", "https://")) else None,
        input_message_content=InputTextMessageContent(
            split_html(hit_line(hit))[0], parse_mode=ParseMode.HTML, link_preview_options=NO_PREVIEW
        ),
    )


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answers an inline query with matching articles, or the newest ones when it is empty."""
    st, query = state(context), update.inline_query
    assert query is not None
    text = query.query.strip()[: st.settings.max_question_chars]
    if st.inline.hit(query.from_user.id):
        await query.answer([], cache_time=5, is_personal=True)
        return
    if text:
        hits = await read(st, st.service.search, text, RESULTS)
    else:
        hits = await read(st, st.service.latest, "", RESULTS)
    seen: set[str] = set()
    results = []
    for hit in hits:
        if hit.article_id not in seen:
            seen.add(hit.article_id)
            results.append(result(hit))
    await query.answer(results, cache_time=30)
