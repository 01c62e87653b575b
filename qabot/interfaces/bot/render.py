"""Answers, sources and headlines as Telegram HTML, split into messages Telegram accepts.

Everything that comes from articles or users goes through :func:`esc`; the only markup is
ours. Telegram refuses a message over ``MessageLimit.MAX_TEXT_LENGTH`` or one whose tags do
not balance, so :func:`split_html` cuts long texts at paragraph, then line, then word
boundaries, closing and reopening tags across the cut and never cutting a tag or entity.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from urllib.parse import quote

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from qabot.answers.layout import by_story, footer_of
from qabot.interfaces.bot.callbacks import suggestion_data
from qabot.models import Answer, Citation, Hit
from qabot.text.dates import long_date
from qabot.text.i18n import translator

MAX_LEN: int = MessageLimit.MAX_TEXT_LENGTH
SNIPPET_CHARS = 220
BUTTON_CHARS = 60  # a suggested question's button; longer ones are cut (the question asked is whole)

_TAG_NAME = re.compile(r"</?\s*([a-zA-Z][\w-]*)")


def esc(text: str) -> str:
    """Escape text for Telegram HTML (``<``, ``>``, ``&``)."""
    return html.escape(text, quote=False)


def tg_len(text: str) -> int:
    """Length as Telegram may count it (UTF-16 code units): never less than ``len(text)``."""
    return len(text.encode("utf-16-le")) // 2


def link(title: str, url: str, language: str = "en") -> str:
    """A headline, linked when the article has a web address."""
    title = esc(title.strip() or translator(language)("(untitled)"))
    # Telegram refuses a link with a space or control character in it ("Wrong HTTP URL")
    url = re.sub(r"[\s\x00-\x1f\x7f]", lambda m: quote(m.group()), url.strip())
    if url.startswith(("http://", "https://")) and len(url) > len("https://"):
        return f'<a href="{html.escape(url, quote=True)}">{title}</a>'
    return title


def day(published: str) -> str:
    """The ``YYYY-MM-DD`` part of an ISO date or datetime, or ``""``."""
    return published[:10] if published else ""


def shorten(text: str, limit: int = SNIPPET_CHARS) -> str:
    """One line of at most ``limit`` characters, cut at a word with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:") + "…"


def citation_line(c: Citation) -> str:
    """``[1] <a href="url#:~:text=…">Headline</a>, 2025-03-14``: the link opens the article at
    the quoted sentence (a URL text fragment, qabot.text.fragments)."""
    date = day(c.published)
    return f"[{c.n}] {link(c.title, c.link or c.url)}" + (f", {date}" if date else "")


def hit_line(hit: Hit, with_snippet: bool = True) -> str:
    """A bulleted headline with its date and, optionally, its best passage shortened."""
    date = day(hit.published)
    line = f"• {link(hit.title, hit.url)}" + (f", {date}" if date else "")
    if with_snippet and hit.passages:
        line += f"\n<i>{esc(shorten(hit.passages[0]))}</i>"
    return line


def dated_lines(answer: Answer) -> str:
    """A timeline, list, comparison or digest: the heading in bold, then one dated line per
    article ("• <b>2 June 2025</b> — … [1]"); a digest's stories apart by a blank line."""
    undated = translator(answer.language)("undated")
    out = [f"<b>{esc(answer.heading)}</b>"] if answer.heading else []
    for e in by_story(answer.timeline):
        out.append(f"• <b>{esc(long_date(e.published, answer.language) or undated)}</b> — {esc(e.text)} [{e.n}]"
                   if e else "")
    if footer := footer_of(answer):
        out.append(esc(footer))
    return "\n".join(out)


def render_answer(answer: Answer) -> list[str]:
    """The answer text, then its sources (or, when nothing was found, the closest headlines);
    labels and dates in the question's language, quotes in the article's."""
    _ = translator(answer.language)
    if answer.timeline:
        parts = [dated_lines(answer)]
    else:
        parts = [esc(answer.answer.strip()) or _("I have no answer to that.")]
    if answer.found and answer.citations:
        lines = [citation_line(c) for c in answer.citations]
        parts.append(f"<b>{_('Sources')}</b>\n" + "\n".join(lines))
    elif not answer.found and answer.closest:
        lines = [hit_line(h, with_snippet=False) for h in answer.closest]
        parts.append(f"<b>{_('Closest headlines')}</b>\n" + "\n".join(lines))
    return split_html("\n\n".join(parts))


def _passage_text(answer: Answer, c: Citation) -> str:
    """The cited sentences and the passages kept for that article, none repeated."""
    texts = [c.snippet.strip()] + [
        str(p.get("text") or "").strip()
        for p in answer.passages
        if isinstance(p, dict) and p.get("article_id") == c.article_id
    ]
    kept: list[str] = []
    for i, text in enumerate(texts):
        others = texts[:i] + texts[i + 1 :]
        if text and text not in kept and not any(text in o and text != o for o in others):
            kept.append(text)
    return "\n\n".join(kept)


def render_sources(answer: Answer) -> list[str]:
    """Each cited article with the passages the answer was drawn from, in full."""
    _ = translator(answer.language)
    if not answer.citations:
        return [_("No sources: the last answer did not quote the archive.")]
    blocks = [_("Sources for: <i>{question}</i>").format(question=esc(shorten(answer.question, 200)))]
    for c in answer.citations:
        text = _passage_text(answer, c).strip()
        block = f"<b>{citation_line(c)}</b>"
        if text:
            block += f"\n<blockquote>{esc(text)}</blockquote>"
        blocks.append(block)
    return split_html("\n\n".join(blocks))


def render_hits(heading: str, hits: Sequence[Hit]) -> list[str]:
    """A heading and one entry per article (``/search``, ``/latest``)."""
    return split_html("\n\n".join([f"<b>{esc(heading)}</b>", *(hit_line(h) for h in hits)]))


def answer_keyboard(answer_id: int, suggestions: Sequence[str] = (), language: str = "en") -> InlineKeyboardMarkup:
    """"Sources" and 👍/👎 under an answer, then one button per suggested question; callback
    data names the stored answer (and the suggestion's place in it)."""
    rows = [
        [
            InlineKeyboardButton(translator(language)("Sources"), callback_data=f"src:{answer_id}"),
            InlineKeyboardButton("👍", callback_data=f"fb:{answer_id}:1"),
            InlineKeyboardButton("👎", callback_data=f"fb:{answer_id}:-1"),
        ]
    ]
    return InlineKeyboardMarkup(rows + suggestion_rows(answer_id, suggestions))


def suggestion_rows(answer_id: int, suggestions: Sequence[str]) -> list[list[InlineKeyboardButton]]:
    """One button per suggested question (``START_SUGGESTIONS`` for a new chat's)."""
    return [[InlineKeyboardButton(shorten(q, BUTTON_CHARS), callback_data=suggestion_data(answer_id, i))]
            for i, q in enumerate(suggestions)]


# --- splitting ---------------------------------------------------------------------------

_ANY, _WORD, _LINE, _PARAGRAPH = range(4)
_TAGS = re.compile(r"<[^>]*>")
_EMPTY_PAIR = re.compile(r"<([a-zA-Z][\w-]*)(?:\s[^>]*)?>\s*</\1>")
_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\n\s*\n\s*|\n[ \t]*|[ \t]+|[^<&\s]+|[<&]")


def _tag(token: str) -> tuple[str, bool] | None:
    """``(name, closing)`` for a tag token, ``None`` for text."""
    if len(token) < 2 or not token.startswith("<") or not token.endswith(">"):
        return None
    m = _TAG_NAME.match(token)
    return (m.group(1).lower() if m else "", token.startswith("</"))


def _closing(stack: Sequence[tuple[str, str]]) -> str:
    return "".join(f"</{name}>" for name, _ in reversed(stack))


def _opening(stack: Sequence[tuple[str, str]]) -> str:
    return "".join(tag for _, tag in stack)


def _cut(text: str, limit: int) -> tuple[str, str]:
    """Cut ``text`` where the head fits ``limit`` once its open tags are closed: at the last
    paragraph break, else line break, else space, else inside a word; return head and the rest
    with the open tags reopened."""
    stack: list[tuple[str, str]] = []
    spots: dict[int, tuple[int, tuple[tuple[str, str], ...]]] = {}
    pos = used = 0
    seen_text = False
    for m in _TOKEN.finditer(text):
        token = m.group(0)
        closing = tg_len(_closing(stack))
        tag = _tag(token)
        if seen_text and used + closing <= limit and not (tag and tag[1]):
            kind = _ANY
            if token.isspace():
                kind = _PARAGRAPH if token.count("\n") > 1 else _LINE if "\n" in token else _WORD
            spots[kind] = (pos, tuple(stack))
        size = tg_len(token)
        if used + size + closing > limit and tag is None and not token.isspace():
            if token[0] != "&":
                # also offer a cut inside this word, used when no boundary is far enough along
                room = limit - used - closing
                take = 0
                while take < len(token) and tg_len(token[: take + 1]) <= room:
                    take += 1
                if take:
                    spots[_ANY] = (pos + take, tuple(stack))
            break
        if tag is not None:
            name, is_end = tag
            if is_end:
                if stack and stack[-1][0] == name:
                    stack.pop()
            elif not token.endswith("/>"):
                stack.append((name, token))
        elif not token.isspace():
            seen_text = True
        pos += len(token)
        used += size
    else:
        if tg_len(text) <= limit:
            return text, ""
    if not spots:
        # only when the tags alone nearly fill a message (absurdly small limits): drop them
        return _cut(_TAGS.sub("", text), limit)
    good = [k for k, (at, _) in spots.items() if tg_len(text[:at]) >= limit // 2]
    at, open_tags = spots[max(good or spots)]
    rest = _opening(open_tags) + text[at:].lstrip()
    while (emptied := _EMPTY_PAIR.sub("", rest)) != rest:  # a cut just before a closing tag
        rest = emptied
    return text[:at].rstrip() + _closing(open_tags), rest


def split_html(text: str, limit: int = MAX_LEN) -> list[str]:
    """Split Telegram HTML into messages of at most ``limit`` (UTF-16 units), each valid alone."""
    text = text.strip()
    parts: list[str] = []
    while tg_len(text) > limit:
        head, text = _cut(text, limit)
        if _visible(head):
            parts.append(head)
        text = text.strip()
    if _visible(text):
        parts.append(text)
    return parts or ["…"]


def _visible(text: str) -> bool:
    return bool(_TAGS.sub("", text).strip())
