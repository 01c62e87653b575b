"""Does the archive cover the question? The judgement between an answer and "not in the archive".

Kept apart from ``QAService.ask`` because it is one decision with several signals (the best
passage's cosine against the model's floor, the best article's headline, the question's names
and words in the best articles and in the archive) and each was measured on its own
(docs/quality.md, "Not in the archive"). A question in another language than the archive's
shares only its names with the articles word for word, and even a name may be written otherwise
("Varșovia" for Warsaw): the model then looks for it in the best article.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

from embeddings.base import Store
from qabot.answers.entities import RARE_MIN, RARE_SHARE
from qabot.answers.evidence import (
    UNSURE_MARGIN,
    elsewhere,
    in_headline,
    question_names,
    unknown_word,
)
from qabot.answers.extract import ANSWER_ARTICLES
from qabot.answers.retrieve import Candidate
from qabot.models import Hit
from qabot.text.lang import ro

NAME_SIMILARITY = 0.18  # a translated name's similarity to a passage naming it (XQuAD ro->en: 0.18-0.43)
NAME_SIMILARITY_SURE = 0.12  # ... when the archive never writes the name and the question's cosine is high


@dataclass(frozen=True)
class Coverage:
    """The judgement for one archive version and model. ``min_relevance``: the best passage
    cosine below which the archive has nothing; ``headline_relevance``: the model's lower floor
    when every word of the question is in the best article's headline (None: no such floor);
    ``across_relevance``: its floor for a question in another language than the archive's when
    the best article backs it with words (``backed``; None: no such floor); ``articles``: how
    many the archive holds (a name in more than a share of them is common)."""

    store: Store
    embed_query: Callable[[str], np.ndarray]  # a text's vector as a question (the service's model)
    min_relevance: float
    headline_relevance: float | None
    across_relevance: float | None
    articles: int

    def above_floor(self, best: float, candidates: list[Candidate], query: str, across: str | None = None) -> bool:
        """The best passage is similar enough to answer from: above ``min_relevance``, or above
        ``headline_relevance`` when every word of the question is in the best article's headline,
        or, for a question in another language than the archive's (``across``: the question's
        language), above ``across_relevance`` when the best article backs the model with words
        (``backed``)."""
        if best >= self.min_relevance:
            return True
        lower = self.across_relevance
        if across is not None and lower is not None and best >= lower and self.backed(candidates[0], query, across):
            return True
        floor = self.headline_relevance
        if floor is None or best < floor:
            return False
        top = self.store.documents([candidates[0].doc_id]).get(candidates[0].doc_id)
        return top is not None and in_headline(query, top.title)

    def backed(self, top: Candidate, query: str, language: str) -> bool:
        """Across languages the model's similarities run lower, and just under its floor the
        article must back it: it has a cognate of one of the question's words
        (``Candidate.cognate``) and every name of the question, as written, by its stem or as a
        cognate. "Câți oameni încap în sala teatrului?" (0.29, "theatre") is answered from the
        Summer Theatre; "Cât costă un bilet la teatrul de operă din Viena?" (0.30, "theatre" too)
        is not, for the article never names Vienna."""
        if top.cognate <= 0:
            return False
        doc = self.store.documents([top.doc_id]).get(top.doc_id)
        return doc is not None and not elsewhere(query, [f"{doc.title}\n{doc.text}"], lambda _: True, language)

    def elsewhere(self, query: str, hits: list[Hit], best: float, language: str = "en", across: bool = False) -> bool:
        """The question is about a name the best articles never mention, or uses a word the
        archive never does while only just relevant (qabot.answers.evidence). A question in
        another language than the archive's is judged by its names alone (written as in
        ``language``: "Brăilei" is "Brăila"): its other words are rarely the articles'."""
        limit = max(RARE_MIN, int(self.articles * RARE_SHARE))
        top = self.store.documents(h.article_id for h in hits[:ANSWER_ARTICLES])
        texts = [f"{d.title}\n{d.text}" for d in top.values()]
        translated = self._translated(query, hits[0].article_id, best, language) if across else None
        if elsewhere(query, texts, lambda word: self.store.word_documents(word) <= limit, language, translated):
            return True
        return not across and best < self.min_relevance + UNSURE_MARGIN and unknown_word(query, self.store)

    def _translated(self, query: str, article_id: str, best: float, language: str) -> Callable[[list[str]], bool]:
        """Across languages a name the archive never writes may be written otherwise in it
        ("Varșovia" is Warsaw): when the model finds it in the best article (the question's
        names together, "Teatrul de Vară din Varșovia", else the name alone, with a lower bar
        when the archive never writes it and the cosine is confident), it is no evidence of
        another subject."""
        sure = best >= self.min_relevance + UNSURE_MARGIN
        together = " ".join(" ".join(words) for words in question_names(query))
        found_together = cache(lambda: self.name_in(together, article_id, NAME_SIMILARITY))

        def translated(words: list[str]) -> bool:
            floor = NAME_SIMILARITY_SURE if sure and self.unwritten(words, language) else NAME_SIMILARITY
            return found_together() or self.name_in(" ".join(words), article_id, floor)

        return translated

    def name_in(self, name: str, article_id: str, floor: float) -> bool:
        """The model finds ``name`` in one of the article's passages, in whatever language it
        is written there: "varsoviei" scores 0.24 against a passage on Warsaw, "australia"
        -0.03 against one on Romania's minimum wage (docs/quality.md)."""
        ids = self.store.passage_ids([article_id]).get(article_id, [])
        if not ids:
            return False
        vector = self.embed_query(name)
        return float(np.max(self.store.passage_similarities(ids, vector))) >= floor

    def unwritten(self, words: list[str], language: str) -> bool:
        """No article has any word of the name, as written or (Romanian) by its stem."""
        stem = ro.name_stem if language == "ro" else (lambda w: w)
        return all(self.store.word_documents(w) == 0 and self.store.word_documents(stem(w)) == 0 for w in words)
