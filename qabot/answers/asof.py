"""As-of questions: which article of a story answers for the time the question names.

Three ways a question names a time:

- a period ("in April 2025", "in the second half of 2024"): the figure an article gives is about
  the months named in the sentence stating it ("inflation in April was 5.1%", published in May;
  "rises to 3,700 lei from 1 July 2024", published in June), so an article whose sentence names a
  month of the period, published near it (``NEAR`` days either side), counts as much as one
  published in the period whose sentence names no other time; a figure stated in the lead
  counts more than one recalled further down; the article's relevance decides between equals. A month named ahead of the article's date counts only with its day ("from 1
  July"): that is when a decision takes effect, while "meets again in May" is a plan.
- an event ("after the first budget revision", "before the resignation", "before the delay"):
  the story's article reporting the event is the one whose headline (then text) says it; "after"
  is that article, "before" the story's article just before it.
- "the first/initial/original X": the story's earliest article about X (about the story's
  earliest at all when none says X).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date, timedelta

import numpy as np

from qabot.answers.stories import LINKED
from qabot.models import Hit
from qabot.text.dates import MONTHS, Period
from qabot.text.fold import fold, folded_terms
from qabot.text.sentences import split_sentences

LEAD_SENTENCES = 2  # news state what they report in the first sentences
BACKGROUND = 0.6
NEAR = 45  # days: a figure for April comes out in May; a rise from 1 July is decided in June
_MONTH_NAMES = ("January February March April May June July August September October November December").split()
_NAMED = re.compile(r"\b(?:(\d{1,2})\s+)?(" + "|".join(_MONTH_NAMES) + r")\b(?:\s+(\d{4}))?")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": 1, "latest": 1, "final": 1}
_LATEST_ORDINAL = frozenset({"last", "latest", "final"})


def about_period(published: str, text: str, period: Period, question_terms: Sequence[str]) -> float:
    """How surely an article (its date, its text in reading order) gives the figure for
    ``period`` (see the module docstring): 1 when the sentence stating it names a month of the
    period, or names none and the article was published in the period; half that when published
    in the period but the sentence names another time ("rises to 4,050 lei from 1 January 2025",
    published in December 2024); else 0. A figure stated past the lead is background (a recap
    of an earlier decision) and counts ``BACKGROUND`` as much."""
    if not near_period(published, period):
        return 0.0
    day = date.fromisoformat(published[:10])
    inside = period.since <= published[:10] <= period.until
    position, sentence = figure_sentence(text, question_terms)
    named = named_months(sentence, day)
    weight = 1.0 if position < LEAD_SENTENCES else BACKGROUND
    if any(period.since <= start.isoformat() <= period.until and (with_day or start <= day)
                    for start, with_day in named):
        return weight
    if inside:
        return weight * (0.5 if named else 1.0)
    return 0.0


def near_period(published: str, period: Period) -> bool:
    """Published within ``NEAR`` days of ``period``: only such an article can give its figure,
    so only its text need be read (``about_period``)."""
    if not published:
        return False
    day = date.fromisoformat(published[:10])
    return (date.fromisoformat(period.since) - timedelta(days=NEAR)) <= day <= (
        date.fromisoformat(period.until) + timedelta(days=NEAR))


def figure_sentence(text: str, question_terms: Sequence[str]) -> tuple[int, str]:
    """The sentence of ``text`` holding most of the question's words (the first among equals),
    the one that states the figure asked about, and its place in the text."""
    wanted = {_stem(t) for t in question_terms}
    best, best_count, position = "", 0, 0
    for i, sentence in enumerate(split_sentences(text)):
        count = len(wanted & {_stem(w) for w in folded_terms(sentence)})
        if count > best_count:
            best, best_count, position = sentence, count, i
    return position, best


def named_months(text: str, published: date) -> list[tuple[date, bool]]:
    """The months ``text`` names (first day of each) and whether with a day ("1 July"); a month
    without its year is the one nearest ``published``."""
    out = []
    for m in _NAMED.finditer(text):
        month = MONTHS[m.group(2).lower()]
        if m.group(3):
            year = int(m.group(3))
        else:  # nearest: "in April" written in May 2025 is April 2025; "in December" in January, last year's
            year = min((published.year - 1, published.year, published.year + 1),
                       key=lambda y: abs((y - published.year) * 12 + month - published.month))
        out.append((date(year, month, 1), bool(m.group(1))))
    return out


def event_article(members: Sequence[Hit], phrase: str) -> Hit | None:
    """The dated story article reporting the event ``phrase`` names ("first budget revision",
    "landslide delay"): most of its words in the headline (the text counts a quarter); among
    equals the earliest, or the newest for "the last …"."""
    words = [w for w in folded_terms(phrase) if w not in _ORDINALS]
    if not words:
        return None
    newest_first = any(w in _LATEST_ORDINAL for w in fold(phrase).split())

    def said(hit: Hit) -> float:
        title = folded_terms(hit.title)
        body = folded_terms(" ".join(hit.passages))
        return sum(1.0 if _in(w, title) else 0.25 if _in(w, body) else 0.0 for w in words)

    dated = [h for h in members if h.published]
    best = max((said(h) for h in dated), default=0.0)
    if best < 1.0:
        return None
    matching = sorted((h for h in dated if said(h) == best), key=lambda h: h.published)
    if not newest_first:
        ordinal = next((n for w, n in _ORDINALS.items() if re.search(rf"\b{w}\b", fold(phrase))), 1)
        return matching[min(ordinal, len(matching)) - 1]
    return matching[-1]


def around_event(members: Sequence[Hit], phrase: str, side: str, others: Sequence[Hit] = (),
                 lead_vectors: Callable[[list[str]], np.ndarray] | None = None) -> Hit | None:
    """"after the X": the article reporting X; "before the X": the story's article before it,
    looked for among ``others`` too (a story article from before a cut may be too little about a
    cut to count as relevant) when its opening passage is as close to the event's as a story's
    (``qabot.answers.stories.LINKED``)."""
    event = event_article(members, phrase)
    if event is None or side == "after":
        return event
    earlier = [h for h in members if h.published and h.published < event.published]
    if not earlier and lead_vectors is not None:
        before = [h for h in others if h.published and h.published < event.published]
        if before:
            vecs = lead_vectors([event.article_id] + [h.article_id for h in before])
            earlier = [h for h, sim in zip(before, vecs[1:] @ vecs[0], strict=True) if sim >= LINKED]
    return max(earlier, key=lambda h: h.published) if earlier else None


def first_about(members: Sequence[Hit], subject: str) -> Hit | None:
    """The story's earliest article saying ``subject`` ("forecast", "deficit target"), else its
    earliest article."""
    dated = sorted((h for h in members if h.published), key=lambda h: h.published)
    words = [w for w in folded_terms(subject) if w not in _ORDINALS]
    if words:
        for hit in dated:
            text = folded_terms(f"{hit.title} {' '.join(hit.passages)}")
            if all(_in(w, text) for w in words):
                return hit
    return dated[0] if dated else None



def _stem(word: str) -> str:
    """Prefix stem: "delay"/"delayed", "revision"/"revised", "resignation"/"resigns" meet."""
    return word[:5]


def _in(word: str, words: Sequence[str]) -> bool:
    """``word`` among ``words`` by prefix stem; a short word as the start of a longer one ("cut", "cuts")."""
    stem = _stem(word)
    return any(w.startswith(stem) if len(stem) < 5 else _stem(w) == stem for w in words)
