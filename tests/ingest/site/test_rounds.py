"""`refresh_round`, the one function `qabot watch` and the bot's schedule call."""

from __future__ import annotations

from pathlib import Path

from qabot.service.qa import QAService
from qabot.service.schedule import refresh_round
from qabot.settings import Settings
from qabot.state.sync import load_status

from .site import NewsSite


def test_rounds_report_new_articles_once_and_respect_the_lock_and_each_sources_interval(
    news_site: NewsSite, encoder, tmp_path: Path
) -> None:
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nname = "Newsroom"\nurl = "{news_site.url("/news-sitemap.xml")}"\n\n'
        f'[[source]]\nname = "Feed, hourly"\nurl = "{news_site.url("/feed.rss")}"\nevery = "1h"\n',
        encoding="utf-8",
    )
    settings = Settings(_env_file=None, data_dir=tmp_path / "data", fetch_delay=0, sources_file=tmp_path / "sources.toml")
    service = QAService(settings, encoder)
    state = service.state
    seen: list[list[str]] = []

    first = refresh_round(service, state, on_new_articles=seen.append)
    assert first.ran and sorted(seen[0]) == sorted(news_site.url(s.path) for s in news_site.stories.values())
    assert load_status(state, "Newsroom").articles == 3

    news_site.publish("arad-bypass", "Arad bypass opens to lorries", [
        "The Arad bypass opened to lorries on Tuesday, taking heavy traffic out of the city centre, "
        "the county council said after a two-year delay.",
    ], "2025-11-15")
    second = refresh_round(service, state, on_new_articles=seen.append)
    assert seen[1] == [news_site.url("/news/arad-bypass")]
    assert second.skipped == ("Feed, hourly",)  # tried an instant ago; due again in an hour
    assert news_site.count("/feed.rss") == 1

    with state.exclusive("refresh"):
        busy = refresh_round(service, state, on_new_articles=seen.append)
    assert not busy.ran and busy.summary() == "skipped: another refresh is running"
    third = refresh_round(service, state, on_new_articles=seen.append)
    assert third.ran and len(seen) == 2  # nothing new: no call
    assert "embedded 0 passages" in third.summary()
