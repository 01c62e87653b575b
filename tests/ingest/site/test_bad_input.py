"""Bad input from the web: each is one line naming the URL; the round goes on; nothing stored is lost."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from qabot.errors import SourceError
from qabot.ingest.loaders import load_sources
from qabot.ingest.loaders.hosts import HostPolicy
from qabot.interfaces.cli.commands import EXIT_PARTIAL
from qabot.interfaces.cli.main import main
from qabot.models import Article, LoadError
from qabot.settings import Settings

from .site import NewsSite


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_every_kind_of_bad_url_is_one_line_and_the_good_pages_still_load(
    news_site: NewsSite, capsys, monkeypatch, tmp_path: Path
) -> None:
    for name, value in {
        "QABOT_DATA_DIR": str(tmp_path / "data"), "QABOT_FETCH_DELAY": "0", "QABOT_FETCH_RETRIES": "1",
        "QABOT_FETCH_TIMEOUT": "1.5", "QABOT_MAX_FILE_MB": "0.5",
    }.items():
        monkeypatch.setenv(name, value)
    port = news_site.base.rsplit(":", 1)[1]
    expected = {
        news_site.fail("/news/hanging", "hang"): "timed out after 1.5s",
        news_site.fail("/news/dripping", "drip"): "timed out after 1.5s",
        f"http://127.0.0.1:{closed_port()}/news/refused": "unreachable",
        f"https://127.0.0.1:{port}/news/tls": "TLS error",
        news_site.fail("/news/broken", "500"): "HTTP 500",
        news_site.fail("/news/busy", "429"): "HTTP 429",
        news_site.fail("/news/loop", "loop"): "redirect loop",
        news_site.fail("/news/photo", "image"): "unsupported content type 'image/png'",
        news_site.fail("/news/blank", "empty"): "empty page",
        news_site.fail("/news/huge", "huge"): "too large",
        "http://elsewhere.example/news/x": "refused: elsewhere.example is not the host of a configured source",
        news_site.url("/private/draft"): "refused by the site's robots.txt",
    }
    news_site.extra_sitemap_urls.extend(expected)
    children = {
        news_site.fail("/sitemap-old.xml.gz", "truncated-gz"): "truncated gzip",
        news_site.fail("/sitemap-bomb.xml", "bomb"): "refused: the XML declares entities",
    }
    news_site.extra_child_sitemaps.extend(children)
    code = main(["ingest", news_site.url("/sitemap.xml"), "--json"])
    out = capsys.readouterr()
    report = json.loads(out.out)
    assert code == EXIT_PARTIAL
    assert report["added"] == 3  # the good pages
    lines = out.err.strip().splitlines()
    for url, phrase in {**expected, **children}.items():
        mine = [line for line in lines if f" {url}: " in line]
        assert len(mine) == 1 and phrase in mine[0], (url, phrase, mine)
    assert len(lines) == len(expected) + len(children)


def test_429_is_retried_after_the_time_retry_after_asks(news_site: NewsSite) -> None:
    url = news_site.fail("/news/constanta-port-grain", "429-once")
    started = time.monotonic()
    articles = list(load_sources([url], Settings(_env_file=None, fetch_delay=0)))
    assert isinstance(articles[0], Article)
    assert time.monotonic() - started >= 1.0  # Retry-After: 1
    assert news_site.count("/news/constanta-port-grain", 429) == 1
    assert news_site.count("/news/constanta-port-grain", 200) == 1


def test_a_failed_refresh_keeps_what_is_stored(news_site: NewsSite, capsys, tmp_path: Path) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    assert main([*data, "ingest", news_site.url("/sitemap.xml")]) == 0
    news_site.fail("/sitemap.xml", "500")
    assert main([*data, "ingest", news_site.url("/sitemap.xml"), "--json"]) == EXIT_PARTIAL
    capsys.readouterr()
    assert main([*data, "stats", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 3


def test_links_from_a_public_source_may_not_reach_private_addresses() -> None:
    policy = HostPolicy(["https://news.example.com/sitemap.xml"], allow=["*"])
    policy.check("https://www.news.example.com/a")  # the source's own site
    policy.check("https://cdn.example.org/a")  # allowed by "*" (and not private)
    for url in ("http://localhost:8080/admin", "http://127.0.0.1/x", "http://10.0.0.5/x", "http://[::1]/x"):
        with pytest.raises(SourceError, match="private or loopback"):
            policy.check(url)
    with pytest.raises(SourceError, match="not the host of a configured source"):
        HostPolicy(["https://news.example.com/"]).check("http://127.0.0.1/x")


def test_a_sitemap_file_on_disk_may_list_its_own_hosts(news_site: NewsSite, tmp_path: Path) -> None:
    (tmp_path / "sitemap.xml").write_text(news_site.urlset(), encoding="utf-8")
    items = list(load_sources([str(tmp_path / "sitemap.xml")], Settings(_env_file=None, fetch_delay=0)))
    assert [type(i) for i in items] == [Article] * 3, [str(i) for i in items if isinstance(i, LoadError)]
