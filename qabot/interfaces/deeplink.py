"""Article deep links: ``https://t.me/<bot>?start=a_<token>`` opens the bot on one article.

The token is the first 20 hex digits of SHA-256 of the article id, so a site can compute it
itself from the id (for pages the site serves, the canonical URL) with any language's
standard library: short, URL-safe and within Telegram's 64-character start parameter.
The bot maps a token back by hashing the ids of the archive, once per index version.
"""

from __future__ import annotations

import hashlib
import threading

PREFIX = "a_"
TOKEN_HEX = 20  # 80 bits: no collision in any archive a newsroom will hold


def article_token(article_id: str) -> str:
    return hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:TOKEN_HEX]


def start_parameter(article_id: str) -> str:
    return PREFIX + article_token(article_id)


def ask_link(bot_username: str, article_id: str) -> str:
    """The "Ask about this article" link for a page."""
    return f"https://t.me/{bot_username.lstrip('@')}?start={start_parameter(article_id)}"


class TokenIndex:
    """Token -> article id for the archive's current version (rebuilt when it changes)."""

    def __init__(self) -> None:
        self._version: str | None = None
        self._ids: dict[str, str] = {}
        self._lock = threading.Lock()

    def resolve(self, parameter: str, version: str, all_ids: object) -> str | None:
        """The article id for a start parameter ``a_<token>``, or ``None``. ``all_ids`` is a
        callable listing every article id, called only when ``version`` is new."""
        if not parameter.startswith(PREFIX):
            return None
        with self._lock:
            if version != self._version:
                self._ids = {article_token(i): i for i in all_ids()}  # type: ignore[operator]
                self._version = version
            return self._ids.get(parameter[len(PREFIX) :].lower())
