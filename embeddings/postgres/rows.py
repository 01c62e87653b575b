"""Which rows a version sees and how rows become records, shared by the reader and the writer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from embeddings.records import Document, Filters

# A row belongs to versions version_from <= v < version_to (version_to unset: still live).
LIVE = "version_from <= %(v)s AND (version_to IS NULL OR version_to > %(v)s)"
DOC_COLUMNS = "doc_id, title, text, published, section, meta, content_hash, body_hash, source"


def version_name(number: int) -> str:
    return f"v{number:06d}"


def filter_sql(filters: Filters, params: dict[str, Any]) -> str:
    """The same date and section rules as the local backend (``DocStore.filter_clause``)."""
    parts: list[str] = []
    if filters.since:
        parts.append("published >= %(since)s")
        params["since"] = filters.since
    if filters.until:
        parts.append("published != '' AND substr(published, 1, %(until_len)s) <= %(until)s")
        params.update(until=filters.until, until_len=len(filters.until))
    if filters.section:
        parts.append("lower(section) = lower(%(section)s)")
        params["section"] = filters.section
    return "".join(f" AND {p}" for p in parts)


def read_manifest(conn: Any) -> tuple[int, dict[str, Any]]:
    """The live version's number and manifest; (0, {}) before the first commit."""
    row = conn.execute("SELECT version, manifest FROM archive_manifest WHERE id = 1").fetchone()
    return (row[0], row[1]) if row else (0, {})


def document(row: Sequence[Any]) -> Document:
    """A ``documents`` row selected as ``DOC_COLUMNS``."""
    return Document(row[0], row[1], row[2], row[3], row[4], dict(row[5] or {}), row[6], row[7], row[8])
