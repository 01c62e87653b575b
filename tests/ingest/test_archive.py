"""Loading the archive: every source type, identity, and one clear LoadError per bad input."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from qabot.errors import SourceError
from qabot.ingest.loaders import HttpFetcher, load_sources
from qabot.ingest.loaders.identity import article_id, content_hash, normalise_url
from qabot.models import Article, LoadError
from qabot.settings import Settings

DATA = Path(__file__).parents[1] / "data" / "archive"


def settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, **overrides)


def load(*sources: str | Path, **overrides: object) -> tuple[list[Article], list[LoadError]]:
    results = list(load_sources([str(s) for s in sources], settings(**overrides)))
    return (
        [r for r in results if isinstance(r, Article)],
        [r for r in results if isinstance(r, LoadError)],
    )


# --- a loopback web server -------------------------------------------------------------------

class Web:
    """Routes path -> (status, content type, body); ``{base}`` in bodies becomes the server URL."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        web = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                status, kind, body = web.routes.get(self.path, (404, "text/plain", b"not found"))
                try:
                    if kind == "slow":
                        time.sleep(1.5)
                        kind = "text/html"
                    self.send_response(status)
                    if status in (301, 302):
                        self.send_header("Location", body.decode())
                        body = b""
                    self.send_header("Content-Type", kind)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def add(self, path: str, body: str | bytes, kind: str = "text/html; charset=utf-8", status: int = 200) -> str:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = (status, kind, data.replace(b"{base}", self.base.encode()))
        return self.base + path

    def fixture(self, name: str) -> str:
        return (DATA / "feeds" / name).read_text(encoding="utf-8").replace("{base}", self.base)


@pytest.fixture
def web() -> Iterator[Web]:
    server = Web()
    server.add("/pages/entry-wind.html", server.fixture("entry-wind.html"))
    server.add("/pages/entry-rail.html", server.fixture("entry-rail.html"))
    yield server
    server.server.shutdown()
    server.server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- files -----------------------------------------------------------------------------------

def test_folder_of_seed_pages_gives_clean_articles_identified_by_relative_path() -> None:
    articles, errors = load(DATA / "site")
    assert errors == []
    by_id = {a.article_id: a for a in articles}
    assert sorted(by_id) == [
        "2025/central-bank-rate.txt", "2025/constanta-port.txt", "2025/senate-budget.txt",
        "local/cluj-metro.txt", "local/it-jobs.txt",
    ]
    senate = by_id["2025/senate-budget.txt"]
    assert senate.title == "Senate approves the 2026 state budget after an eleven-hour debate"
    assert senate.published == "2025-03-12"
    assert senate.source == str((DATA / "site" / "2025" / "senate-budget.txt").resolve())
    for article in articles:
        for chrome in ("Latest articles", "More like this", "Proiectul", "Published on", "AGERPRES", "..."):
            assert chrome not in article.text, (article.article_id, chrome)


def test_single_text_file_is_identified_by_its_name() -> None:
    [article], errors = load(DATA / "site" / "2025" / "constanta-port.txt")
    assert errors == []
    assert article.article_id == "constanta-port.txt"
    assert article.author == "Ioana Petrescu"
    assert article.published == "2025-04-14"


def test_markdown_heading_is_the_title_and_markup_goes() -> None:
    [article], _ = load(DATA / "notes" / "metro-line.md")
    assert article.title == "Bucharest metro line M6 gets its first trains"
    assert article.published == "2025-10-02"
    assert "**" not in article.text and "](" not in article.text
    assert "with Henri Coandă airport." in article.text
    assert article.text.split("\n\n")[1] == "Testing"  # a subheading stays its own paragraph
    assert article.text.endswith("- 14 stations\n- 14.2 kilometres")


def test_html_page_gives_text_metadata_and_canonical_identity() -> None:
    [article], errors = load(DATA / "web" / "budget-vote.html")
    assert errors == []
    assert article.article_id == "https://dunareapress.example/politics/chamber-passes-budget"
    assert article.url == "https://dunareapress.example/politics/chamber-passes-budget/"
    assert article.title == "Chamber of Deputies passes the 2026 budget"
    assert (article.published, article.author, article.section) == ("2025-03-19", "Mihaela Sârbu", "Politics")
    assert article.text.startswith("The Chamber of Deputies on Tuesday passed")
    assert article.text.count("\n\n") == 2
    for chrome in ("Acasă", "Latest articles", "Copyright", "Proiectul"):
        assert chrome not in article.text


def test_unclosed_html_still_gives_its_text() -> None:
    [article], errors = load(DATA / "web" / "unclosed.html")
    assert errors == []
    assert article.title == "Timișoara airport opens new terminal"
    assert article.text.endswith("has twelve boarding gates")
    assert article.article_id == "unclosed.html"


def test_html_fragment_without_html_or_body_tags(tmp_path: Path) -> None:
    (tmp_path / "fragment.htm").write_text(
        "<p>Unclosed <b>text about the Arad bypass, which opens to traffic in October", encoding="utf-8"
    )
    [article], errors = load(tmp_path / "fragment.htm")
    assert errors == []
    assert article.text == "Unclosed text about the Arad bypass, which opens to traffic in October"


def test_clean_patterns_setting_drops_lines(tmp_path: Path) -> None:
    page = DATA / "site" / "local" / "it-jobs.txt"  # no wire credit: alone, its footer would stay
    [plain], _ = load(page)
    [cleaned], _ = load(page, clean_patterns=["^Proiectul jurnalistic", "^- o organizație", "^Abonează-te"])
    assert "Proiectul jurnalistic" in plain.text
    assert cleaned.text.endswith("the main obstacle to growth.")


def test_json_wrapper_with_usual_field_names() -> None:
    articles, errors = load(DATA / "dumps" / "articles.json")
    source = str((DATA / "dumps" / "articles.json").resolve())
    hydrogen, wine = articles
    assert hydrogen.article_id == "dp-1001"
    assert hydrogen.title == "Government approves the national hydrogen strategy"
    assert (hydrogen.published, hydrogen.author, hydrogen.section) == ("2025-05-07", "Andreea Ilie, Dan Cazacu", "Energy")
    assert hydrogen.text.count("\n\n") == 1
    assert wine.article_id == "https://dunareapress.example/economy/wine-exports"
    assert wine.text == (
        "Romanian wine exports reached a record 190 million euros last year, according to the "
        "association of producers.\n\nThe largest markets were Germany, the United Kingdom and China."
    )
    assert wine.published == "2025-02-12"
    assert {a.source for a in articles} == {source}
    assert [(e.source, "record has no text" in e.error) for e in errors] == [(f"{source}:20", True)]


def test_jsonl_bad_line_is_one_error_and_the_other_lines_load() -> None:
    articles, errors = load(DATA / "dumps" / "articles.jsonl")
    source = str((DATA / "dumps" / "articles.jsonl").resolve())
    assert [a.title for a in articles] == [
        "Bucharest hospital gets a new cardiology wing",
        "Danube bridge at Brăila reaches one million crossings",
        "Iași ring road contract signed",
    ]
    assert articles[0].article_id == "7001"
    assert articles[1].article_id == content_hash(articles[1].text)
    assert articles[1].article_id.startswith("sha1:")
    assert articles[2].article_id == "https://dunareapress.example/regions/iasi-ring-road"
    assert [e.source for e in errors] == [f"{source}:3", f"{source}:4"]
    assert "invalid JSON" in errors[0].error
    assert "no text" in errors[1].error and "text, content, body" in errors[1].error


def test_json_list_and_single_object(tmp_path: Path) -> None:
    (tmp_path / "list.json").write_text(
        '[\n  {"title": "Flood warning on the Siret", "text": "Hydrologists issued a flood warning for the Siret river on Sunday."},\n'
        '  {"title": "No body here"}\n]\n',
        encoding="utf-8",
    )
    (tmp_path / "one.json").write_text(
        '{"headline": "Bacău airport reopens", "published": 1741773600,\n'
        ' "content": ["The airport reopened on Friday.", "Flights resume Monday."]}',
        encoding="utf-8",
    )
    articles, errors = load(tmp_path)
    assert [a.title for a in articles] == ["Flood warning on the Siret", "Bacău airport reopens"]
    assert articles[1].text == "The airport reopened on Friday.\n\nFlights resume Monday."
    assert articles[1].published == "2025-03-12"  # a Unix timestamp
    assert [e.source for e in errors] == [f"{tmp_path / 'list.json'}:3"]


def test_text_in_cp1252_is_read(tmp_path: Path) -> None:
    (tmp_path / "legacy.txt").write_bytes(
        "Caf\xe9 owners protest in Oradea\n\nThe owners of 40 caf\xe9s protested on Monday "
        "against the new \x93terrace tax\x94.".encode("latin-1")
    )
    [article], errors = load(tmp_path / "legacy.txt")
    assert errors == []
    assert article.title == "Café owners protest in Oradea"
    assert "“terrace tax”" in article.text


# --- bad input -------------------------------------------------------------------------------

def test_every_bad_file_is_one_load_error_and_good_files_still_load(tmp_path: Path) -> None:
    shutil.copy(DATA / "site" / "2025" / "senate-budget.txt", tmp_path / "good.txt")
    shutil.copy(DATA / "web" / "budget-vote.html", tmp_path / "good.html")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.md").write_text("  \n\n ", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00binary\x00data")
    (tmp_path / "undecodable.txt").write_bytes(b"Title\n\n\x81\x8d\x01\x02 bytes \xc3\x28 broken")
    (tmp_path / "truncated.json").write_text('{"title": "Cut", "text": "The file ends in the mid', encoding="utf-8")
    (tmp_path / "mixed.jsonl").write_text(
        '{"title": "Good line", "text": "This line of the dump is fine and loads."}\n{"title": oops}\n',
        encoding="utf-8",
    )
    (tmp_path / "no-text.html").write_text("<html><head><title>Menu</title></head><body><div><nav><a href=/>Acasă", encoding="utf-8")
    (tmp_path / "huge.txt").write_text("Big page title here\n\n" + "word " * 5000, encoding="utf-8")
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4")  # unknown type inside a folder: skipped
    (tmp_path / ".hidden.txt").write_text("Hidden file title\n\nShould never be read at all.", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "notes.txt").write_text("Hidden folder\n\nNot part of the archive.", encoding="utf-8")

    articles, errors = load(tmp_path, max_file_mb=0.02)

    assert sorted(a.article_id for a in articles) == [
        "good.txt",
        "https://dunareapress.example/politics/chamber-passes-budget",
        content_hash("This line of the dump is fine and loads."),
    ]
    reasons = {Path(e.source).name: e.error for e in errors}
    assert len(errors) == len(reasons) == 8
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.md"] == "empty file"
    assert reasons["binary.txt"].startswith("binary file")
    assert reasons["undecodable.txt"].startswith("undecodable text")
    assert reasons["truncated.json"].startswith("invalid JSON at line 1")
    assert reasons["mixed.jsonl:2"].startswith("invalid JSON")
    assert reasons["no-text.html"] == "no article text found in the HTML"
    assert reasons["huge.txt"].startswith("too large")
    assert all("\n" not in str(e) and str(tmp_path) in e.source for e in errors)


def test_missing_path_and_explicit_unknown_type(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    articles, errors = load(tmp_path / "nowhere", tmp_path / "report.pdf", "ftp://example.invalid/a")
    assert articles == []
    assert [(e.source, e.error.split(" ")[0]) for e in errors] == [
        (str(tmp_path / "nowhere"), "no"),
        (str(tmp_path / "report.pdf"), "unsupported"),
        ("ftp://example.invalid/a", "unsupported"),
    ]
    assert errors[0].error == "no such file or folder"


# --- feeds and URLs --------------------------------------------------------------------------

def test_rss_feed_file_fetches_entry_pages_and_falls_back_to_summaries(web: Web, tmp_path: Path) -> None:
    (tmp_path / "economy.rss").write_text(web.fixture("feed.rss"), encoding="utf-8")
    articles, errors = load(tmp_path / "economy.rss")
    wind, rail, craiova = articles
    assert wind.article_id == normalise_url(web.base + "/energy/tulcea-wind-farm")
    assert wind.source == web.base + "/pages/entry-wind.html"
    assert wind.text.startswith("A 120-megawatt wind farm near Tulcea")
    # the rail page has no date or author: the feed's fill in
    assert (rail.published, rail.author) == ("2025-07-11", "Tudor Avram")
    assert rail.title == "Brașov–Sighișoara railway upgrade enters last phase"
    # the Craiova page is gone (404): the entry's own summary is long enough to stand in
    assert craiova.source == web.base + "/pages/missing-page.html"
    assert craiova.text.startswith("The car plant in Craiova will add a third shift")
    assert craiova.published == "2025-07-15"
    [error] = errors
    assert error.source == web.base + "/pages/gone.html"
    assert "HTTP 404" in error.error and "summary is too short" in error.error


def test_atom_feed_from_a_url(web: Web) -> None:
    url = web.add("/energy.atom", web.fixture("feed.atom"), kind="application/atom+xml")
    articles, errors = load(url)
    assert errors == []
    assert [a.source for a in articles] == [web.base + "/pages/entry-wind.html", web.base + "/pages/entry-rail.html"]
    assert articles[0].author == "Sorina Dinu"  # page has no author; the entry's
    assert articles[1].published == "2025-07-11"


def test_rss_served_as_plain_xml_is_recognised(web: Web) -> None:
    url = web.add("/feed", web.fixture("feed.rss"), kind="text/xml")
    articles, errors = load(url)
    assert len(articles) == 3 and len(errors) == 1


def test_single_article_url_after_a_redirect(web: Web) -> None:
    page = (DATA / "web" / "unclosed.html").read_text(encoding="utf-8")
    web.add("/stories/timisoara-airport", page)
    url = web.add("/s/123", b"/stories/timisoara-airport", status=302)
    [article], errors = load(url)
    assert errors == []
    assert article.source == url
    assert article.article_id == web.base + "/stories/timisoara-airport"
    assert article.title == "Timișoara airport opens new terminal"


@pytest.mark.parametrize("case", ["404", "unreachable", "timeout", "too large", "no text"])
def test_url_problems_are_one_line_errors(web: Web, case: str) -> None:
    web.add("/slow", b"", kind="slow")
    web.add("/big", "<p>" + "lei " * 20000 + "</p>")
    web.add("/empty", "<html><body><nav>Acasă</nav></body></html>")
    url, expected = {
        "404": (web.base + "/missing", "HTTP 404"),
        "unreachable": (f"http://127.0.0.1:{closed_port()}/x", "unreachable"),
        "timeout": (web.base + "/slow", "timed out after 0.3s"),
        "too large": (web.base + "/big", "too large"),
        "no text": (web.base + "/empty", "no article text"),
    }[case]
    articles, errors = load(url, fetch_timeout=0.3, max_file_mb=0.05)
    assert articles == []
    [error] = errors
    assert error.source == url
    assert expected in error.error and "\n" not in error.error


def test_http_fetcher_reports_final_url_and_content_type(web: Web) -> None:
    target = web.add("/a", "<p>hello</p>")
    web.add("/b", b"/a", status=301)
    with HttpFetcher(settings()) as fetcher:
        result = fetcher.get(web.base + "/b")
        assert (result.url, result.content, result.content_type) == (target, b"<p>hello</p>", "text/html; charset=utf-8")
        with pytest.raises(SourceError, match="HTTP 404"):
            fetcher.get(web.base + "/nothing")


# --- identity --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("url", "normal"),
    [
        ("HTTPS://Example.COM/Politics/Budget/", "https://example.com/Politics/Budget"),
        ("https://example.com:443/a?utm_source=x&id=3&utm_medium=y#top", "https://example.com/a?id=3"),
        ("http://example.com:8080/", "http://example.com:8080"),
        ("https://example.com/a?fbclid=abc", "https://example.com/a"),
    ],
)
def test_urls_are_normalised_for_identity(url: str, normal: str) -> None:
    assert normalise_url(url) == normal


def test_identity_order() -> None:
    text = "Some   article\n text."
    assert article_id(explicit_id=" 42 ", url="https://a.ro/x", rel_path="a.txt", text=text) == "42"
    assert article_id(url="https://A.ro/x/", rel_path="a.txt", text=text) == "https://a.ro/x"
    assert article_id(rel_path="politics/a.txt", text=text) == "politics/a.txt"
    assert article_id(text=text) == content_hash("Some article text.")
    assert content_hash(text).startswith("sha1:") and len(content_hash(text)) == 45
