"""Typed records every storage backend reads and writes: the vocabulary of the storage seam."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One stored article. ``published`` is an ISO date or datetime (or ``""``); ``meta`` holds
    what the application wants back (url, author). The hashes let ingestion skip unchanged input."""

    doc_id: str
    title: str
    text: str
    published: str = ""
    section: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    content_hash: str = ""
    body_hash: str = ""
    source: str = ""


@dataclass(frozen=True)
class Passage:
    """A passage of a document; ``id`` keys its vector, ``ord`` is its place in reading order."""

    id: int
    doc_id: str
    ord: int
    text: str


@dataclass(frozen=True)
class Filters:
    """Restricts a search to documents published in ``[since, until]`` and in ``section``.

    Dates are inclusive ISO prefixes (``2024``, ``2024-03``, ``2024-03-07``): ``until="2024-03"``
    keeps all of March. ``section`` compares case-insensitively. An empty filter keeps everything.
    """

    since: str | None = None
    until: str | None = None
    section: str | None = None

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.section)


NO_FILTERS = Filters()


@dataclass(frozen=True)
class Stats:
    """What ``qabot stats`` shows about a published archive."""

    backend: str
    location: str
    version: str
    documents: int
    passages: int
    model: str
    dim: int
    index: str
    updated_at: str
