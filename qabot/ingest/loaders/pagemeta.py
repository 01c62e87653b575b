"""The page's own headline and publication date, read from its metadata.

The browser title carries the site's name (" | Site", " - Site"); the headline a reader sees
is in ``og:title``, JSON-LD ``headline`` or the page's ``<h1>``. Dates come from
``article:published_time``, JSON-LD ``datePublished``, then a ``<time datetime>``; a caller
falls back to the feed's or sitemap's date, then to a date in the URL (:func:`url_date`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from qabot.ingest.clean import parse_date

_URL_DATE_RES = (
    re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})(?:/|$)"),
    re.compile(r"[/_-]((?:19|20)\d{2})-(\d{2})-(\d{2})(?:[/_.-]|$)"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})(?:[/_-]|$)"),
)
_DATE_METAS = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate",
    "publishdate", "date", "dc.date.issued", "dc.date", "sailthru.date", "parsely-pub-date",
)
_SEPARATORS = re.compile(r"\s+[|–—·•:-]\s+")


@dataclass(frozen=True)
class PageMeta:
    headline: str = ""
    published: str = ""


def page_meta(content: bytes | str) -> PageMeta:
    """Headline and ISO date from the page's markup ("" for what it does not say)."""
    from trafilatura.utils import load_html  # its encoding detection, as for the text

    try:
        root = load_html(content)
    except Exception:  # noqa: BLE001 - hostile markup: the page simply says nothing
        return PageMeta()
    if root is None:
        return PageMeta()
    metas = {}
    for node in root.iter("meta"):
        key = (node.get("property") or node.get("name") or node.get("itemprop") or "").strip().lower()
        if key and key not in metas and node.get("content"):
            metas[key] = " ".join(node.get("content").split())
    ld = _json_ld(root)
    site = metas.get("og:site_name", "")
    h1 = next((" ".join(h.text_content().split()) for h in root.iter("h1") if h.text_content().strip()), "")
    title_el = root.find(".//title")
    browser = " ".join(title_el.text_content().split()) if title_el is not None else ""
    headline = next(
        (_without_site(t, site) for t in (ld.get("headline", ""), metas.get("og:title", ""),
                                          metas.get("twitter:title", ""), h1) if t),
        _without_site(browser, site, always=True),
    )
    published = next((parse_date(metas[k]) for k in _DATE_METAS if k in metas and parse_date(metas[k])), "")
    published = published or parse_date(str(ld.get("datePublished", "")))
    if not published:
        for node in root.iter("time"):
            published = parse_date(node.get("datetime") or "")
            if published:
                break
    return PageMeta(headline=headline, published=published)


def url_date(url: str) -> str:
    """A date written in the URL's path (``/2025/07/14/``, ``-2025-07-14``), or ""."""
    for pattern in _URL_DATE_RES:
        match = pattern.search(url)
        if match:
            found = parse_date("-".join(match.groups()))
            if found:
                return found
    return ""


def _json_ld(root) -> dict:
    """The first JSON-LD object that names an article headline or date."""
    for node in root.xpath('//script[@type="application/ld+json"]'):
        try:
            data = json.loads(node.text_content())
        except ValueError:
            continue
        for item in _items(data):
            if isinstance(item, dict) and (item.get("headline") or item.get("datePublished")):
                return {k: item[k] for k in ("headline", "datePublished") if isinstance(item.get(k), str)}
    return {}


def _items(data: object) -> list:
    if isinstance(data, list):
        return [x for d in data for x in _items(d)]
    if isinstance(data, dict):
        graph = data.get("@graph")
        return [data, *(_items(graph) if graph else [])]
    return []


def _without_site(title: str, site: str, *, always: bool = False) -> str:
    """``title`` without a trailing " | Site name" (the site's name, or any short tail for <title>)."""
    title = " ".join(title.split())
    parts = _SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    tail = parts[-1]
    if (site and tail.casefold() == site.casefold()) or (always and len(tail.split()) <= 4):
        return title[: title.rfind(tail)].rstrip(" |–—·•:-")
    return title
