"""Sync state per source: when it was last tried, last worked, what went wrong, and how often.

Kept in the shared state (``qabot.persist``, namespace ``sync``, keyed by source name) so
`qabot sources`, the bot's /status and the admins' failure alerts all read the same record,
on one machine or across replicas. Validators per URL (ETag, Last-Modified, lastmod) live in
namespace ``validators``, keyed by URL.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from qabot.persist import StateStore

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
    articles: int = 0

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
