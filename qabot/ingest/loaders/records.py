"""Turning what a loader found into an :class:`Article`: one place for the field rules."""

from __future__ import annotations

from qabot.errors import SourceError
from qabot.ingest.clean import derive_title, parse_date, tidy_text
from qabot.ingest.loaders.identity import article_id, normalise_url
from qabot.models import Article


def make_article(
    *,
    text: str,
    source: str,
    title: str = "",
    url: str = "",
    published: str = "",
    author: str = "",
    section: str = "",
    explicit_id: str = "",
    rel_path: str = "",
) -> Article:
    """Normalise whitespace and date, pick the identity; raise SourceError when there is no text."""
    body = tidy_text(text)
    if not body:
        raise SourceError("no article text")
    title = " ".join(title.split())
    if body.split("\n\n", 1)[0] == title:  # extractors often repeat the headline as paragraph 1
        body = body.split("\n\n", 1)[1] if "\n\n" in body else body
    return Article(
        article_id=article_id(explicit_id=explicit_id, url=url, rel_path=rel_path, text=body),
        title=title or derive_title(body),
        text=body,
        url=normalise_url(url, keep_slash=True) if url.strip() else "",
        published=parse_date(published),
        author=" ".join(author.split()),
        section=" ".join(section.split()),
        source=source,
    )
