"""Links that open an article at the quoted sentence: URL text fragments (``#:~:text=``).

Browsers that support text fragments scroll to and highlight the text; others open the page
as usual, so the link is never worse than the plain URL. In a fragment ``-``, ``&`` and ``,``
are syntax, so the text percent-encodes them (``quote`` leaves ``-`` alone, hence the
replace). A long sentence is linked as ``start,end``: its first and last words, which still
match when the page wraps or re-punctuates the middle.
"""

from __future__ import annotations

from urllib.parse import quote

LONG = 80  # characters; longer sentences are linked by their first and last words
EDGE_WORDS = 5


def _encode(text: str) -> str:
    return quote(text, safe="").replace("-", "%2D")


def text_fragment(url: str, sentence: str) -> str:
    """``url`` with a text fragment for ``sentence``; ``url`` itself when there is nothing to add."""
    sentence = " ".join(sentence.split()).strip()
    if not url.startswith(("http://", "https://")) or not sentence:
        return url
    base = url.split("#", 1)[0]
    words = sentence.split()
    if len(sentence) > LONG and len(words) > 2 * EDGE_WORDS:
        directive = _encode(" ".join(words[:EDGE_WORDS])) + "," + _encode(" ".join(words[-EDGE_WORDS:]))
    else:
        directive = _encode(sentence)
    return f"{base}#:~:text={directive}"
