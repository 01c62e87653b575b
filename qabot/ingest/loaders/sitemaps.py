"""Sitemaps: ``<urlset>``, ``<sitemapindex>`` (followed, ``.xml.gz`` too) and Google News sitemaps.

Parsed here with defusedxml rather than through ultimate-sitemap-parser: USP fetches child
sitemaps itself (with requests), while every request must go through our polite fetcher
(robots.txt, host policy, limits, conditional requests); parsing a string with USP leaves an
index's children unparsed, and its parser is plain expat. What we need from the format is
small: ``loc``, ``lastmod``, and the news extension's title and publication date. defusedxml
refuses entity declarations (the "billion laughs" bomb) and external entities.

A URL whose ``lastmod`` is the one stored last round is not fetched again; one without
``lastmod`` gets a conditional request.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qabot.errors import SourceError
from qabot.ingest.loaders.fetch import FetchResult

if TYPE_CHECKING:
    from qabot.ingest.loaders.crawl import Crawl

MAX_DEPTH = 3  # index -> index -> urlset is as deep as real sites go
_SITEMAP_RE = re.compile(rb"<(?:[\w.-]+:)?(?:urlset|sitemapindex)[\s>]")


@dataclass(frozen=True)
class SitemapEntry:
    """A ``<url>`` (or, in an index, a ``<sitemap>``): where, when changed, and news fields."""

    url: str
    lastmod: str = ""
    title: str = ""
    published: str = ""


@dataclass(frozen=True)
class Sitemap:
    is_index: bool
    entries: tuple[SitemapEntry, ...]


def gunzip(content: bytes, max_bytes: int) -> bytes:
    """Content as is, or inflated when it is gzip; truncated or oversized gzip is a SourceError."""
    if not content.startswith(b"\x1f\x8b"):
        return content
    inflater = zlib.decompressobj(31)
    try:
        out = inflater.decompress(content, max_bytes + 1)
    except zlib.error as e:
        raise SourceError(f"corrupt gzip: {e}") from e
    if len(out) > max_bytes:
        raise SourceError(f"too large: over the {max_bytes / 1048576:g} MB cap once decompressed")
    if not inflater.eof:
        raise SourceError("truncated gzip: the file ends before its compressed data does")
    return out


def is_sitemap(result: FetchResult, max_bytes: int) -> bool:
    """A sitemap by its content (the server's content type says only "xml" or "gzip")."""
    head = result.content[:4096]
    if head.startswith(b"\x1f\x8b"):
        try:
            head = zlib.decompressobj(31).decompress(result.content[:65536], 4096)
        except zlib.error:
            return result.url.lower().split("?")[0].endswith(".xml.gz")
    return bool(_SITEMAP_RE.search(head))


def parse_sitemap(content: bytes, max_bytes: int) -> Sitemap:
    """Entries of a sitemap or sitemap index; SourceError for unsafe, broken or foreign XML."""
    import defusedxml
    import defusedxml.ElementTree as SafeET

    data = gunzip(content, max_bytes)
    try:
        root = SafeET.fromstring(data)
    except defusedxml.DefusedXmlException as e:
        raise SourceError(f"refused: the XML declares entities ({type(e).__name__}; entity bomb?)") from e
    except SafeET.ParseError as e:
        raise SourceError(f"not valid XML: {e}") from e
    kind = _local(root.tag)
    if kind not in ("urlset", "sitemapindex"):
        raise SourceError(f"not a sitemap (root element <{kind}>)")
    child = "sitemap" if kind == "sitemapindex" else "url"
    entries = tuple(_entry(node) for node in root if _local(node.tag) == child)
    return Sitemap(kind == "sitemapindex", tuple(e for e in entries if e.url))


def _entry(node) -> SitemapEntry:
    fields: dict[str, str] = {}
    for element in node.iter():
        name = _local(element.tag)
        if name in ("loc", "lastmod", "title", "publication_date") and name not in fields:
            fields[name] = (element.text or "").strip()
    return SitemapEntry(
        url=fields.get("loc", ""), lastmod=fields.get("lastmod", ""),
        title=fields.get("title", ""), published=fields.get("publication_date", ""),
    )


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1]


def walk_sitemap(
    result: FetchResult, source: str, crawl: Crawl, max_bytes: int, *, depth: int = 0,
    seen: set[str] | None = None, group: str = "",
) -> Iterator[SitemapEntry | tuple[str, SourceError]]:
    """Every page entry under a fetched sitemap, child sitemaps fetched through ``crawl``.

    A child that cannot be read is yielded as ``(url, error)``; the others go on.
    """
    seen = seen if seen is not None else {source}
    sitemap = parse_sitemap(result.content, max_bytes)
    if not sitemap.is_index:
        # an index is read every time: it often stays byte-identical while its children change
        crawl.remember(source, result.validators, kind="sitemap", source=group or source)
        yield from sitemap.entries
        return
    for child in sitemap.entries:
        if child.url in seen:
            continue
        seen.add(child.url)
        if depth + 1 >= MAX_DEPTH:
            yield child.url, SourceError(f"sitemap index nested deeper than {MAX_DEPTH} levels")
            continue
        try:
            fetched = crawl.fetch(child.url, conditional=crawl.containers_conditional)
            if fetched.not_modified:
                continue  # its pages were all stored when it was last read
            yield from walk_sitemap(
                fetched, child.url, crawl, max_bytes, depth=depth + 1, seen=seen, group=group or source
            )
        except SourceError as e:
            yield child.url, e
