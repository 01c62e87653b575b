"""Sync state per source: when it was last tried, last worked, what went wrong, and how often.

Kept in the shared state (``qabot.state``, namespace ``sync``, keyed by source name) so
`qabot sources`, the bot's /status and the admins' failure alerts all read the same record,
on one machine or across replicas. Validators per URL (ETag, Last-Modified, lastmod) live in
namespace ``validators``, keyed by URL.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, fields, replace

from qabot.state import StateStore

NS = "sync"


@dataclass(frozen=True)
class SourceStatus:
    """One source's sync record; times are ISO 8601 UTC, ``""`` for never."""

    source: str
    url: str = ""
    last_attempt: str = ""
    last_success: str = ""
    last_error: str = ""
    consecutive_failures: int = 0
    articles: int = 0  # articles it gave the last time it was read in full
    added: int = 0  # new articles in its last round
    updated: int = 0  # changed articles in its last round

    @classmethod
    def from_value(cls, value: dict) -> SourceStatus:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in value.items() if k in known})


def load_status(state: StateStore, source: str) -> SourceStatus | None:
    value = state.get(NS, source)
    return SourceStatus.from_value(value) if value is not None else None


def save_status(state: StateStore, status: SourceStatus) -> None:
    state.put(NS, status.source, asdict(status))


def all_statuses(state: StateStore) -> list[SourceStatus]:
    return [SourceStatus.from_value(value) for _key, value in state.scan(NS)]


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()


def record_attempt(
    state: StateStore, source: str, url: str, *, ok: bool, error: str = "", articles: int = 0,
    added: int = 0, updated: int = 0, when: str = "",
) -> SourceStatus:
    """Fold one round's outcome into the source's record, store it, and return it.

    ``articles`` 0 on a successful round means "nothing re-read" (a 304): the count stays.
    """
    when = when or now_iso()
    before = load_status(state, source) or SourceStatus(source=source)
    if ok:
        after = replace(
            before, url=url, last_attempt=when, last_success=when, last_error="", consecutive_failures=0,
            articles=articles or before.articles, added=added, updated=updated,
        )
    else:
        after = replace(
            before, url=url, last_attempt=when, last_error=error,
            consecutive_failures=before.consecutive_failures + 1, added=added, updated=updated,
        )
    save_status(state, after)
    return after


def seconds_since(iso: str) -> float | None:
    """Seconds from an ISO time to now; None for "never"."""
    if not iso:
        return None
    return (dt.datetime.now(dt.timezone.utc) - dt.datetime.fromisoformat(iso)).total_seconds()
