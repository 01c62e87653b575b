"""A loopback newsroom site for tests: pages shaped like the seed page, sitemaps, RSS, robots.txt.

It plays the English-language Romanian news site qabot serves: article pages carry the site's
chrome (breadcrumb, "Published on", the AGERPRES credit, a Romanian footer and a "Latest
articles" teaser list), the browser title ends in " | EcoPolitic News", and the page's own
headline is in og:title and <h1>. The site answers conditional requests (ETag, Last-Modified),
counts every request per path and status, and fails on chosen URLs in chosen ways.

Reusable: ``NewsSite()`` starts it, ``site.publish(...)`` adds an article (it appears in the
sitemaps and the feed), ``site.fail(path, kind)`` breaks a URL, ``site.count(path, 200)``
says how often it was served. Everything is served from 127.0.0.1.
"""

from __future__ import annotations

import gzip
import hashlib
import html
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SITE_NAME = "EcoPolitic News"
ROBOTS = "User-agent: *\nDisallow: /private/\n"
FOOTER = (
    "Proiectul jurnalistic ecopoliticnews.com este un proiect susținut de AGI - o asociație "
    "neguvernamentală, apolitică și non-profit. Depinde și de tine să susții o presă independentă."
)
ENTITY_BOMB = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>&lol3;</loc></url></urlset>"
)


@dataclass
class Story:
    slug: str
    title: str
    paragraphs: list[str]
    published: str  # YYYY-MM-DD
    section: str = "Europe News"
    version: int = 1  # bumped by ``update``: new lastmod, new ETag
    page_date: bool = True  # False: the page's markup carries no date (sitemap/feed/URL must)
    modified: float = field(default_factory=lambda: 1_750_000_000.0)

    @property
    def path(self) -> str:
        return f"/news/{self.slug}"

    @property
    def lastmod(self) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(self.modified))


class NewsSite:
    """The site; ``base`` is its URL. Thread-safe; stop it with ``close()``."""

    def __init__(self) -> None:
        self.stories: dict[str, Story] = {}
        self.failures: dict[str, str] = {}
        self.hits: Counter[tuple[str, int]] = Counter()
        self.extra_sitemap_urls: list[str] = []  # listed in /sitemap-articles.xml.gz too
        self.extra_child_sitemaps: list[str] = []  # listed in the /sitemap.xml index too
        self.lock = threading.Lock()
        self._orphans: dict[str, Story] = {}  # unlisted pages still online
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                try:
                    site._serve(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeouts, size caps)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.handle_error = lambda *args: None  # a TLS hello on plain HTTP is expected noise
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    # --- what the tests change ---
    def publish(self, slug: str, title: str, paragraphs: list[str], published: str, **kw: object) -> Story:
        with self.lock:
            story = Story(slug, title, paragraphs, published, modified=time.time() - 3600, **kw)  # type: ignore[arg-type]
            self.stories[slug] = story
            return story

    def update(self, slug: str, paragraphs: list[str]) -> None:
        with self.lock:
            old = self.stories[slug]
            self.stories[slug] = replace(old, paragraphs=paragraphs, version=old.version + 1, modified=old.modified + 60)

    def unpublish(self, slug: str) -> None:
        """The page goes (404) and leaves the sitemaps and the feed."""
        with self.lock:
            self.stories.pop(slug)

    def unlist(self, slug: str) -> Story:
        """The page stays online but leaves the sitemaps and the feed (news sitemaps keep two days)."""
        with self.lock:
            story = self.stories.pop(slug)
        self.failures.pop(story.path, None)
        self._orphans[story.path] = story
        return story

    def fail(self, path: str, kind: str) -> str:
        """Break ``path``: 500, 429, 429-once, hang, drip, loop, image, empty, huge, bomb,
        truncated-gz, gone (410)."""
        self.failures[path] = kind
        return self.base + path

    def count(self, path: str, status: int | None = None) -> int:
        with self.lock:
            return sum(n for (p, s), n in self.hits.items() if p == path and (status is None or s == status))

    def page_hits(self, status: int = 200) -> int:
        """Requests for article pages answered with ``status``."""
        with self.lock:
            return sum(n for (p, s), n in self.hits.items() if p.startswith("/news/") and s == status)

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- documents ---
    def article_html(self, story: Story) -> str:
        others = [s for s in self.stories.values() if s.slug != story.slug][:3]
        teasers = "".join(
            f'<div class="teaser"><h3><a href="{s.path}">{html.escape(s.title)}</a></h3>'
            f"<p>{html.escape(s.paragraphs[0][:90])}...</p></div>"
            for s in others
        )
        body = "".join(f"<p>{html.escape(p)}</p>" for p in story.paragraphs)
        date_meta = (
            f'<meta property="article:published_time" content="{story.published}T09:30:00+02:00">'
            if story.page_date else ""
        )
        return (
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(story.title)} | {SITE_NAME}</title>"
            f'<meta property="og:title" content="{html.escape(story.title)}">'
            f'<meta property="og:site_name" content="{SITE_NAME}">{date_meta}'
            "</head><body>"
            f'<nav class="breadcrumb"><a href="/">Acasă</a> <a href="/europe">{story.section}</a></nav>'
            f"<main><article><h1>{html.escape(story.title)}</h1><p class=\"meta\">Published on</p>"
            f"{body}<p>AGERPRES</p></article>"
            f'<aside><h2>Latest articles</h2>{teasers}</aside></main>'
            f"<footer><p>{FOOTER}</p></footer></body></html>"
        )

    def urlset(self) -> str:
        urls = "".join(
            f"<url><loc>{self.base}{s.path}</loc><lastmod>{s.lastmod}</lastmod></url>"
            for s in self.stories.values()
        ) + "".join(f"<url><loc>{u}</loc></url>" for u in self.extra_sitemap_urls)
        return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'

    def sitemap_index(self) -> str:
        return (
            '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{self.base}/sitemap-articles.xml.gz</loc></sitemap>"
            + "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in self.extra_child_sitemaps)
            + "</sitemapindex>"
        )

    def news_sitemap(self) -> str:
        items = "".join(
            f"<url><loc>{self.base}{s.path}</loc><news:news><news:publication><news:name>{SITE_NAME}</news:name>"
            f"<news:language>en</news:language></news:publication><news:publication_date>{s.published}T08:00:00+02:00"
            f"</news:publication_date><news:title>{html.escape(s.title)}</news:title></news:news></url>"
            for s in self.stories.values()
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{items}</urlset>'
        )

    def rss(self) -> str:
        items = "".join(
            f"<item><title>{html.escape(s.title)}</title><link>{self.base}{s.path}</link>"
            f"<pubDate>{formatdate(time.mktime(time.strptime(s.published, '%Y-%m-%d')), usegmt=True)}</pubDate>"
            f"<description>{html.escape(s.paragraphs[0])}</description></item>"
            for s in self.stories.values()
        )
        return (
            f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>{SITE_NAME}</title>'
            f"<link>{self.base}/</link><description>News</description>{items}</channel></rss>"
        )

    # --- serving ---
    def _document(self, path: str) -> tuple[int, str, bytes, float] | None:
        """(status, content type, body, last-modified time) of a path, or None for 404."""
        with self.lock:
            stories = dict(self.stories)
        if path == "/robots.txt":
            return 200, "text/plain", ROBOTS.encode(), 0.0
        if path == "/sitemap.xml":
            return 200, "application/xml", self.sitemap_index().encode(), 0.0
        if path == "/sitemap-articles.xml.gz":
            return 200, "application/x-gzip", gzip.compress(self.urlset().encode(), mtime=0), 0.0
        if path == "/news-sitemap.xml":
            return 200, "application/xml", self.news_sitemap().encode(), 0.0
        if path == "/feed.rss":
            return 200, "application/rss+xml", self.rss().encode(), 0.0
        story = next((s for s in stories.values() if s.path == path), None) or self._orphans.get(path)
        if story is None:
            return None
        return 200, "text/html; charset=utf-8", self.article_html(story).encode(), story.modified

    def _serve(self, req: BaseHTTPRequestHandler) -> None:
        path = req.path.split("?")[0]
        kind = self.failures.get(path)
        if kind:
            return self._fail(req, path, kind)
        found = self._document(path)
        if found is None:
            return self._send(req, path, 404, "text/plain", b"not found")
        status, ctype, body, modified = found
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        headers = {"ETag": etag}
        if modified:
            headers["Last-Modified"] = formatdate(modified, usegmt=True)
        if req.headers.get("If-None-Match") == etag:
            return self._send(req, path, 304, "", b"", headers)
        self._send(req, path, status, ctype, body, headers)

    def _fail(self, req: BaseHTTPRequestHandler, path: str, kind: str) -> None:
        if kind == "500":
            return self._send(req, path, 500, "text/plain", b"boom")
        if kind == "gone":
            return self._send(req, path, 410, "text/plain", b"gone")
        if kind == "429":
            return self._send(req, path, 429, "text/plain", b"slow down", {"Retry-After": "1"})
        if kind == "429-once":
            self.failures.pop(path)
            return self._send(req, path, 429, "text/plain", b"slow down", {"Retry-After": "1"})
        if kind == "loop":
            other = path[:-2] if path.endswith("-b") else path + "-b"  # a -> a-b -> a
            self.failures.setdefault(other, "loop")
            return self._send(req, path, 302, "text/plain", b"", {"Location": other})
        if kind == "image":
            return self._send(req, path, 200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
        if kind == "empty":
            return self._send(req, path, 200, "text/html", b"")
        if kind == "huge":
            return self._send(req, path, 200, "text/html", b"<p>" + b"lei " * 300_000 + b"</p>")
        if kind == "bomb":
            return self._send(req, path, 200, "application/xml", ENTITY_BOMB.encode())
        if kind == "truncated-gz":
            data = gzip.compress(self.urlset().encode(), mtime=0)
            return self._send(req, path, 200, "application/x-gzip", data[: len(data) // 2])
        if kind in ("hang", "drip"):
            with self.lock:
                self.hits[(path, 200)] += 1
            req.send_response(200)
            req.send_header("Content-Type", "text/html")
            req.send_header("Content-Length", "100000")
            req.end_headers()
            for _ in range(200):  # one byte every 0.3 s: never done within a test's timeout
                time.sleep(0.3 if kind == "drip" else 5)
                req.wfile.write(b"a")
                req.wfile.flush()
            return None
        raise ValueError(f"unknown failure kind {kind!r}")

    def _send(
        self, req: BaseHTTPRequestHandler, path: str, status: int, ctype: str, body: bytes,
        headers: dict[str, str] | None = None,
    ) -> None:
        with self.lock:
            self.hits[(path, status)] += 1
        req.send_response(status)
        if ctype:
            req.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            req.send_header(name, value)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        if body:
            req.wfile.write(body)
