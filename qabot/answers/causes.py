"""Cause questions: "why …", "what led to …", "de ce …". The answer comes from the article that
reports the event (of the best articles, the one whose headline holds most of the question's
words) and prefers its sentences that give a reason: "because", "due to", "after", "citing",
"said the decision was", "helped by" (English), "pentru că", "din cauza", "după" (Romanian).
"""

from __future__ import annotations

import re

from qabot.answers.extract import Extractor, Source, whole_quotes
from qabot.models import Citation, Hit
from qabot.text.fold import folded_terms
from qabot.text.when import DateRange

DATED_RELEVANT = 0.65  # as for as-of answers: this close to the best, an article of the time asked leads

# a reason said outright; and words that often give one but may only say when ("after the rains")
CAUSE = re.compile(
    r"\b(?:because|due to|owing to|thanks to|as a result of|citing|cited|helped by|driven by|prompted by|"
    r"on the back of|in response to|so as to|in order to|the reason|reasons?|"
    r"said the (?:decision|move|cut|increase|rise) (?:was|would|reflected)|pentru că|deoarece|din cauza|"
    r"datorită|motivul)\b",
    re.I,
)
PERHAPS_CAUSE = re.compile(r"\b(?:after|following|amid|după ce)\b", re.I)


def event_first(question: str, hits: list[Hit], top: int = 3, dates: DateRange | None = None) -> list[Hit]:
    """``hits`` with the article reporting the event first: among the best (at least 0.8 of the
    top score), the one whose headline holds most of the question's words; the top one among
    equals. With ``dates`` (the question names a time), the relevant ones published then first."""
    if not hits:
        return hits
    wanted = folded_terms(question)
    close = [h for h in hits[:top] if h.score >= hits[0].score * 0.8]
    if dates:
        timed = [h for h in hits[:10] if h.score >= hits[0].score * DATED_RELEVANT and _within(h.published, dates)]
        close = timed or close

    def said(hit: Hit) -> int:
        title = folded_terms(hit.title)
        return sum(1 for w in wanted if any(_same_word(w, t) for t in title))

    best = max(close, key=lambda h: (said(h), -close.index(h)))
    return [best] + [h for h in hits if h is not best]


def _same_word(a: str, b: str) -> bool:
    """Prefix stems: "cut"/"cuts", "resign"/"resigns", "delay"/"delayed"."""
    if len(a) < 5 or len(b) < 5:
        return b.startswith(a) or a.startswith(b)
    return a[:5] == b[:5]


def _within(published: str, dates: DateRange) -> bool:
    day = published[:10]
    return bool(day) and (not dates.since or day >= dates.since) and (not dates.until or day <= dates.until)


def because(
    extractor: Extractor, focus: str, sources: list[Source], notes: dict[int, tuple[str, str]]
) -> tuple[str, list[Citation]]:
    """From the event's article: the sentence that best says what happened and the one or two
    that best give its reason (``CAUSE`` first, then ``PERHAPS_CAUSE``), in reading order; as
    usual when none gives one."""
    scored = extractor.score_sentences(focus, sources[:1])
    event = max(scored, key=lambda s: s.score, default=None)
    if event is None:
        return "", []
    ranked = [s for s in sorted(scored, key=lambda s: -s.score) if s.score > 0 and s is not event]
    causes = [s for s in ranked if CAUSE.search(s.text)]
    said_why = bool(CAUSE.search(event.text) or PERHAPS_CAUSE.search(event.text))
    if not said_why:  # "after …" gives a reason only when nothing says one outright
        causes += [s for s in ranked if s not in causes and PERHAPS_CAUSE.search(s.text)]
    if not causes and not said_why:
        return extractor.compose(scored, sources[:1], notes)
    chosen = [event, *causes[:1]]
    budget = extractor.max_chars - sum(len(s.text) for s in chosen)
    if len(causes) > 1 and causes[1].score >= causes[0].score * 0.8 and len(causes[1].text) <= budget:
        chosen.append(causes[1])
    by_place = {(s.hit_rank, s.position): s for s in scored}
    return extractor.write(whole_quotes(chosen, by_place), sources[:1], notes)
