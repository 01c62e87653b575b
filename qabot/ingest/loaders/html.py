"""Main text and metadata of an HTML page, through trafilatura (imported lazily: it is heavy)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qabot.errors import SourceError
from qabot.ingest.clean import clean_page
from qabot.ingest.loaders.fetch import FetchResult
from qabot.ingest.loaders.pagemeta import page_meta, url_date
from qabot.ingest.loaders.records import make_article
from qabot.models import Article

if TYPE_CHECKING:
    from qabot.settings import Settings


@dataclass(frozen=True)
class PageFields:
    """What a page (or a feed entry, as fallback) says about an article, before identity is chosen."""

    text: str
    title: str = ""
    url: str = ""
    published: str = ""
    author: str = ""
    section: str = ""


def extract_html(content: bytes | str, url: str = "") -> PageFields:
    """Article text (one paragraph per block) and metadata; SourceError when there is no text.

    Malformed or unclosed markup is fine: lxml repairs it, and any text it holds comes out.
    """
    import trafilatura

    if not content.strip():
        raise SourceError("empty page")
    try:
        doc: Any = trafilatura.bare_extraction(
            content, url=url or None, with_metadata=True, include_comments=False,
            include_tables=True, favor_recall=True,
            # no guessing from "Copyright 2025" in a footer: metadata and markup dates only
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as e:  # trafilatura raises assorted parser errors on hostile input
        raise SourceError(f"HTML extraction failed: {type(e).__name__}: {e}") from e
    # trafilatura puts one block per line; blank lines keep them as paragraphs
    text = (doc.text or "").replace("\n", "\n\n") if doc is not None else ""
    if doc is None:
        # markup without <html>/<body> defeats trafilatura; lxml still reads the fragment
        raw = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        text = html_to_text(raw)
    if not has_article_text(text):
        raise SourceError("no article text found in the HTML")
    meta = page_meta(content)
    if doc is None:
        return PageFields(text=text, title=meta.headline, published=meta.published)
    categories = doc.categories or []
    return PageFields(
        text=text,
        title=meta.headline or doc.title or "",
        url=doc.url or "",
        published=meta.published or doc.date or "",
        author=(doc.author or "").replace("; ", ", "),
        section=categories[0] if categories else "",
    )


_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
CJK_CHARS_PER_WORD = 2  # Chinese and Japanese write words without spaces; about two characters each


def word_count(text: str) -> int:
    """Words in ``text``: spaced words, plus Chinese, Japanese and Korean characters by pairs."""
    cjk = len(_CJK_RE.findall(text))
    spaced = len(_CJK_RE.sub(" ", text).split())
    return spaced + cjk // CJK_CHARS_PER_WORD


def has_article_text(text: str) -> bool:
    """At least one paragraph of five words: menus and footers alone are not an article."""
    return any(word_count(p) >= 5 for p in text.split("\n\n"))


def html_to_text(markup: str) -> str:
    """Plain text of HTML that trafilatura does not take (a feed summary, a JSON body, a fragment)."""
    if "<" not in markup:
        return markup
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.fromstring(markup)
    except (ValueError, lxml.etree.ParserError):
        return html.unescape(re.sub(r"<[^>]*>", " ", markup))
    for node in root.xpath("//script|//style|//nav|//footer"):
        node.drop_tree()
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    for block in root.iter("p", "div", "li", "h1", "h2", "h3", "h4", "blockquote", "tr"):
        block.tail = "\n\n" + (block.tail or "")
    return root.text_content()


def html_article(
    content: bytes | str,
    *,
    source: str,
    settings: Settings,
    url: str = "",
    rel_path: str = "",
    fallback: PageFields | None = None,
) -> Article:
    """An Article from an HTML page; ``fallback`` (a feed entry's fields) fills what the page lacks."""
    fields = extract_html(content, url)
    fb = fallback or PageFields(text="")
    page = clean_page(
        fields.text, title=fields.title or fb.title or None, extra_patterns=settings.clean_patterns
    )
    return make_article(
        text=page.text,
        source=source,
        title=page.title,
        url=fields.url or url,
        published=fields.published or page.published or fb.published or url_date(fields.url or url),
        author=fields.author or page.author or fb.author,
        section=fields.section or fb.section,
        rel_path=rel_path,
    )


def page_article(
    result: FetchResult, *, source: str, settings: Settings, fallback: PageFields | None = None
) -> Article:
    """An Article from a fetched web page: HTML through trafilatura, plain text through the cleaner."""
    kind = result.content_type.split(";")[0].strip().lower()
    if kind in ("", "text/html", "application/xhtml+xml"):
        return html_article(
            result.content, source=source, settings=settings, url=result.url, fallback=fallback
        )
    if kind == "text/plain":
        page = clean_page(
            result.content.decode("utf-8", "replace"), extra_patterns=settings.clean_patterns
        )
        fb = fallback or PageFields(text="")
        return make_article(
            text=page.text, source=source, title=page.title or fb.title, url=result.url,
            published=page.published or fb.published, author=page.author or fb.author,
        )
    raise SourceError(f"unsupported content type {kind!r}")
