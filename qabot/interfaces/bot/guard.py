"""Who may use the bot and how often: per-user rate limit, admins, allowlist.

All of it runs on the event loop thread, so plain dicts need no locks.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable

from telegram import Chat, User


class RateLimiter:
    """At most ``count`` events per ``window`` seconds per key (a sliding window)."""

    def __init__(self, count: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.count, self.window, self._clock = count, window, clock
        self._events: dict[int, deque[float]] = {}

    def hit(self, key: int) -> float:
        """Count one event; 0 when allowed, else the seconds until the next one is."""
        now = self._clock()
        events = self._events.setdefault(key, deque())
        while events and now - events[0] >= self.window:
            events.popleft()
        if len(events) >= self.count:
            return max(0.1, self.window - (now - events[0]))
        events.append(now)
        if len(self._events) > 10_000:  # forget idle users so memory stays bounded
            self._events = {k: v for k, v in self._events.items() if v and now - v[-1] < self.window}
        return 0.0


def _matches(entries: Iterable[str], user: User | None, chat: Chat | None = None) -> bool:
    ids = {str(user.id)} if user else set()
    names = {f"@{user.username.lower()}"} if user and user.username else set()
    if chat is not None:
        ids.add(str(chat.id))
        if chat.username:
            names.add(f"@{chat.username.lower()}")
    for entry in entries:
        entry = entry.strip()
        if entry.lower() in names or entry in ids or f"@{entry.lower()}" in names:
            return True
    return False


def is_admin(admins: Iterable[str], user: User | None) -> bool:
    """Whether ``user`` is listed in ``telegram_admins`` by id or @username."""
    return user is not None and _matches(admins, user)


def is_allowed(allowlist: list[str], user: User | None, chat: Chat | None) -> bool:
    """No allowlist lets everyone in; otherwise the user or the chat must be on it."""
    return not allowlist or _matches(allowlist, user, chat)
