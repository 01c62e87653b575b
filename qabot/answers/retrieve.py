"""Hybrid retrieval: dense and keyword search from the store, fused per article.

Talks to the archive only through ``embeddings.base.Store``; the scores combine in
``embeddings.fusion``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from embeddings.base import Store
from embeddings.fusion import blend, normalise
from embeddings.records import NO_FILTERS, Filters, Passage
from qabot.models import Hit
from qabot.text.cognates import shared_roots
from qabot.text.sentences import split_sentences
from qabot.text.when import parse_dates

__all__ = ["Candidate", "Filters", "Retriever", "Weights", "is_question", "section_in"]

DENSE_CHUNKS = 100
KEYWORD_DOCS = 100
FOLLOW_UP_BOOST = 0.05  # articles cited in the previous turn, for follow-ups
SOFT_FILTER_KEEP = 0.9  # a filter said in the question stays if its best hit is this close
_BACKGROUND = ThreadPoolExecutor(max_workers=4, thread_name_prefix="qabot-search")


def in_background(function, *args) -> Future:
    """Runs a search step on the shared pool: archive reads (SQLite, the database server) run
    outside the GIL, so a question's independent reads overlap."""
    return _BACKGROUND.submit(function, *args)


@dataclass
class Candidate:
    """An article under consideration, with its signals and its passages' similarities."""

    doc_id: str
    dense: float = 0.0
    lead: float = 0.0
    keyword: float = 0.0
    cognate: float = 0.0
    sentence: float = 0.0
    score: float = 0.0
    chunk_scores: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Weights:
    """How the signals combine; tuned on the BBC known-item set (docs/quality.md).

    dense: best passage cosine; lead: cosine of the opening passage (news put the
    story in the lead); keyword: BM25 normalised by the best keyword hit.
    """

    dense: float = 0.6
    lead: float = 0.6
    keyword: float = 0.3
    # A question seeks one fact anywhere in a story; a headline-like query describes the whole
    # story, which news put in the lead. Measured: lead 0.6 lifts known-item MRR@10 from
    # 0.847 to 0.873 but costs natural questions two points of R@1.
    lead_for_questions: float = 0.0
    # A question in another language than the archive's (``across``): its keyword search has
    # only its names and figures, and the best-matched of its words are its cognates in the
    # articles (``qabot.text.cognates``), read for the best ``COGNATE_ARTICLES``. Measured on
    # XQuAD ro->en / en->ro first by ranking: 0.80 / 0.86 by cosine alone (docs/quality.md).
    # A name is in many paragraphs there, and its keyword weight costs a fact question the one
    # that answers it (0.30: 0.82 against 0.05: 0.85); a question about a story (the latest,
    # a timeline) wants every article naming it, and keeps ``keyword``.
    keyword_across: float = 0.05
    cognate: float = 0.15
    # ... and the best few articles are read sentence by sentence (``SENTENCE_ARTICLES``, their
    # ``SENTENCE_PASSAGES`` best passages): a passage's vector blurs the one sentence a
    # question in another language matches (XQuAD ro->en first 0.85 -> 0.87, docs/quality.md)
    sentence: float = 0.3


COGNATE_ARTICLES = 20
SENTENCE_ARTICLES = 3
SENTENCE_PASSAGES = 2
# ... only when the runner-up scores within this share of the leader: a third of XQuAD's ro->en
# questions, and as many right as reading every one (0.876 against 0.872 by ranking)
SENTENCE_CLOSE = 0.85


_QUESTION = re.compile(
    r"\?\s*$|^\s*(?:who|whom|whose|what|when|where|why|which|how|is|are|was|were|do|does|did|can|could|"
    r"will|would|should|has|have|had)\b",
    re.I,
)


def is_question(text: str) -> bool:
    return bool(_QUESTION.search(text))


class Retriever:
    def __init__(self, store: Store, encoder, weights: Weights | None = None) -> None:
        self.store = store
        self.encoder = encoder
        self.weights = weights or Weights()
        self._read: dict[int, Passage] = {}

    def passages(self, ids: Iterable[int]) -> dict[int, Passage]:
        """Passages by id, each read from the store once in this retriever's life (one question:
        ``QAService.retriever``): the dense hits are read to learn their articles, and the hit
        list shows the best of them again."""
        ids = list(ids)
        missing = [i for i in ids if i not in self._read]
        if missing:
            self._read.update(self.store.passages(missing))
        return {i: self._read[i] for i in ids if i in self._read}

    def embed_query(self, text: str) -> np.ndarray:
        return self.encoder.embed([text], kind="query")[0]

    def candidates(
        self, query: str, filters: Filters = NO_FILTERS, query_vector: np.ndarray | None = None,
        keyword_query: str | None = None, dense_hits: list[tuple[int, float]] | None = None,
        keyword_hits: Future | None = None, across: bool = False, story: bool = False,
    ) -> list[Candidate]:
        """All articles found by either signal, scored and sorted best first. ``dense_hits``
        and ``keyword_hits`` (a future): these very searches, when the caller started them.
        ``across``: the question is in another language than the archive; ``story``: it asks
        about a story rather than a fact (``Weights``)."""
        qvec = self.embed_query(query) if query_vector is None else query_vector
        if dense_hits is None:
            dense_hits = self.store.dense_search(qvec, DENSE_CHUNKS, filters)
        chunk_docs = {c.id: c.doc_id for c in self.passages(i for i, _ in dense_hits).values()}
        found: dict[str, Candidate] = {}
        for chunk_id, score in dense_hits:
            doc_id = chunk_docs.get(chunk_id)
            if doc_id is not None:
                found.setdefault(doc_id, Candidate(doc_id)).chunk_scores[chunk_id] = score
        if keyword_hits is not None:
            keyword = keyword_hits.result()
        else:
            keyword = self.store.keyword_search(
                keyword_query if keyword_query is not None else query, KEYWORD_DOCS, filters
            )
        keyword_scores = normalise(keyword)
        missing = [doc_id for doc_id, _ in keyword if doc_id not in found]
        if missing:
            self._score_chunks(missing, qvec, found)
        return self._ranked(query, qvec, found, keyword_scores, across, story)

    def _ranked(
        self, query: str, qvec: np.ndarray, found: dict[str, Candidate], keyword_scores: dict[str, float],
        across: bool = False, story: bool = False,
    ) -> list[Candidate]:
        """Fills each candidate's signals and blends them (embeddings.fusion), best first."""
        w = self.weights
        lead_weight = w.lead_for_questions if is_question(query) else w.lead
        leads = self._lead_scores(list(found), qvec) if lead_weight else {}
        for doc_id, candidate in found.items():
            candidate.keyword = keyword_scores.get(doc_id, 0.0)
            candidate.dense = max(candidate.chunk_scores.values(), default=0.0)
            candidate.lead = leads.get(doc_id, 0.0)
        dense = {doc_id: c.dense for doc_id, c in found.items()}
        keyword_weight = w.keyword_across if across and not story else w.keyword
        scores = blend([dense, leads, keyword_scores], [w.dense, lead_weight, keyword_weight], keys=found)
        if across:
            cognates = self._cognates(query, sorted(found, key=scores.__getitem__, reverse=True)[:COGNATE_ARTICLES])
            scores = blend([scores, cognates], [1.0, w.cognate], keys=found)
            for doc_id, share in cognates.items():
                found[doc_id].cognate = share
        for doc_id, candidate in found.items():
            candidate.score = scores[doc_id]
        ranked = sorted(found.values(), key=lambda c: c.score, reverse=True)
        # a story question wants the story's articles, not one sentence; a clear leader needs no reading
        if across and not story and len(ranked) > 1 and ranked[1].score >= SENTENCE_CLOSE * ranked[0].score:
            self._read_sentences(qvec, ranked[:SENTENCE_ARTICLES])
            ranked.sort(key=lambda c: c.score, reverse=True)
        return ranked

    def _read_sentences(self, qvec: np.ndarray, best: list[Candidate]) -> None:
        """Adds each article's best sentence similarity (its best passages' sentences, embedded
        in one batch) to its score (``Weights.sentence``)."""
        chosen = {c.doc_id: sorted(c.chunk_scores, key=c.chunk_scores.__getitem__, reverse=True)[:SENTENCE_PASSAGES]
                  for c in best}
        read = self.passages(i for ids in chosen.values() for i in ids)
        own = {doc_id: {s for i in ids if i in read for s in split_sentences(read[i].text)}
               for doc_id, ids in chosen.items()}
        sentences = sorted({s for group in own.values() for s in group})
        if not sentences:
            return
        similarity = dict(zip(sentences, (self.encoder.embed(sentences, kind="passage") @ qvec).tolist(), strict=True))
        for candidate in best:
            candidate.sentence = max((similarity[s] for s in own[candidate.doc_id]), default=0.0)
            candidate.score += self.weights.sentence * candidate.sentence

    def _cognates(self, query: str, doc_ids: list[str]) -> dict[str, float]:
        """The share of the question's words each article has a cognate of (``shared_roots``)."""
        docs = self.store.documents(doc_ids)
        kept = [i for i in doc_ids if i in docs]
        shares = shared_roots(query, [f"{docs[i].title}\n{docs[i].text}" for i in kept])
        return dict(zip(kept, shares, strict=True))

    def _lead_scores(self, doc_ids: list[str], qvec: np.ndarray) -> dict[str, float]:
        first = self.store.first_passage_ids(doc_ids)
        if not first:
            return {}
        sims = similarities(self.store, list(first.values()), qvec)
        return {doc_id: sims[i] for doc_id, i in first.items()}

    def _score_chunks(self, doc_ids: list[str], qvec: np.ndarray, found: dict[str, Candidate]) -> None:
        """Exact similarities for articles only the keyword search found."""
        by_doc = self.store.article_similarities(doc_ids, qvec)
        for doc_id in doc_ids:
            if doc_id in by_doc:
                found.setdefault(doc_id, Candidate(doc_id)).chunk_scores.update(by_doc[doc_id])

    def retrieve(
        self, query: str, filters: Filters, *, question_dates: bool, keyword_query: str | None = None,
        boost: list[str] | None = None, force_dates: bool = False, today: date | None = None,
        date_slack: int = 0, across: bool = False, story: bool = False,
    ) -> tuple[list[Candidate], list[Hit], np.ndarray]:
        """Hybrid retrieval. Flags filter strictly; a date or section said in the question filters
        softly: kept only while the best filtered article is about as close as the best overall
        (always, with ``force_dates``: "what happened in March 2025?" is about the period).
        ``date_slack`` widens a date said by that many days either side: an article about April's
        figure comes out in May, one about a rise from 1 July is written in June."""
        said = NO_FILTERS
        if question_dates and not filters:
            dates, _rest = parse_dates(query, today)
            said = Filters(_shift(dates.since, -date_slack), _shift(dates.until, date_slack),
                           section_in(query, self.store.sections()))
        # The keyword search needs no query vector: it runs while the question is embedded and
        # searched densely (SQLite and the database server work outside the GIL). With a date or
        # section said in the question, both searches start: which one is wanted is known only
        # once the dense searches have compared them.
        keyword_text = keyword_query if keyword_query is not None else query
        keyword_hits = in_background(self.store.keyword_search, keyword_text, KEYWORD_DOCS, said or filters)
        overall_keyword = (
            in_background(self.store.keyword_search, keyword_text, KEYWORD_DOCS, filters) if said else None
        )
        qvec = self.embed_query(query)

        def run(attempt: Filters, dense_hits: list[tuple[int, float]] | None = None,
                keyword_hits: Future | None = None) -> list[Candidate]:
            found = self.candidates(query, attempt, query_vector=qvec, keyword_query=keyword_query,
                                    dense_hits=dense_hits, keyword_hits=keyword_hits, across=across,
                                    story=story)
            for c in found:
                if boost and c.doc_id in boost:
                    c.score += FOLLOW_UP_BOOST
            return sorted(found, key=lambda c: c.score, reverse=True)

        if not said:
            candidates = run(filters, keyword_hits=keyword_hits)
            return candidates, self.to_hits(candidates[:40], 20), qvec
        # Which of the two wins is decided on their best passages, which the dense searches alone
        # give; only the winner is fused, and the loser's keyword search is dropped.
        narrow_hits = self.store.dense_search(qvec, DENSE_CHUNKS, said)
        overall_hits = [] if force_dates and narrow_hits else self.store.dense_search(qvec, DENSE_CHUNKS, filters)
        best = max((score for _, score in overall_hits), default=0.0)
        if narrow_hits and (force_dates or max(score for _, score in narrow_hits) >= SOFT_FILTER_KEEP * best):
            if overall_keyword is not None:
                overall_keyword.cancel()
            candidates = run(said, narrow_hits, keyword_hits)
        else:
            keyword_hits.cancel()
            candidates = run(filters, overall_hits, overall_keyword)
        return candidates, self.to_hits(candidates[:40], 20), qvec

    def search(self, query: str, k: int = 10, filters: Filters = NO_FILTERS, **kw) -> list[Hit]:
        return self.to_hits(self.candidates(query, filters, **kw)[: k * 2], k)

    def to_hits(self, candidates: list[Candidate], k: int) -> list[Hit]:
        """One hit per article, near-duplicates of a better hit dropped, best passages first.
        The articles and their passages are read at once (two connections on a server)."""
        reading = in_background(self.store.documents, [c.doc_id for c in candidates])
        chunk_ids = [i for c in candidates for i in sorted(c.chunk_scores, key=c.chunk_scores.__getitem__, reverse=True)[:3]]
        chunks = self.passages(chunk_ids)
        docs = reading.result()
        hits: list[Hit] = []
        seen_titles: set[str] = set()
        for c in candidates:
            doc = docs.get(c.doc_id)
            if doc is None:
                continue
            title_key = " ".join(doc.title.lower().split())
            if title_key and title_key in seen_titles and _same_story(hits, doc.text):
                continue
            seen_titles.add(title_key)
            best = sorted(c.chunk_scores, key=c.chunk_scores.__getitem__, reverse=True)[:3]
            hits.append(
                Hit(
                    article_id=doc.doc_id,
                    title=doc.title,
                    url=doc.meta.get("url", ""),
                    published=doc.published,
                    section=doc.section,
                    author=doc.meta.get("author", ""),
                    score=round(c.score, 4),
                    passages=tuple(chunks[i].text for i in best if i in chunks),
                    chunk_ids=tuple(best),
                )
            )
            if len(hits) >= k:
                break
        return hits

    def score_articles(self, query: str, doc_ids: list[str], query_vector: np.ndarray | None = None) -> list[Candidate]:
        """The ranking score ``candidates`` would give each of ``doc_ids`` for ``query``, even
        those outside its top results (a topic alert judges each new article on its own)."""
        qvec = self.embed_query(query) if query_vector is None else query_vector
        found: dict[str, Candidate] = {}
        self._score_chunks(doc_ids, qvec, found)
        keyword_scores = normalise(self.store.keyword_search(query, KEYWORD_DOCS))
        return self._ranked(query, qvec, found, keyword_scores)


def _shift(iso: str | None, days: int) -> str | None:
    return (date.fromisoformat(iso) + timedelta(days=days)).isoformat() if iso and days else iso


def _same_story(hits: list[Hit], text: str) -> bool:
    """A re-run of a story already listed (same headline, mostly the same words)."""
    words = set(text.lower().split())
    for hit in hits:
        other = set(" ".join(hit.passages).lower().split())
        if words and other and len(words & other) / max(1, len(other)) > 0.8:
            return True
    return False


def similarities(store: Store, ids: Sequence[int], qvec: np.ndarray) -> dict[int, float]:
    """Exact cosine of the query with stored passage vectors (the one place that rescores)."""
    if not ids:
        return {}
    sims = store.passage_similarities(ids, qvec)
    return dict(zip(ids, (float(s) for s in sims), strict=True))


def section_in(question: str, sections: list[str]) -> str | None:
    """A section the question names: "in the sport section", "politics news", "in Business"."""
    for section in sorted(sections, key=len, reverse=True):
        name = re.escape(section)
        if re.search(rf"\b(?:in|from) (?:the )?{name}(?: section| pages)?\b|\b{name} (?:section|news|stories)\b",
                     question, re.I):
            return section
    return None
