"""JSON and JSONL article dumps: one object, a list, a ``{"articles": [...]}`` wrapper, or a line each.

Fields are found by their usual names. Every record's errors name ``path:LINE``; records
without an id or URL get a content hash as identity (line numbers move when files are edited).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

from qabot.errors import SourceError
from qabot.ingest.clean import parse_date
from qabot.ingest.loaders.html import html_to_text
from qabot.ingest.loaders.records import make_article
from qabot.models import Article, LoadError

ID_KEYS = ("id", "_id", "article_id", "uuid", "guid")
URL_KEYS = ("url", "link", "canonical_url", "permalink", "href")
TITLE_KEYS = ("title", "headline")
TEXT_KEYS = ("text", "content", "body", "article", "full_text", "body_text", "article_text")
DATE_KEYS = ("date", "published", "published_at", "publishedAt", "pubDate", "datePublished", "created_at")
AUTHOR_KEYS = ("author", "authors", "byline", "creator")
SECTION_KEYS = ("section", "category", "categories", "sections")
WRAPPER_KEYS = ("articles", "items", "data", "results", "records", "entries", "documents", "docs", "posts")

_DECODER = json.JSONDecoder()


def load_json(text: str, source: str, *, jsonl: bool) -> Iterator[Article | LoadError]:
    """Articles from a .json/.jsonl file's text; a bad line or record is one LoadError, the rest load."""
    records = _jsonl_records(text, source) if jsonl else _json_records(text, source)
    count = 0
    for line, record in records:
        count += 1
        where = f"{source}:{line}"
        if isinstance(record, LoadError):
            yield record
        elif not isinstance(record, dict):
            yield LoadError(where, f"record is a JSON {type(record).__name__}, not an object")
        else:
            try:
                yield record_article(record, source)
            except SourceError as e:
                yield LoadError(where, str(e))
    if count == 0:
        yield LoadError(source, "no articles in the file")


def record_article(record: dict[str, Any], source: str) -> Article:
    text = _text(_first(record, TEXT_KEYS))
    if not text.strip():
        raise SourceError(f"record has no text (expected one of: {', '.join(TEXT_KEYS[:3])})")
    url = _text(_first(record, URL_KEYS))
    return make_article(
        text=html_to_text(text) if re.search(r"</?(?:p|br|div)\b", text) else text,
        source=source,
        title=_text(_first(record, TITLE_KEYS)),
        url=url,
        published=_date(_first(record, DATE_KEYS)),
        author=_names(_first(record, AUTHOR_KEYS)),
        section=_names(_first(record, SECTION_KEYS)),
        explicit_id=_text(_first(record, ID_KEYS)),
    )


def _jsonl_records(text: str, source: str) -> Iterator[tuple[int, Any]]:
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                yield n, json.loads(line)
            except json.JSONDecodeError as e:
                yield n, LoadError(f"{source}:{n}", f"invalid JSON: {e.msg} (column {e.colno})")


def _json_records(text: str, source: str) -> Iterator[tuple[int, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        if e.msg == "Extra data" and text.count("\n") > 1:  # JSON Lines saved as .json
            yield from _jsonl_records(text, source)
        else:
            yield e.lineno, LoadError(source, f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}")
        return
    if isinstance(data, list):
        yield from _array_items(text, text.index("["), data)
        return
    key = _wrapper_key(data)
    if key is None:
        yield text[: len(text) - len(text.lstrip())].count("\n") + 1, data
        return
    match = re.search(r'"' + re.escape(key) + r'"\s*:\s*\[', text)
    yield from _array_items(text, match.end() - 1 if match else -1, data[key])


def _wrapper_key(data: Any) -> str | None:
    if not isinstance(data, dict) or _first(data, TEXT_KEYS) is not None:
        return None
    lists = [k for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
    return next((k for k in WRAPPER_KEYS if k in lists), lists[0] if len(lists) == 1 else None)


def _array_items(text: str, start: int, items: list[Any]) -> Iterator[tuple[int, Any]]:
    """Items with the line each starts on (re-decoded one by one from the array's '[')."""
    if start < 0:  # the key was escaped oddly; line numbers unknown, report item positions
        yield from ((i, item) for i, item in enumerate(items, start=1))
        return
    pos = start + 1
    for item in items:
        while text[pos] in " \t\r\n,":
            pos += 1
        _, end = _DECODER.raw_decode(text, pos)
        yield text.count("\n", 0, pos) + 1, item
        pos = end


def _date(value: Any) -> str:
    """ISO date of a date string or a Unix timestamp in seconds or milliseconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value
        try:
            return dt.datetime.fromtimestamp(seconds, tz=dt.timezone.utc).date().isoformat()
        except (OverflowError, OSError, ValueError):
            return ""
    return parse_date(_text(value))


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = record.get(key)
        if value not in (None, "", [], {}):
            return value
    return None


def _text(value: Any) -> str:
    """A field as text: WordPress-style {"rendered": ...}, lists of paragraphs, numbers."""
    if isinstance(value, dict):
        value = value.get("rendered") or value.get("text") or value.get("value") or ""
    if isinstance(value, list):
        return "\n\n".join(_text(v) for v in value)
    return "" if value is None else str(value)


def _names(value: Any) -> str:
    """An author or section given as a string, a {name} object or a list of either."""
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("title") or "")
    if isinstance(value, list):
        return ", ".join(n for n in (_names(v) for v in value) if n)
    return _text(value)
