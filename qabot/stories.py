"""Stories: the articles of one developing news story among the hits for a question.

A story here is the lead hit and the other hits about the same subject: their best passages
are near neighbours in the embedding space (cosine at least ``NEAR``), or fairly near
(``NAMED``) and sharing a proper name or a number-free rare term with the lead's headline.
Only hits the question already found qualify (within ``RELEVANT`` of the best score), so a
story never drags in an unrelated article; the grouping is per question, nothing is stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from qabot.fold import fold
from qabot.models import Hit

NEAR = 0.62
NAMED = 0.42
RELEVANT = 0.7
_CAPITALISED = re.compile(r"\b[A-ZĂÂÎȘȚŞŢ][\w’'-]*[\w]")
_COMMON_CAPS = frozenset(
    "the a an in on at of for and but romania romanian bucharest government minister ministry he she it "
    "they this that new says said after over".split()
)


def names(text: str) -> set[str]:
    """Capitalised words, folded, minus sentence furniture and the country itself."""
    return {fold(w) for w in _CAPITALISED.findall(text)} - _COMMON_CAPS


def story(
    hits: Sequence[Hit], vectors: Callable[[list[int]], np.ndarray], lead: int = 0, limit: int = 12
) -> list[Hit]:
    """``hits[lead]`` and the hits of the same story, in the given (relevance) order."""
    if not hits:
        return []
    top = hits[lead]
    pool = [h for h in hits[:limit] if h.chunk_ids and h.score >= hits[0].score * RELEVANT]
    if not top.chunk_ids or len(pool) < 2:
        return [top]
    ids = [top.chunk_ids[0]] + [h.chunk_ids[0] for h in pool]
    vecs = vectors(ids)
    sims = vecs[1:] @ vecs[0]
    top_names = names(top.title) | names(" ".join(top.passages[:1]))
    out = []
    for hit, sim in zip(pool, sims, strict=True):
        if hit.article_id == top.article_id:
            out.append(hit)
            continue
        shared = top_names & (names(hit.title) | names(" ".join(hit.passages[:1])))
        if sim >= NEAR or (sim >= NAMED and shared):
            out.append(hit)
    if top not in out:
        out.insert(0, top)
    return out


def by_date(hits: Sequence[Hit]) -> list[Hit]:
    """Oldest first; undated articles last (their place in the story is unknown)."""
    return sorted(hits, key=lambda h: (not h.published, h.published))
