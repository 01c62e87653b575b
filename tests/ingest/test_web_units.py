"""Pure rules behind web sources: durations, page headline and date, CJK text, teaser runs,
feed boilerplate, the sources file."""

from __future__ import annotations

from pathlib import Path

import pytest

from qabot.errors import ConfigError, SourceError
from qabot.ingest.clean import clean_page
from qabot.ingest.loaders.feeds import strip_boilerplate
from qabot.ingest.loaders.html import extract_html, has_article_text
from qabot.ingest.loaders.pagemeta import page_meta, url_date
from qabot.ingest.loaders.sitemaps import parse_sitemap
from qabot.ingest.loaders.sources import read_sources_file


def test_headline_is_the_pages_own_not_the_browser_title() -> None:
    page = (
        "<html><head><title>Senate votes the budget | EcoPolitic News</title>"
        '<script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebSite"},'
        '{"@type":"NewsArticle","headline":"Senate votes the 2026 budget","datePublished":"2025-11-11T10:00:00+02:00"}]}'
        "</script></head><body><h1>Senate votes the 2026 budget</h1></body></html>"
    )
    assert page_meta(page).headline == "Senate votes the 2026 budget"
    assert page_meta(page).published == "2025-11-11"
    only_title = "<html><head><title>Floods in Galați county - EcoPolitic News</title></head><body></body></html>"
    assert page_meta(only_title).headline == "Floods in Galați county"
    with_time = '<html><body><h1>Port traffic up</h1><time datetime="2025-10-02T08:00">2 Oct</time></body></html>'
    assert page_meta(with_time).published == "2025-10-02"


@pytest.mark.parametrize("url, date", [
    ("https://news.example.ro/2025/07/14/bridge-opens", "2025-07-14"),
    ("https://news.example.ro/economy/bridge-opens-2025-07-14.html", "2025-07-14"),
    ("https://news.example.ro/economy/bridge-opens", ""),
    ("https://news.example.ro/2025/13/44/x", ""),
])
def test_date_in_the_url(url: str, date: str) -> None:
    assert url_date(url) == date


def test_japanese_and_chinese_pages_are_articles() -> None:
    ja = "東京都は十日、新しい港湾施設の建設を始めると発表した。完成は二〇二八年の予定で、総工費は約三百億円となる。"
    zh = "布加勒斯特市政府周一宣布，将在明年春季开始修建一条新的地铁线路，全长二十一公里。"
    assert has_article_text(ja) and has_article_text(zh)
    page = f"<html><body><article><h1>港湾施設</h1><p>{ja}</p><p>{ja}</p></article></body></html>"
    assert ja in extract_html(page.encode()).text
    assert not has_article_text("Acasă\n\nContact")


def test_a_teaser_run_does_not_take_the_article_paragraph_without_a_final_period() -> None:
    last = (
        "The ministry said the tender for the Sibiu-Pitești motorway section would be relaunched "
        "in the spring, with the same budget and a shorter deadline for the builders"
    )
    page = (
        "Motorway tender cancelled after appeals\n\n"
        "The transport ministry cancelled the tender for the Sibiu-Pitești motorway on Monday after "
        "three appeals from losing bidders.\n\n"
        f"{last}\n\n"
        "Rail freight grows for the third year in a row as the port of Constanța…\n\n"
        "New bridge over the Danube at Brăila draws record traffic in its first…\n"
    )
    cleaned = clean_page(page)
    assert cleaned.text.endswith(last)
    assert "Rail freight" not in cleaned.text and "Brăila" not in cleaned.text


def test_feed_boilerplate_goes() -> None:
    assert strip_boilerplate("A long post about trams in Iași.\n\nsubmitted by /u/tramfan [link] [comments]") == (
        "A long post about trams in Iași."
    )
    assert strip_boilerplate("Budget passes. The post Budget passes appeared first on EcoPolitic News.") == (
        "Budget passes."
    )


def test_news_sitemap_fields_and_unsafe_xml() -> None:
    sitemap = parse_sitemap(
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://n.ro/a</loc>'
        b"<news:news><news:publication_date>2025-11-11</news:publication_date><news:title>Budget</news:title>"
        b"</news:news></url></urlset>",
        10**6,
    )
    [entry] = sitemap.entries
    assert (entry.url, entry.published, entry.title, sitemap.is_index) == ("https://n.ro/a", "2025-11-11", "Budget", False)
    with pytest.raises(SourceError, match="external|entities|DTD"):
        parse_sitemap(b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><urlset>&e;</urlset>', 10**6)
    with pytest.raises(SourceError, match="not a sitemap"):
        parse_sitemap(b"<html><body>hi</body></html>", 10**6)


def test_sources_file_errors_name_the_file_and_entry(tmp_path: Path) -> None:
    bad = tmp_path / "sources.toml"
    bad.write_text('[[source]]\nname = "A"\nurl = "https://a.example/feed"\nevery = "often"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"sources.toml: source 1: every: 'often' is not a duration"):
        read_sources_file(bad)
    bad.write_text('[[source]]\nname = "A"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="source 1: needs url or path"):
        read_sources_file(bad)
    good = tmp_path / "ok.toml"
    good.write_text('[[source]]\nname = "Back issues"\npath = "archive"\nsection = "News"\nevery = "1d"\n', encoding="utf-8")
    [spec] = read_sources_file(good)
    assert (spec.name, spec.location, spec.section, spec.every) == ("Back issues", str(tmp_path / "archive"), "News", 86400)
