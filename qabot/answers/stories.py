"""Stories: the articles of one developing news story among the hits for a question.

Grouping, decided per question and never stored: take the hits at least ``RELEVANT`` of the
best score (at most ``POOL``); link two of them when the vectors of their opening passages
(headline and lead, which say what a story is about) have a cosine of at least ``LINKED``,
or of at least ``NAMED`` when their headlines share a name or code ("A16", "M6", "Pâslaru");
a story is a connected group. The question's story is the group with the most relevance above
the pool's floor (the sum over its members of score minus floor), so a single background
article that happens to rank first does not decide the subject alone, and a story told in
several articles is preferred over one article that merely shares a word with the question.
Measured on the dated archive (benchmarks/dated): articles of one story have opening-passage
cosines of 0.65-0.85, neighbouring stories (the policy rate and inflation) 0.45-0.6.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np

from qabot.models import Hit
from qabot.text.fold import fold

RELEVANT = 0.7
POOL = 10
LINKED = 0.62
NAMED = 0.5  # enough when the headlines share a name ("A16", "Metrorex", "Pâslaru")
_CAPITALISED = re.compile(r"\b[A-ZĂÂÎȘȚŞŢ][\w’'-]*[\w]|\b[A-Z]*\d+[A-Z]*\b")
_COMMON = frozenset(
    "the a an in on at of for and but to from with by as is are was were its his her their new after over "
    "romania romanian romanians bucharest government minister ministry eu european state national first "
    "says said will could more than".split()
)


def names(title: str) -> set[str]:
    """Capitalised words and codes of a headline, folded, minus the furniture every story shares."""
    return {fold(w) for w in _CAPITALISED.findall(title) if not w.isdigit()} - _COMMON


def main_story(hits: Sequence[Hit], lead_vectors: Callable[[list[str]], np.ndarray]) -> list[Hit]:
    """The hits of the question's story, in relevance order (``[hits[0]]`` when alone)."""
    if not hits:
        return []
    floor = hits[0].score * RELEVANT
    pool = [h for h in hits[:POOL] if h.score >= floor]
    if len(pool) < 2:
        return list(pool) or [hits[0]]
    label = components([h.title for h in pool], lead_vectors([h.article_id for h in pool]))
    weight: dict[int, float] = {}
    for i, hit in enumerate(pool):
        weight[label[i]] = weight.get(label[i], 0.0) + hit.score - floor
    best = max(weight, key=lambda r: (weight[r], -r))  # among equals the group of the better hit
    return [h for i, h in enumerate(pool) if label[i] == best]


def components(titles: Sequence[str], vecs: np.ndarray) -> list[int]:
    """Story groups among articles (their headlines, their opening passages' vectors): linked at
    cosine ``LINKED``, or ``NAMED`` when the headlines share a name; each article's label is the
    smallest index in its group."""
    sims = vecs @ vecs.T
    group = list(range(len(titles)))  # union-find over the links

    def root(i: int) -> int:
        while group[i] != i:
            group[i] = group[group[i]]
            i = group[i]
        return i

    titled = [names(t) for t in titles]
    for i in range(len(titles)):
        for j in range(i + 1, len(titles)):
            if sims[i, j] >= LINKED or (sims[i, j] >= NAMED and titled[i] & titled[j]):
                a, b = root(i), root(j)
                group[max(a, b)] = min(a, b)
    return [root(i) for i in range(len(titles))]


def by_date(hits: Sequence[Hit]) -> list[Hit]:
    """Oldest first; undated articles last (their place in the story is unknown)."""
    return sorted(hits, key=lambda h: (not h.published, h.published))
