"""Extractive answers: the sentences that answer the question, each cited to its article."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from embeddings.base import Store
from embeddings.keyword import terms
from qabot.answers.scoring import AnswerWeights, Scored, cue, overlap, question_kind
from qabot.models import Citation, Hit
from qabot.text.dates import month_names
from qabot.text.fold import fold
from qabot.text.fragments import text_fragment
from qabot.text.quotes import balance
from qabot.text.sentences import leans_on_previous, split_sentences

if TYPE_CHECKING:
    pass

ANSWER_ARTICLES = 3
READ_PASSAGES = 2  # across languages, the first answering article's best passages are read sentence by sentence

@dataclass(frozen=True)
class Source:
    """A retrieved article and its passages in reading order, each with its similarity to the question."""

    hit: Hit
    passages: list[tuple[str, float]]


class Extractor:
    """Scores the sentences of the best articles and writes a short cited answer.

    Sentences are scored without running the model again (that would cost tens of
    milliseconds per sentence on a CPU): the similarity of the passage holding the
    sentence, the share of the question's words it contains, and whether it has
    what the question type asks for (a number, a name, a date).
    """

    def __init__(self, max_chars: int = 600, weights: AnswerWeights | None = None) -> None:
        self.max_chars = max_chars
        self.weights = weights or AnswerWeights()

    def score_sentences(
        self, question: str, sources: list[Source], focus_terms: list[str] | None = None, across: bool = False,
        about: Callable[[str, list[str]], np.ndarray] | None = None,
    ) -> list[Scored]:
        """Each sentence of ``sources`` scored for ``question``. With ``across`` (a question in
        another language than the articles') the question's words cannot be found in them: each
        article's headline, which says what the article that matched the question is about,
        joins them (the question's names, figures and cognates still match, and its months
        are looked for in both languages: "iunie" is "june"); ``about`` (the model's similarity
        of the question to sentences) then reads the best passages sentence by sentence."""
        kind = question_kind(question)
        q_terms = [fold(t) for t in (focus_terms if focus_terms is not None else terms(question))]
        w = self.weights
        scored: list[Scored] = []
        for rank, source in enumerate(sources):
            if across:  # the question's cognates ("inflația", "inflation") still meet by their stem
                q_terms = [fold(t) for t in terms(f"{question} {source.hit.title}")]
                q_terms += [w for t in list(q_terms) for w in month_names(t).split() if w != t]
            best_sim: dict[str, float] = {}
            order: list[str] = []
            for body, sim in source.passages:
                for sentence in split_sentences(body):
                    if sentence not in best_sim:
                        order.append(sentence)
                    best_sim[sentence] = max(sim, best_sim.get(sentence, -1.0))
            if about is not None and rank == 0:
                _read_sentences(question, source, order, best_sim, about)
            for pos, sentence in enumerate(order):
                if len(sentence) < 20:
                    # too short to answer anything, but kept (never chosen) so that a quotation
                    # opening in it ("„We are cautious.") can be completed
                    scored.append(Scored(sentence, rank, pos, -1.0))
                    continue
                score = (
                    w.similarity * best_sim[sentence]
                    + w.overlap * overlap(q_terms, sentence)
                    + w.cue * cue(kind, sentence)
                    + w.lead * (1.0 if pos == 0 else 0.0)
                    - w.rank * rank
                )
                scored.append(Scored(sentence, rank, pos, score))
        return scored

    def compose(
        self, scored: list[Scored], sources: list[Source], notes: dict[int, tuple[str, str]] | None = None,
        max_sentences: int = 4,
    ) -> tuple[str, list[Citation]]:
        """Best sentences in reading order within the length budget, each with its marker.

        ``notes`` maps an article's rank to a (prefix, date label) written before its first
        sentence and after it ("Earlier: … (12 July 2026) [2]").
        """
        if not scored:
            return "", []
        ranked = sorted(scored, key=lambda s: s.score, reverse=True)
        best = ranked[0]
        chosen: list[Scored] = [best]
        by_place = {(s.hit_rank, s.position): s for s in scored}
        # a sentence opening with "He", "But" or "The company" needs the one before it
        before = by_place.get((best.hit_rank, best.position - 1))
        if before and leans_on_previous(best.text):
            chosen.append(before)
        length = sum(len(s.text) + 5 for s in chosen)
        for candidate in ranked[1:]:
            if len(chosen) >= max_sentences or any(candidate.text == c.text for c in chosen):
                continue
            if candidate.score < best.score * 0.6:
                break
            if length + len(candidate.text) + 5 > self.max_chars:
                continue
            chosen.append(candidate)
            length += len(candidate.text) + 5
        return self.write(best_early(chosen, best, by_place, self.max_chars // 2), sources, notes)

    def write(
        self, chosen: list[Scored], sources: list[Source], notes: dict[int, tuple[str, str]] | None = None,
        order: list[int] | None = None,
    ) -> tuple[str, list[Citation]]:
        """The chosen sentences grouped by article (in ``order``, default rank), in reading order."""
        rank_order = {r: i for i, r in enumerate(order)} if order else {}
        chosen = sorted(set(chosen), key=lambda s: (rank_order.get(s.hit_rank, s.hit_rank), s.position))
        notes = notes or {}
        runs: list[list[Scored]] = []
        for s in chosen:  # consecutive sentences of one article read as one passage, one marker
            if runs and runs[-1][-1].hit_rank == s.hit_rank and runs[-1][-1].position + 1 == s.position:
                runs[-1].append(s)
            else:
                runs.append([s])
        numbers: dict[int, int] = {}
        quoted: dict[int, list[str]] = {}
        first_run: dict[int, str] = {}  # what the deep link highlights
        parts: list[str] = []
        for run in runs:
            rank = run[0].hit_rank
            first = rank not in numbers
            n = numbers.setdefault(rank, len(numbers) + 1)
            quoted.setdefault(rank, []).extend(s.text for s in run)
            prefix, label = notes.get(rank, ("", "")) if first else ("", "")
            first_run.setdefault(rank, " ".join(s.text for s in run))
            text = prefix + " ".join(s.text for s in run)
            parts.append(text + (f" ({label})" if label else "") + f" [{n}]")
        citations = []
        for rank, n in numbers.items():
            hit = sources[rank].hit
            link = text_fragment(hit.url, first_run[rank])
            citations.append(
                Citation(n, hit.article_id, hit.title, hit.url, hit.published, " ".join(quoted[rank]), link)
            )
        return " ".join(parts), citations


def best_early(chosen: list[Scored], best: Scored, by_place: dict[tuple[int, int], Scored], room: int) -> list[Scored]:
    """``chosen`` with its quotations whole (``whole_quotes``), less the weaker sentences that
    would come before ``best`` in reading order until at most ``room`` characters precede it:
    the sentence that answers best is read early, not after a long quotation that merely shares
    a word with the question."""
    chosen = list(chosen)
    while True:
        full = whole_quotes(chosen, by_place)
        here = (best.hit_rank, best.position)
        ahead = sum(len(s.text) + 1 for s in set(full) if (s.hit_rank, s.position) < here)
        # the sentence just before the best one stays (it may be what "He" or "But" leans on)
        weaker = [s for s in chosen if (s.hit_rank, s.position) < (best.hit_rank, best.position - 1)]
        if ahead <= room or not weaker:
            return full
        chosen.remove(min(weaker, key=lambda s: s.score))


def whole_quotes(chosen: list[Scored], by_place: dict[tuple[int, int], Scored]) -> list[Scored]:
    """``chosen`` with the neighbours that open or close the quotations it holds (a few at most)."""
    out = list(chosen)
    for s in chosen:
        for step in (1, -1):
            here = s
            for _ in range(3):
                if balance(here.text) != step:
                    break
                nxt = by_place.get((here.hit_rank, here.position + step))
                if nxt is None:
                    break
                if nxt not in out:
                    out.append(nxt)
                here = nxt
                if balance(nxt.text) == -step:
                    break
    return out


def _read_sentences(
    question: str, source: Source, order: list[str], best_sim: dict[str, float],
    about: Callable[[str, list[str]], np.ndarray],
) -> None:
    """Across languages the question's words are not the sentences', so within a passage the
    words cannot tell the answering sentence: the model reads the sentences of the first
    article's ``READ_PASSAGES`` best passages (reading the next two articles' too gives the same
    figures for 20 ms more at the median), and each keeps the higher of its passage's similarity and
    its own: the passage's says what the sentence is about (the headline and lead are in the
    first), the sentence's own lifts the one that answers. XQuAD ro->en, the answer holding the
    gold answer: 0.705 -> 0.749; its own similarity alone, 0.746, and it loses "21
    destinations" in the dated archive to the lead (docs/quality.md)."""
    best = sorted(source.passages, key=lambda p: p[1], reverse=True)[:READ_PASSAGES]
    wanted = {s for body, _ in best for s in split_sentences(body) if len(s) >= 20}
    asked = [s for s in order if s in wanted]
    if asked:
        for sentence, sim in zip(asked, about(question, asked).tolist(), strict=True):
            best_sim[sentence] = max(best_sim[sentence], sim)


def lead_vectors(store: Store, doc_ids: list[str]) -> np.ndarray:
    """Vectors of the articles' opening passages (headline and lead), in ``doc_ids`` order."""
    first = store.first_passage_ids(doc_ids)
    return store.passage_vectors([first[d] for d in doc_ids])


def sources(store: Store, hits: list[Hit], qvec: np.ndarray) -> list[Source]:
    """Every passage of the answering articles, in order, with its exact similarity."""
    by_doc = store.article_similarities((h.article_id for h in hits), qvec)
    ids = [i for h in hits for i in by_doc.get(h.article_id, {})]
    if not ids:
        return []
    chunks = store.passages(ids)
    return [
        Source(h, [(chunks[i].text, sim) for i, sim in by_doc.get(h.article_id, {}).items() if i in chunks])
        for h in hits
    ]
