"""What the routes share: the service, the feedback store, the limits and the signing key.

Built once per process by ``app.create_app``; nothing here holds a reader's state (that is in
the shared state, ``qabot.state``), so any replica answers any reader.
"""

from __future__ import annotations

import os
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from qabot.interfaces.ratelimit import RateLimiter
from qabot.interfaces.web.security import Network, networks
from qabot.settings import Settings
from qabot.state.feedback import FeedbackStore

if TYPE_CHECKING:
    import anyio

    from qabot.service.qa import QAService

SECRET_NS, SECRET_KEY = "web.meta", "secret"
CAP_NS = "web.cap"
SEARCH_BUDGET = 10  # searches per question's budget: a search is cheap and readers refine


def shared_secret(settings: Settings, service: QAService) -> bytes:
    """The signing key: QABOT_WEB_SECRET, else one drawn once and kept in the shared state, so
    every replica signs and checks conversation ids alike."""
    configured = settings.web_secret.get_secret_value()
    if configured:
        return configured.encode("utf-8")
    service.state.add(SECRET_NS, SECRET_KEY, {"key": secrets.token_hex(32)})
    value = service.state.get(SECRET_NS, SECRET_KEY)
    assert value is not None
    return bytes.fromhex(value["key"])


def workers(settings: Settings) -> int:
    """Questions answered at once: the setting, else one per core this process may use."""
    if settings.web_workers:
        return settings.web_workers
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores)


@dataclass
class Web:
    settings: Settings
    service: QAService
    feedback: FeedbackStore
    secret: bytes
    asks: anyio.CapacityLimiter
    questions: RateLimiter
    searches: RateLimiter
    trusted: list[Network] = field(default_factory=list)  # QABOT_TRUSTED_PROXIES
    _cap_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def create(cls, settings: Settings, service: QAService) -> Web:
        import anyio

        count, window = settings.rate_limit_count, settings.rate_limit_window
        return cls(
            settings=settings, service=service, feedback=FeedbackStore(service.state),
            secret=shared_secret(settings, service), asks=anyio.CapacityLimiter(workers(settings)),
            questions=RateLimiter(count, window), searches=RateLimiter(count * SEARCH_BUDGET, window),
            trusted=networks(settings.trusted_proxies),
        )

    def under_daily_cap(self) -> bool:
        """Counts one question against QABOT_WEB_DAILY_CAP (shared by replicas; two replicas
        counting at the same instant may each let one more through). Blocking."""
        cap = self.settings.web_daily_cap
        if not cap:
            return True
        day = datetime.now(timezone.utc).date().isoformat()
        state = self.service.state
        with self._cap_lock:
            value = state.get(CAP_NS, day) or {"count": 0}
            if value["count"] >= cap:
                return False
            state.put(CAP_NS, day, {"count": value["count"] + 1})
        return True
