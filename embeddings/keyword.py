"""Free text to a safe FTS5 query: quoted terms joined with OR, stop words dropped."""

from __future__ import annotations

import re

STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours out over own same
    she should so some such than that the their theirs them themselves then there these they this
    those through to too under until up very was we were what when where which while who whom why
    will with would you your yours yourself yourselves tell say said says did does according
    news article articles archive""".split()
)

_WORD = re.compile(r"[\w][\w'’.-]*[\w]|[\w]", re.UNICODE)


def terms(text: str) -> list[str]:
    """Lower-cased content words in order, duplicates removed."""
    out: list[str] = []
    for raw in _WORD.findall(text.lower()):
        word = raw.strip(".'’-").replace("’", "'")
        if word.endswith("'s"):
            word = word[:-2]
        if not word or word in STOP_WORDS or (len(word) == 1 and not word.isdigit()):
            continue
        if word not in out:
            out.append(word)
    return out


def match_expression(text: str) -> str:
    """An FTS5 MATCH string matching any of the terms (BM25 ranks documents with more of them)."""
    return match_terms(terms(text))


def match_terms(words: list[str]) -> str:
    """An FTS5 MATCH string matching any of ``words`` (already ``terms``), each quoted."""
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
