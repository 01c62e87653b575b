"""Rendering: escaping, citations, and long texts split into messages Telegram accepts."""

from __future__ import annotations

import re

from telegram import Bot

from qabot.interfaces.bot.render import (
    render_answer,
    render_hits,
    render_sources,
    split_html,
    tg_len,
)
from qabot.models import Answer, Citation, Hit

from .telegram_rules import MAX_TEXT, parse_html

NASTY = 'Mayor\'s "plan" <b>bold</b> & <script>alert(1)</script>'


def citation(n: int, title: str = NASTY, url: str = "https://exemplunews.ro/a?x=1&y=\"2\"") -> Citation:
    return Citation(n, f"a{n}", title, url, "2025-03-14T09:30:00+02:00", "A snippet & more.")


def words(text: str) -> list[str]:
    return text.split()


def test_answer_shows_escaped_linked_headlines_with_dates():
    answer = Answer("q", "The plan <b>passed</b> & was signed [1]. It costs 5 lei [2].", (citation(1), citation(2, url="")))
    [html] = render_answer(answer)
    assert parse_html(html) == (
        "The plan <b>passed</b> & was signed [1]. It costs 5 lei [2].\n\nSources\n"
        f"[1] {NASTY}, 2025-03-14\n[2] {NASTY}, 2025-03-14"
    )
    assert '[1] <a href="https://exemplunews.ro/a?x=1&amp;y=&quot;2&quot;">Mayor\'s "plan" &lt;b&gt;' in html
    assert "[2] Mayor's" in html  # no address: the headline is not a link


def test_not_found_lists_the_closest_headlines():
    hit = Hit("h1", "Bridge <repairs>", "https://x.org/b", "2024-01-02", "", "", 0.2)
    [html] = render_answer(Answer("q", "Nothing about that in the archive.", found=False, closest=(hit,)))
    assert parse_html(html).endswith("Closest headlines\n• Bridge <repairs>, 2024-01-02")


def long_answer(paragraphs: int = 14, size: int = 900) -> Answer:
    body = "\n\n".join(
        f"Paragraph {i} " + " ".join(f"w{i}x{j} & <tag{j}>" for j in range(size // 14)) + f" [{i % 3 + 1}]."
        for i in range(paragraphs)
    )
    passages = tuple({"n": n, "article_id": f"a{n}", "text": "Passage ünïcödé 👍 " * 400} for n in (1, 2, 3))
    return Answer("a long question", body, tuple(citation(n) for n in (1, 2, 3)), passages)


def test_long_answer_is_split_at_paragraphs_into_valid_messages():
    answer = long_answer()
    parts = render_answer(answer)
    assert len(parts) > 2
    seen = ""
    for part in parts:
        assert len(part) <= MAX_TEXT and tg_len(part) <= MAX_TEXT
        seen += parse_html(part) + "\n\n"
    for paragraph in answer.answer.split("\n\n"):  # no paragraph was cut: each sits whole in one part
        assert any(paragraph in parse_html(p) for p in parts)
    assert words(seen) == words(parse_html("\n\n".join(parts)))
    assert "[3] " + NASTY in seen


def test_long_sources_keep_blockquotes_balanced_across_messages():
    parts = render_sources(long_answer())
    assert len(parts) > 1
    for part in parts:
        assert tg_len(part) <= MAX_TEXT  # emoji count twice in UTF-16, and are counted so
        parse_html(part)
    assert sum(parse_html(p).count("👍") for p in parts) == 3 * 400
    assert all(p.count("<blockquote>") == p.count("</blockquote>") for p in parts)


def test_splitting_prefers_lines_then_words_and_cuts_words_only_when_alone():
    lines = "\n".join(f"line {i} " + "word " * 30 for i in range(300))
    parts = split_html(f"<i>{lines}</i>", 1000)
    for part in parts:
        assert len(part) <= 1000
        visible = parse_html(part)
        assert visible.startswith("line ") and visible.rstrip().endswith("word")
    one_word = "x" * 10_000
    parts = split_html(one_word)
    assert "".join(parts) == one_word and max(map(len, parts)) <= MAX_TEXT
    entities = "&amp;" * 3000  # never cut inside an entity
    for part in split_html(entities):
        assert re.fullmatch(r"(&amp;)+", part)


def test_hits_list_escapes_snippets():
    hit = Hit("h", "Title & co", "", "2025-01-01", "", "", 1.0, ("<i>snippet</i> & more",))
    [html] = render_hits("Articles matching “<x>”", [hit])
    assert parse_html(html) == "Articles matching “<x>”\n\n• Title & co, 2025-01-01\n<i>snippet</i> & more"


async def test_telegram_accepts_every_part_of_a_long_answer(standin):
    chat = standin.chat(1001)
    standin.send_text("hi", chat=chat)  # Telegram only knows chats that talked to the bot
    parts = render_answer(long_answer()) + render_sources(long_answer())
    async with Bot(standin.token, base_url=standin.url) as bot:
        for part in parts:
            await bot.send_message(chat["id"], part, parse_mode="HTML")
    assert len(standin.of("sendMessage")) == len(parts)
    assert not standin.of("sendMessage", ok=False)
