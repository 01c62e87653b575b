"""The real CLI against the loopback newsroom: sitemaps, feeds, conditional requests, updates,
pruning, the sources file and `qabot sources`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qabot.interfaces.cli.commands import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL
from qabot.interfaces.cli.main import main

from .site import FOOTER, NewsSite


@pytest.fixture(autouse=True)
def _fast_polite(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("QABOT_FETCH_DELAY", "0")
    monkeypatch.setenv("QABOT_DATA_DIR", str(tmp_path / "data"))


def cli(capsys, *argv: str) -> tuple[int, dict | list | str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    try:
        data = json.loads(out.out)
    except ValueError:
        data = out.out
    return code, data, out.err


def test_sitemap_site_indexes_clean_pages_and_a_second_refresh_downloads_nothing(
    news_site: NewsSite, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("QABOT_SOURCES", news_site.url("/sitemap.xml"))
    code, report, err = cli(capsys, "refresh", "--json")
    assert code == EXIT_OK, err
    assert report["added"] == 3 and report["fetched"] >= 5  # index, gz sitemap, 3 pages
    assert report["sources"] == [
        {"source": news_site.url("/sitemap.xml"), "ok": True, "error": "", "added": 3, "updated": 0}
    ]
    code, article, _ = cli(capsys, "show", news_site.url("/news/cluj-metro-tender"), "--json")
    assert article["title"] == "Cluj-Napoca awards the tender for its first metro line"  # not "... | EcoPolitic News"
    assert article["published"] == "2025-11-06"
    assert "Latest articles" not in article["text"] and FOOTER[:30] not in article["text"]
    assert "Constanța" not in article["text"]  # the teaser of another story stayed out

    served = news_site.page_hits(200)
    code, again, _ = cli(capsys, "refresh", "--json")
    assert code == EXIT_OK
    assert news_site.page_hits(200) == served  # no article page downloaded again
    assert again["chunks_embedded"] == 0 and again["added"] == again["updated"] == 0
    assert again["not_modified"] >= 1 and news_site.count("/sitemap-articles.xml.gz", 304) == 1


def test_changed_page_is_an_update_and_a_new_one_is_added(news_site: NewsSite, capsys, monkeypatch) -> None:
    monkeypatch.setenv("QABOT_SOURCES", news_site.url("/sitemap.xml"))
    assert cli(capsys, "refresh", "--json")[0] == EXIT_OK
    news_site.update("brasov-airport-passengers", [
        "Brașov-Ghimbav International Airport welcomed its half-millionth passenger of the year on "
        "Sunday, and the county council approved a second runway study the same day.",
    ])
    news_site.publish("iasi-hospital", "Iași regional hospital gets its building permit", [
        "The regional emergency hospital in Iași received its building permit on Friday, the health "
        "ministry said, clearing the way for construction to begin in January.",
    ], "2025-11-10")
    code, report, _ = cli(capsys, "refresh", "--json")
    assert code == EXIT_OK
    assert (report["added"], report["updated"], report["not_modified"]) == (1, 1, 2)
    code, hits, _ = cli(capsys, "search", "second runway study Brașov", "--json")
    assert hits["results"][0]["title"] == "Brașov airport passes half a million passengers"


def test_feed_source_sends_conditional_requests(news_site: NewsSite, capsys, monkeypatch) -> None:
    monkeypatch.setenv("QABOT_SOURCES", news_site.url("/feed.rss"))
    code, report, _ = cli(capsys, "refresh", "--json")
    assert code == EXIT_OK and report["added"] == 3
    served = news_site.page_hits(200)
    code, again, _ = cli(capsys, "refresh", "--json")
    assert news_site.count("/feed.rss", 304) == 1  # the feed itself has not changed
    assert news_site.page_hits(200) == served and again["chunks_embedded"] == 0
    assert again["sources"][0]["ok"] is True


def test_news_sitemap_date_stands_in_for_a_page_without_one(news_site: NewsSite, capsys) -> None:
    news_site.publish("senate-budget", "Senate passes the 2026 budget in first reading", [
        "The Senate passed the 2026 state budget in first reading on Tuesday with 81 votes in favour, "
        "sending the bill to the Chamber of Deputies for a final vote next week.",
    ], "2025-11-11", page_date=False)
    code, report, _ = cli(capsys, "ingest", news_site.url("/news-sitemap.xml"), "--json")
    assert code == EXIT_OK and report["added"] == 4
    _, article, _ = cli(capsys, "show", news_site.url("/news/senate-budget"), "--json")
    assert article["published"] == "2025-11-11"


def test_prune_removes_held_urls_that_answer_404_or_410(news_site: NewsSite, capsys, monkeypatch) -> None:
    monkeypatch.setenv("QABOT_SOURCES", news_site.url("/sitemap.xml"))
    assert cli(capsys, "refresh", "--json")[0] == EXIT_OK
    news_site.unpublish("cluj-metro-tender")  # 404 and out of the sitemap
    news_site.unlist("brasov-airport-passengers")  # out of the sitemap, still online
    code, report, _ = cli(capsys, "refresh", "--json")
    assert report["removed"] == 0  # a sitemap that stops listing a URL does not delete it
    code, report, _ = cli(capsys, "refresh", "--prune", "--json")
    assert code == EXIT_OK and report["removed"] == 1
    _, stats, _ = cli(capsys, "stats", "--json")
    assert stats["articles"] == 2
    assert main(["show", news_site.url("/news/cluj-metro-tender")]) == EXIT_ERROR


def test_sources_file_names_sources_and_sources_command_shows_their_health(
    news_site: NewsSite, capsys, monkeypatch, tmp_path: Path
) -> None:
    dead = "http://127.0.0.1:9/feed.rss"
    (tmp_path / "sources.toml").write_text(
        f'[[source]]\nname = "Newsroom"\nurl = "{news_site.url("/sitemap.xml")}"\nsection = "News"\n\n'
        f'[[source]]\nname = "Dead feed"\nurl = "{dead}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("QABOT_SOURCES_FILE", str(tmp_path / "sources.toml"))
    for _ in range(2):
        code, report, err = cli(capsys, "refresh", "--json")
    assert code == EXIT_PARTIAL
    assert [s["source"] for s in report["sources"]] == ["Newsroom", "Dead feed"]
    assert report["sources"][1]["ok"] is False and "unreachable" in report["sources"][1]["error"]
    assert err.count(dead) == 1
    _, article, _ = cli(capsys, "show", news_site.url("/news/constanta-port-grain"), "--json")
    assert article["section"] == "News"  # the page names none: the file's default
    code, rows, _ = cli(capsys, "sources", "--json")
    newsroom, dead_feed = rows
    assert newsroom["last_success"] and newsroom["consecutive_failures"] == 0 and newsroom["articles"] == 3
    assert dead_feed["consecutive_failures"] == 2 and dead_feed["last_success"] == ""
    code, text, _ = cli(capsys, "sources")
    assert "Dead feed  [FAILING x2" in text


def test_fresh_folder_whose_sources_all_fail_reports_them_and_exits_3(capsys) -> None:
    dead = "http://127.0.0.1:9/sitemap.xml"
    code, report, err = cli(capsys, "ingest", dead, "--json")
    assert code == EXIT_PARTIAL
    assert report["failed"][0]["source"] == dead and report["sources"][0]["ok"] is False
    assert err.strip().splitlines() == [f"qabot: failed: {dead}: {report['failed'][0]['error']}"]


def test_a_refresh_finding_another_running_exits_1(news_site: NewsSite, capsys, monkeypatch, tmp_path: Path) -> None:
    from qabot.settings import Settings
    from qabot.state import open_state

    monkeypatch.setenv("QABOT_SOURCES", news_site.url("/sitemap.xml"))
    state = open_state(Settings(data_dir=tmp_path / "data"))
    with state.exclusive("refresh") as mine:
        assert mine
        code, _, err = cli(capsys, "refresh", "--json")
    assert code == EXIT_ERROR and "another refresh is running" in err
    assert news_site.count("/sitemap.xml") == 0


def test_falling_back_to_the_feeds_text_is_said_in_the_report(news_site: NewsSite, capsys) -> None:
    story = news_site.publish("bucharest-ring-road", "Bucharest ring road section opens to traffic", [
        "The southern section of the Bucharest motorway ring road, 16 kilometres between Olteni and "
        "Berceni, opened to traffic on Saturday, the national road company said, a year later than "
        "planned and after two changes of contractor.",
    ], "2025-11-14")
    news_site.fail(story.path, "500")
    code, report, err = cli(capsys, "ingest", news_site.url("/feed.rss"), "--json")
    assert code == EXIT_OK and report["added"] == 4
    [note] = report["fallbacks"]
    assert note["source"] == news_site.url(story.path)
    assert "HTTP 500" in note["note"] and "feed's own text" in note["note"]
    assert f"qabot: note: {news_site.url(story.path)}: HTTP 500" in err
