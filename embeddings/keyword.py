"""Free text to keyword queries: content words, which of them to match and rank on, and a
safe FTS5 query (quoted terms joined with OR).

Both backends choose their query words here (``plan``), so they drop the same common words
and bound the same candidate set as the archive grows (docs/scaling-benchmarks.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from embeddings.stopwords import ENGLISH, ROMANIAN

# English and Romanian (embeddings.stopwords); the Romanian list leaves out every word English uses
STOP_WORDS = ENGLISH | ROMANIAN

_WORD = re.compile(r"[\w][\w'’.-]*[\w]|[\w]", re.UNICODE)


def terms(text: str) -> list[str]:
    """Lower-cased content words in order, duplicates removed. (Answers run this on every
    sentence they weigh, so it is kept lean: a match starts and ends with a word character.)"""
    out: dict[str, None] = {}
    for word in _WORD.findall(text.lower().replace("’", "'")):
        if word.endswith("'s"):
            word = word[:-2]
        if word in STOP_WORDS or (len(word) == 1 and not word.isdigit()):
            continue
        out[word] = None
    return list(out)


def match_expression(text: str) -> str:
    """An FTS5 MATCH string matching any of the terms (BM25 ranks documents with more of them)."""
    return match_terms(terms(text))


def match_terms(words: list[str]) -> str:
    """An FTS5 MATCH string matching any of ``words`` (already ``terms``), each quoted."""
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in words)


PRUNE_FROM = 10_000  # documents: below this, keyword search keeps every query word
CANDIDATE_POSTINGS = 2_000  # documents a keyword search ranks, at most (about)
RANK_POSTINGS = 200_000  # postings of the words a keyword search ranks on, at most (the rarest first)


@dataclass(frozen=True)
class KeywordPlan:
    """``rank``: the words that score a document; ``match``: the words whose documents are the
    candidates. ``capped``: even the rarest word has more than ``CANDIDATE_POSTINGS``
    documents, so the candidates are its newest ones."""

    rank: list[str]
    match: list[str]
    capped: bool = False
    budget: int = 0  # CANDIDATE_POSTINGS when planned (benchmarks change it)


def plan(
    words: Sequence[str], frequency: Callable[[str], int], documents: int,
    walk: Callable[[str], int] | None = None,
) -> KeywordPlan:
    """Which words to match and rank on, given each word's document frequency.

    Words in half the documents or more are dropped: BM25 gives them no weight (FTS5 clamps
    their idf to 1e-6; ``ts_rank`` is normalised the same way here), yet matching them walks a
    posting list that grows with the archive. The candidates are then the documents of the
    rarest words, up to ``CANDIDATE_POSTINGS`` documents in all: a document with none of the
    rarer words cannot outrank one with them, except by repeating common words. Below
    ``PRUNE_FROM`` documents nothing changes. When every word is common, the rarest is kept.

    ``walk``: the postings ranking on a word reads, when that is not its frequency: FTS5
    matches a word it splits ("three-year") as a phrase, over the postings of both parts
    (220k for 9,840 articles with "three-year" at 200k articles, 11 ms). Such a word is ranked
    only while it fits ``RANK_POSTINGS``; rarer single words after it still are."""
    words = list(words)
    if documents < PRUNE_FROM or not words:
        return KeywordPlan(words, words, False, CANDIDATE_POSTINGS)
    counts = {w: frequency(w) for w in words}
    rank = [w for w in words if 0 < counts[w] and counts[w] * 2 < documents]
    if not rank:
        rarest = min(words, key=counts.__getitem__)
        return KeywordPlan([rarest], [rarest], counts[rarest] > CANDIDATE_POSTINGS, CANDIDATE_POSTINGS)
    costs = {w: walk(w) for w in rank} if walk is not None else counts
    kept, _ = _rarest(rank, counts, RANK_POSTINGS, costs)
    rank = [w for w in rank if w in kept]  # in the question's order
    match, total = _rarest(rank, counts, CANDIDATE_POSTINGS)
    return KeywordPlan(rank, match, total > CANDIDATE_POSTINGS, CANDIDATE_POSTINGS)


def _rarest(
    words: list[str], counts: dict[str, int], budget: int, costs: dict[str, int] | None = None
) -> tuple[list[str], int]:
    """The rarest of ``words`` (at least one), rarest first, whose ``costs`` (default: their
    postings) add up to ``budget``, and that total. A word that does not fit is passed over;
    rarer ones cost less, unless they are phrases (``plan``)."""
    costs = counts if costs is None else costs
    chosen: list[str] = []
    total = 0
    for word in sorted(words, key=counts.__getitem__):
        if chosen and total + costs[word] > budget:
            continue
        chosen.append(word)
        total += costs[word]
    return chosen, total
