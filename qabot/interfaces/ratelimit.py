"""A sliding-window rate limit per reader, shared by the Telegram bot and the website.

Counters are kept in the process: each bot or web replica limits the readers it serves (a
reader whose requests a load balancer spreads over N replicas gets up to N times the budget;
docs/web.md). Callers hold it on one thread or under their own lock.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Hashable


class RateLimiter:
    """At most ``count`` events per ``window`` seconds per key (a sliding window)."""

    def __init__(self, count: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.count, self.window, self._clock = count, window, clock
        self._events: dict[Hashable, deque[float]] = {}

    def hit(self, key: Hashable) -> float:
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
