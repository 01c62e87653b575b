"""News-aware answers: which article of a story leads, and dates in the answer text.

Each kind of question (``qabot.answers.intent``) picks its articles from the ranked hits:

- latest: the newest article of the lead hit's story (``qabot.answers.stories``) leads; its fact comes
  first with its date, then the most relevant earlier article's, marked "Earlier:";
- as-of: the story's article about the month asked (named in its text, else published then),
  or its first article for "the first/initial ..." questions;
- timeline and period: one dated line per article, oldest first (``qabot.answers.timeline``);
- entity: the articles naming the person, the sentence introducing them first, then their
  quotes (``qabot.answers.entities``);
- plain: the answer as before.

In a dated archive each article's first quoted sentence carries its date ("(undated)" when it
has none), and an answer whose newest article is older than ``as_of_days`` opens with
"As of DATE:". An archive with no dates at all (the BBC corpus) gets none of this.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np

from qabot.answers.asof import about_period, around_event, first_about, near_period
from qabot.answers.entities import Name, mentions, quoted_words
from qabot.answers.extract import Extractor, Scored, Source, whole_quotes
from qabot.answers.intent import ASOF, ENTITY, LATEST, PERIOD, TIMELINE, Intent
from qabot.answers.scoring import what_is_new
from qabot.answers.stories import by_date, main_story
from qabot.answers.timeline import timeline_lines
from qabot.models import Citation, Hit, TimelineEntry
from qabot.text.dates import long_date, month_number
from qabot.text.fold import folded_terms
from qabot.text.i18n import translator
from qabot.text.sentences import split_sentences
from qabot.text.when import parse_dates

ASOF_RELEVANT = 0.65  # articles this close to the best may lead an as-of answer by their date


@dataclass
class Composed:
    text: str
    citations: list[Citation]
    leading: list[str] = field(default_factory=list)  # article ids to rank first, in order
    timeline: tuple[TimelineEntry, ...] = ()

MEANT_WEIGHT = 4.0  # a centred e5 cosine of 0.5 (on topic) weighs as much as the topic's words quoted

ACROSS_ARTICLES = 6  # articles naming the person read for the quote about a topic, across languages
ACROSS_STEP = 0.05  # ... and what each place down the article order costs a quote then (else 0.3)


class NewsAnswers:
    def __init__(
        self, extractor: Extractor, sources: Callable[[list[Hit], np.ndarray], list[Source]],
        lead_vectors: Callable[[list[str]], np.ndarray], *, dated: bool, as_of_days: int, today: date | None = None,
        language: str = "en", across: bool = False, about: Callable[[str, list[str]], np.ndarray] | None = None,
    ) -> None:
        self.extractor = extractor
        self.sources = sources
        self.lead_vectors = lead_vectors
        self.dated = dated
        self.as_of_days = as_of_days
        self.today = today or date.today()
        self.language = language  # of the labels and dates written around the quotes
        self._ = translator(language)
        self.across = across  # the question is in another language than the articles
        # the model's similarity of a topic to each of some sentences; read only ``across``,
        # where "what did X say about Y" shares no word of Y with the quote about Y
        self.about = about

    def compose(self, intent: Intent, focus: str, qvec: np.ndarray, hits: list[Hit], name_hits: list[Hit]) -> Composed:
        if intent.kind == ENTITY and name_hits:
            if intent.topic:  # "what did X say about Y": the articles most about Y first
                place = {h.article_id: i for i, h in enumerate(hits)}
                name_hits = sorted(name_hits, key=lambda h: place.get(h.article_id, len(place)))
            composed = self._entity(intent, name_hits)
            if composed is not None:
                return self._as_of(composed, name_hits)
        if intent.kind in (TIMELINE, PERIOD) and self.dated:
            members = hits[:6] if intent.kind == PERIOD else main_story(hits, self.lead_vectors)
            if intent.kind == PERIOD or len(members) >= 2:
                chosen = by_date(members)[:6]
                text, citations, entries = timeline_lines(
                    self.extractor, focus, self.sources(chosen, qvec), lead=intent.kind == PERIOD,
                    language=self.language, across=self.across,
                )
                return Composed(text, citations, [h.article_id for h in chosen], entries)
        if intent.kind == LATEST and self.dated:
            return self._as_of(self._latest(focus, qvec, hits), hits)
        if intent.kind == ASOF and self.dated:
            asked = self._as_asked(intent, focus, qvec, hits)
            if asked is not None:
                rest = [h for h in hits[:3] if h.article_id != asked.article_id and h.score >= hits[0].score * 0.8]
                return self._lead_with(focus, qvec, asked, rest[0] if rest else None)
        return self._as_of(self._plain(focus, qvec, hits), hits)

    def _reader(self) -> Callable[[str, list[str]], np.ndarray] | None:
        """The model's sentence reading for the extractor: across languages only, where the
        question's words cannot pick the answering sentence."""
        return self.about if self.across else None

    # --- the kinds ---
    def _plain(self, focus: str, qvec: np.ndarray, hits: list[Hit]) -> Composed:
        top = [h for h in hits[:3] if h.score >= hits[0].score * 0.8]
        sources = self.sources(top, qvec)
        scored = self.extractor.score_sentences(focus, sources, across=self.across, about=self._reader())
        text, citations = self.extractor.compose(scored, sources, self._notes(sources))
        return Composed(text, citations, [h.article_id for h in top[:1]])

    def _latest(self, focus: str, qvec: np.ndarray, hits: list[Hit]) -> Composed:
        members = main_story(hits, self.lead_vectors)
        dated = [h for h in members if h.published]
        if len(dated) < 2:
            return self._plain(focus, qvec, hits)
        newest = max(dated, key=lambda h: h.published)
        # the story's previous article: what the newest one changed
        earlier = max((h for h in dated if h.published < newest.published), key=lambda h: h.published, default=None)
        return self._lead_with(focus, qvec, newest, earlier, latest=True)

    def _lead_with(self, focus: str, qvec: np.ndarray, first: Hit, second: Hit | None, latest: bool = False) -> Composed:
        """``first``'s best sentences, then ``second``'s best one.
        With ``latest``, ``first`` is the story's newest article and ``second`` its previous one:
        what the newest says new counts (``qabot.answers.scoring.what_is_new``) and the previous one is
        marked "Earlier:"."""
        sources = self.sources([first] + ([second] if second else []), qvec)
        scored = self.extractor.score_sentences(focus, sources, across=self.across, about=self._reader())
        if latest:
            earlier = [s.text for s in scored if s.hit_rank == 1]
            weights = self.extractor.weights
            scored = [replace(s, score=s.score + what_is_new(s.text, first.title, earlier, weights))
                      if s.hit_rank == 0 and s.score > 0 else s for s in scored]
        budget = self.extractor.max_chars
        # the first article's sentences come first and may take five sixths of the length: its
        # second fact matters more than the second article's, which then runs a little over
        picked = _best(scored, 0, 3, budget * 5 // 6) + _best(scored, 1, 1, budget // 3)
        by_place = {(s.hit_rank, s.position): s for s in scored}
        notes = self._notes(sources)
        if latest and second is not None:
            notes[1] = (self._("Earlier: "), notes.get(1, ("", ""))[1])
        text, citations = self.extractor.write(whole_quotes(picked, by_place), sources, notes)
        return Composed(text, citations, [first.article_id])

    def _as_asked(self, intent: Intent, focus: str, qvec: np.ndarray, hits: list[Hit]) -> Hit | None:
        """The story article for the time asked: an event's, the first one's, or a period's
        (``qabot.answers.asof``)."""
        if intent.event or intent.earliest:
            members = [h for h in main_story(hits, self.lead_vectors) if h.published]
            if intent.event:
                return around_event(members, intent.event, intent.side, hits[:20], self.lead_vectors)
            return first_about(members, intent.subject)
        period = intent.dates.period
        if period is None:
            return None
        # any relevant article, not only the main story's: the period may pick the story
        members = [h for h in hits[:10] if h.published and h.score >= hits[0].score * ASOF_RELEVANT]
        if not members:
            return None
        asked = [t for t in folded_terms(parse_dates(focus, self.today)[1]) if not month_number(t)]
        near = [h for h in members if near_period(h.published, period)]  # the others' texts cannot count
        texts = {s.hit.article_id: " ".join(p for p, _ in s.passages) for s in self.sources(near, qvec)} if near else {}
        about = {h.article_id: about_period(h.published, texts.get(h.article_id, ""), period, asked) for h in members}
        best = max(members, key=lambda h: about[h.article_id] + h.score)
        return best if about[best.article_id] > 0 else None

    def _entity(self, intent: Intent, hits: list[Hit]) -> Composed | None:
        name = Name.of(intent.name)
        meaning = self.across and bool(intent.topic) and self.about is not None
        # across languages the article order (by the question's cosine) says little of the topic
        read, step = (ACROSS_ARTICLES, ACROSS_STEP) if meaning else (4, 0.3)
        sources = [Source(h, [(p, h.score) for p in h.passages]) for h in hits[:read]]
        intros: list[Scored] = []
        quotes: list[Scored] = []
        topic = set(folded_terms(intent.topic))
        by_place: dict[tuple[int, int], Scored] = {}
        said_by = [(hit, mentions(name, sentences), sentences) for hit in hits[:read]
                   for sentences in [split_sentences(hit.passages[0]) if hit.passages else []]]
        meant = self._meant(intent.topic, [(hit.title, m.text) for hit, found, _ in said_by for m in found if m.quote])
        for rank, (hit, found, sentences) in enumerate(said_by):
            # what the article as a whole is about counts too: a quote rarely repeats the topic
            context = len(topic & set(folded_terms(hit.passages[0]))) / len(topic) if topic and hit.passages else 0.0
            for pos, s in enumerate(sentences):
                by_place[(rank, pos)] = Scored(s, rank, pos, 0.0)
            for m in found:
                on_topic = len(topic & set(folded_terms(m.text))) / len(topic) if topic else 0.0
                # what they said about Y: Y inside the quotation marks counts most
                said = len(topic & set(folded_terms(quoted_words(m.text)))) / len(topic) if topic else 0.0
                place = -step * rank - 0.01 * m.position
                if m.quote:
                    quotes.append(Scored(m.text, rank, m.position,
                                         2 * said + on_topic + context + place + meant.get((hit.title, m.text), 0.0)))
                if m.intro:
                    intros.append(Scored(m.text, rank, m.position, m.intro + on_topic - 0.1 * rank - 0.01 * m.position))
        if not intros and not quotes:
            return None
        intros.sort(key=lambda s: s.score, reverse=True)
        quotes.sort(key=lambda s: s.score, reverse=True)
        picked: list[Scored] = []
        if intent.topic or not intros:
            picked += quotes[:2]
            if not picked:
                picked.append(intros[0])
        else:
            picked.append(intros[0])
            picked += [q for q in quotes if q.text != intros[0].text][:1]
        order = sorted({s.hit_rank for s in picked}, key=lambda r: min(p.score for p in picked if p.hit_rank == r) * -1)
        lead_rank = picked[0].hit_rank
        order = [lead_rank] + [r for r in order if r != lead_rank]
        text, citations = self.extractor.write(whole_quotes(picked, by_place), sources, self._notes(sources), order)
        return Composed(text, citations, [hits[r].article_id for r in order])

    def _meant(self, topic: str, quotes: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
        """Across languages, each (headline, quote)'s similarity to the topic asked about,
        weighted like the topic's words inside the quotation marks (``MEANT_WEIGHT``):
        "acordul de 15%" and "a written promise" share no word, but the headline "deal on 15pct
        rise" and the quote mean it. One batch for all the quotes; empty on other paths."""
        if not (self.across and topic and quotes and self.about is not None):
            return {}
        similar = self.about(topic, [f"{headline}. {quote}" for headline, quote in quotes])
        return {pair: MEANT_WEIGHT * float(v) for pair, v in zip(quotes, similar, strict=True)}

    # --- dates ---
    def _notes(self, sources: Sequence[Source]) -> dict[int, tuple[str, str]]:
        if not self.dated:
            return {}
        return {rank: ("", long_date(s.hit.published, self.language) if s.hit.published else self._("undated"))
                for rank, s in enumerate(sources)}

    def _as_of(self, composed: Composed, hits: Sequence[Hit]) -> Composed:
        """Opens with "As of DATE:" when the newest cited article is older than ``as_of_days``."""
        if not self.dated or not composed.citations:
            return composed
        newest = max((c.published for c in composed.citations if c.published), default="")
        if newest and newest[:10] < (self.today - timedelta(days=self.as_of_days)).isoformat():
            composed.text = self._("As of {date}: ").format(date=long_date(newest, self.language)) + composed.text
        return composed


def _best(scored: list[Scored], rank: int, k: int, budget: int) -> list[Scored]:
    """The ``k`` best sentences of one article within ``budget`` characters (at least one)."""
    mine = sorted((s for s in scored if s.hit_rank == rank), key=lambda s: s.score, reverse=True)
    out: list[Scored] = []
    used = 0
    for s in mine:
        if out and (len(out) >= k or used + len(s.text) > budget or s.score < out[0].score * 0.6):
            continue
        out.append(s)
        used += len(s.text)
    return out
