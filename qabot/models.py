"""Typed records passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Article:
    """One cleaned article, ready to be chunked and indexed.

    ``article_id`` is the stable identity (explicit id, canonical URL, path
    relative to the ingested root, or a content hash, in that order).
    ``published`` is an ISO date (``YYYY-MM-DD``) or ISO datetime, or ``""``.
    ``source`` names where it came from (file path, feed or URL) for errors and prune.
    """

    article_id: str
    title: str
    text: str
    url: str = ""
    published: str = ""
    author: str = ""
    section: str = ""
    source: str = ""


@dataclass(frozen=True)
class LoadError:
    """A source (or one record inside it) that could not be read; the rest goes on."""

    source: str
    error: str

    def __str__(self) -> str:
        return f"{self.source}: {self.error}"


@dataclass(frozen=True)
class Chunk:
    """A passage of an article, sized for the encoder; ``text`` is what gets embedded."""

    article_id: str
    ord: int
    text: str
    body: str


@dataclass(frozen=True)
class Hit:
    """One article found by retrieval, with its best passages."""

    article_id: str
    title: str
    url: str
    published: str
    section: str
    author: str
    score: float
    passages: tuple[str, ...] = ()
    chunk_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class Citation:
    n: int
    article_id: str
    title: str
    url: str
    published: str
    snippet: str
    link: str = ""  # url with a text fragment that highlights the quoted sentence


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    citations: tuple[Citation, ...] = ()
    passages: tuple[dict, ...] = ()
    found: bool = True
    closest: tuple[Hit, ...] = ()
    latency_ms: float = 0.0
    resolved_question: str = ""
    extra: dict = field(default_factory=dict)
    kind: str = "plain"  # the question's kind (qabot.answers.intent): latest, asof, timeline, period, entity,
    # list, compare, why, digest, summary
    timeline: tuple[TimelineEntry, ...] = ()  # timeline, period, list, compare, digest answers: one dated line each
    heading: str = ""  # what the dated lines are ("Articles mentioning Sibiu:", "Compared:"), printed above them
    suggestions: tuple[str, ...] = ()  # follow-up questions the archive was checked to answer
    language: str = "en"  # the question's language (qabot.text.lang): qabot's own words are in it


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a timeline answer: the article's date, its sentence, its citation number."""

    published: str
    text: str
    n: int
    group: int = 0  # digests: the story the line belongs to (lines of one story are adjacent)
