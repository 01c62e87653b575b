"""Hostile input (issue 12): random Unicode, control characters, RTL marks, zero-width joiners,
10 MB lines, deeply nested HTML, entities and text that looks like Telegram markup. Nothing may
crash, and every message the bot renders must be accepted by the strict Bot API stand-in.

CI runs a few examples per property (profile ``ci``); a longer run:
``QABOT_HYPOTHESIS=long bash scripts/test tests/harden/test_hostile.py`` (1,000 examples each).
"""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qabot.ingest.chunk import chunk_article
from qabot.ingest.clean import clean_page
from qabot.ingest.loaders import load_sources
from qabot.interfaces.bot.render import render_answer, render_hits, render_sources
from qabot.models import Answer, Article, Citation, Hit, LoadError
from qabot.settings import Settings
from qabot.text.sentences import split_sentences
from tests.interfaces.bot.telegram_rules import check_text

settings.register_profile("ci", max_examples=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("long", max_examples=1000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("QABOT_HYPOTHESIS", "ci"))

SPECIAL = ["\u200f", "\u200e", "\u202e", "\u200d", "\u200b", "\ufeff", "\x00", "\x1b[31m", "\r", "\t",
           "&amp;", "&lt;b&gt;", "&#0;", "&#x110000;", "&nbsp;", "<b>", "</i>", "<a href='javascript:x'>",
           "*bold*", "_it_", "`code`", "[x](http://a)", "<tg-spoiler>", "||", "👍🏽", "👨‍👩‍👧", "ș", "Ț",
           "Mr.", "U.S.", "...", "…", "\n\n", "Published on 12 May 2025", "AGERPRES", "Home > News"]
hostile = st.lists(st.one_of(st.text(max_size=40), st.sampled_from(SPECIAL)), max_size=40).map("".join)


def words(texts):
    return [len(t.split()) + 1 for t in texts]


@given(hostile, st.one_of(st.none(), hostile))
def test_the_cleaner_never_crashes(text, title):
    page = clean_page(text, title=title)
    assert isinstance(page.text, str) and isinstance(page.title, str)


@given(hostile)
def test_the_sentence_splitter_keeps_every_word(text):
    sentences = split_sentences(text)
    assert all(s.strip() for s in sentences)
    assert "".join("".join(sentences).split()) == "".join(text.split()) or len(sentences) <= len(text)


@given(hostile, hostile, st.integers(min_value=8, max_value=64), st.sampled_from([0, 1, 2, "auto"]))
def test_the_chunker_never_crashes_and_keeps_the_budget(title, text, budget, overlap):
    article = Article("x", title, text or "x")
    chunks = chunk_article(article, words, budget, overlap)
    # a body of only whitespace ("\r") has nothing to embed: no passage, and no crash
    assert chunks or not article.text.strip()
    assert all(isinstance(c.text, str) and c.body.strip() for c in chunks)


@settings(max_examples=15)
@given(hostile, st.sampled_from([".txt", ".md", ".html", ".json", ".jsonl", ".xml", ".rss"]))
def test_the_loaders_turn_anything_into_articles_or_one_error_line(tmp_path_factory, text, ext):
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / f"page{ext}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass") if text else path.write_bytes(b"")
    items = list(load_sources([str(path)], Settings(data_dir=folder)))
    for item in items:
        assert isinstance(item, Article | LoadError)
        if isinstance(item, LoadError):
            assert "\n" not in item.error.strip() and item.source


def test_ten_megabyte_lines_and_deep_html_are_read_or_refused_in_one_line(tmp_path):
    line = ("Bucharest council votes " * 420_000)[:10 * 1024 * 1024]
    (tmp_path / "long.txt").write_text("A headline\n\n" + line)
    (tmp_path / "long.jsonl").write_text(json.dumps({"id": "long", "title": "T", "text": line}) + "\n")
    (tmp_path / "deep.html").write_text("<html><body>" + "<div>" * 50_000 + "Deep text here. " * 50
                                        + "</div>" * 50_000 + "</body></html>")
    (tmp_path / "entities.html").write_text("<html><body><p>" + "&amp;&lt;&#x1F44D;&bogus;" * 20_000
                                            + "</p></body></html>")
    items = list(load_sources([str(tmp_path)], Settings(data_dir=tmp_path / "d", max_file_mb=64)))
    assert len(items) == 4
    for item in items:
        if isinstance(item, LoadError):
            assert "\n" not in item.error


url = st.one_of(st.just(""), st.just("https://exemplunews.ro/a?b=1&c=<d>\"e'"), hostile.map(lambda s: "https://x.ro/" + s))
hits = st.builds(Hit, hostile, hostile, url, st.sampled_from(["", "2025-05-19", "2025-05-19T10:00:00"]),
                 hostile, hostile, st.floats(0, 1), st.lists(hostile, max_size=2).map(tuple))
citations = st.builds(Citation, st.integers(1, 9), hostile, hostile, url, st.just("2025-01-02"), hostile)


@given(hostile, st.lists(citations, max_size=4), st.lists(hits, max_size=4), st.booleans(),
       st.lists(st.fixed_dictionaries({"article_id": hostile, "text": hostile}), max_size=3))
def test_every_rendered_message_is_accepted_by_the_strict_stand_in(text, cites, closest, found, passages):
    answer = Answer(question=text[:300], answer=text, citations=tuple(cites), passages=tuple(passages),
                    found=found, closest=tuple(closest))
    for part in [*render_answer(answer), *render_sources(answer), *render_hits(text[:50] or "Results", closest)]:
        check_text(part, "HTML")


def test_a_huge_answer_is_split_into_accepted_messages():
    text = ("<b>&amp; 👨‍👩‍👧 \u202e " * 3000)
    cite = Citation(1, "a", "<i>" * 500, "https://x.ro/" + "a" * 3000, "2025-01-02", text)
    parts = render_answer(Answer(question="q", answer=text, citations=(cite,) * 9))
    assert len(parts) > 1
    for part in parts + render_sources(Answer(question=text, answer=text, citations=(cite,) * 9)):
        check_text(part, "HTML")
