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

CAUSE = re.compile(
    r"\b(?:because|due to|owing to|thanks to|as a result of|after|following|citing|cited|amid|helped by|"
    r"driven by|prompted by|on the back of|in response to|so as to|in order to|the reason|reasons?|"
    r"said the (?:decision|move|cut|increase|rise) (?:was|would|reflected)|pentru că|deoarece|din cauza|"
    r"datorită|după ce)\b",
    re.I,
)


def event_first(question: str, hits: list[Hit], top: int = 3) -> list[Hit]:
    """``hits`` with the article reporting the event first: among the best (at least 0.8 of the
    top score), the one whose headline holds most of the question's words; the top one among equals."""
    if not hits:
        return hits
    wanted = {w[:5] for w in folded_terms(question)}
    close = [h for h in hits[:top] if h.score >= hits[0].score * 0.8]

    def said(hit: Hit) -> int:
        return len(wanted & {w[:5] for w in folded_terms(hit.title)})

    best = max(close, key=lambda h: (said(h), -close.index(h)))
    return [best] + [h for h in hits if h is not best]


def because(
    extractor: Extractor, focus: str, sources: list[Source], notes: dict[int, tuple[str, str]]
) -> tuple[str, list[Citation]]:
    """From the event's article: the sentence that best says what happened and the one or two
    that best give its reason (``CAUSE``), in reading order; as usual when none gives one."""
    scored = extractor.score_sentences(focus, sources[:1])
    causes = sorted((s for s in scored if s.score > 0 and CAUSE.search(s.text)), key=lambda s: -s.score)
    if not causes:
        return extractor.compose(scored, sources[:1], notes)
    event = max(scored, key=lambda s: s.score)
    chosen = [event] if event not in causes else []
    budget = extractor.max_chars - sum(len(s.text) for s in chosen)
    for cause in causes[:2]:
        if cause is causes[0] or (cause.score >= causes[0].score * 0.8 and len(cause.text) <= budget):
            chosen.append(cause)
            budget -= len(cause.text)
    by_place = {(s.hit_rank, s.position): s for s in scored}
    return extractor.write(whole_quotes(chosen, by_place), sources[:1], notes)
