"""A loopback "newsroom site" for the website's tests: article pages that embed the widget
with one script tag, on an origin of their own (so the browser's CORS rules are real), and the
fictional articles of the test archive, whose URLs point at those pages.

The ferry article is hostile on purpose: its headline and text carry markup that would run if
the widget ever rendered article text as HTML.
"""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

XSS_TITLE = '<img src=x onerror="window.__xss=1">Ferry timetable changes for the winter'
ARTICLES = [
    {
        "slug": "harbour-bridge", "published": "2025-06-10", "section": "City",
        "title": "Port Aurel council votes to rebuild the harbour bridge",
        "text": "Port Aurel city council voted on Tuesday to rebuild the harbour bridge, closed since "
        "cracks were found in its piers last winter. The council approved 84 million lei for the work, "
        "which the mayor, Elena Varga, said would start in the spring. The new bridge will carry two lanes "
        "of traffic, a tram line and a cycle path. Councillors voted 21 to 4 in favour.",
    },
    {
        "slug": "bridge-contractor", "published": "2025-09-02", "section": "City",
        "title": "Constructora Delta wins the Port Aurel harbour bridge contract",
        "text": "Constructora Delta will rebuild the Port Aurel harbour bridge, the city hall announced on "
        "Monday, after its offer of 79 million lei beat three rivals. The company must finish the bridge "
        "within 26 months, by November 2027, or pay penalties for every day of delay.",
    },
    {
        "slug": "ferry-timetable", "published": "2025-10-20", "section": "Transport",
        "title": XSS_TITLE,
        "text": "The Port Aurel ferry will sail every two hours this winter, the operator said, "
        "<script>window.__xss=2</script> down from every hour in the summer. "
        "The last ferry of the day will leave at 20:00 <img src=x onerror=window.__xss=3> instead of 23:00. "
        "The winter ferry timetable starts on 1 November.",
    },
]


def article_id(slug: str) -> str:
    return f"newsroom/{slug}"


def write_archive(folder: Path, site: str) -> Path:
    """The test archive as JSONL, each article's URL a page of ``site``."""
    path = folder / "newsroom.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for a in ARTICLES:
            out.write(json.dumps({"id": article_id(a["slug"]), "url": f"{site}/articles/{a['slug']}.html",
                                  "title": a["title"], "text": a["text"], "published": a["published"],
                                  "section": a["section"]}, ensure_ascii=False) + "\n")
    return path


def _page(lang: str, title: str, body: str, qabot: str, article: str = "") -> bytes:
    pinned = f' data-article="{html.escape(article)}"' if article else ""
    tag = f'<script src="{qabot}/widget.js"{pinned} async></script>'
    # The site's own CSS is hostile too: the widget's Shadow DOM must not inherit it.
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            '<style>button{background:lime!important;font-size:40px!important} p{color:purple}</style></head>'
            f'<body><h1>{html.escape(title)}</h1>{body}{tag}</body></html>').encode()


class Site:
    """The newsroom's site on its own loopback port; ``qabot`` is set once the server runs."""

    def __init__(self) -> None:
        self.qabot = ""
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                path = self.path.split("?")[0].split("#")[0]
                found = next((a for a in ARTICLES if path == f"/articles/{a['slug']}.html"), None)
                if found:
                    body = _page("en", found["title"], f"<p>{html.escape(found['text'])}</p>", site.qabot,
                                 article_id(found["slug"]))
                elif path in ("/", "/ro.html"):
                    lang = "ro" if path == "/ro.html" else "en"
                    body = _page(lang, "Newsroom", "<p>Today's news.</p>", site.qabot)
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
