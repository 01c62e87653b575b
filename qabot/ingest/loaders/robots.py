"""robots.txt per host, fetched once per fetcher and read with protego (Scrapy's parser)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import urlsplit

RobotsGetter = Callable[[str], tuple[int, bytes]]


class RobotsCache:
    """``allowed(url)`` by the site's robots.txt.

    A missing robots.txt (4xx) or one that cannot be fetched allows everything: that is what
    the robots standard (RFC 9309) says for 4xx; for 5xx and network errors it advises caution,
    but a news site's flaky robots.txt should not stop the archive — the page fetch that follows
    will fail on its own if the site is really down.
    """

    def __init__(self, user_agent: str, get: RobotsGetter) -> None:
        self._agent = user_agent.split("/")[0]
        self._get = get
        self._lock = threading.Lock()
        self._parsers: dict[str, object | None] = {}

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            if origin not in self._parsers:
                self._parsers[origin] = self._load(origin + "/robots.txt")
            parser = self._parsers[origin]
        return parser is None or parser.can_fetch(url, self._agent)  # type: ignore[attr-defined]

    def crawl_delay(self, url: str) -> float:
        parts = urlsplit(url)
        parser = self._parsers.get(f"{parts.scheme}://{parts.netloc}")
        delay = parser.crawl_delay(self._agent) if parser is not None else None  # type: ignore[attr-defined]
        return float(delay or 0.0)

    def _load(self, robots_url: str) -> object | None:
        from protego import Protego

        try:
            status, body = self._get(robots_url)
        except Exception:  # noqa: BLE001 - unreachable robots.txt: see the class docstring
            return None
        if status != 200 or not body.strip():
            return None
        return Protego.parse(body.decode("utf-8", "replace"))
