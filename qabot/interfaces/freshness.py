"""How big and how fresh the archive is: what the bot's /status and the website's
/api/status and insights page show.

Readers judge an answer by how current the archive is: the article count, the newest
article's date, and when the archive last updated successfully (the latest successful source
sync, ``qabot.state.sync``, or without sync records the index's last publish).
"""

from __future__ import annotations

from dataclasses import dataclass

from qabot.state.sync import all_statuses


@dataclass(frozen=True)
class Freshness:
    articles: int
    newest: str  # date of the newest article, "" when empty
    updated: str  # ISO time of the last successful update, "" for never
    sources: int
    failing: int


def freshness(service) -> Freshness:  # noqa: ANN001 - the QAService
    stats = service.stats()
    latest = service.latest("", 1)
    statuses = all_statuses(service.state)
    synced = max((s.last_success for s in statuses if s.last_success), default="")
    published = str(stats.get("updated_at") or "")
    return Freshness(
        articles=int(stats.get("articles") or 0),
        newest=latest[0].published if latest else "",
        updated=max(synced, published),
        sources=len(statuses),
        failing=sum(1 for s in statuses if s.consecutive_failures),
    )


def when(iso: str) -> str:
    """``2026-12-01T21:40:05+00:00`` -> ``2026-12-01 21:40 UTC``."""
    if not iso:
        return "never"
    text = iso.replace("T", " ")[:16]
    return f"{text} UTC" if ("+00:00" in iso or iso.endswith("Z")) else text
