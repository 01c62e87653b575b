"""What kind of news question this is: latest, as-of, timeline, a period, a person, or plain.

The kind decides which article of a story leads and how the answer is laid out (``qabot.answers.news``).
Read from the wording only, in microseconds; the archive has the last word (an entity question
about a name the archive never mentions is refused like any other).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from embeddings.keyword import terms
from qabot.text.fold import fold
from qabot.text.lang import ro
from qabot.text.when import DateRange, parse_dates

LATEST, ASOF, TIMELINE, PERIOD, ENTITY, PLAIN = "latest", "asof", "timeline", "period", "entity", "plain"

_TIMELINE = re.compile(
    r"\bhow (?:has|have|did|does|do) .+? (?:develop|evolv|chang|progress|unfold|move|go|went|gone)\w*|"
    r"\btimeline\b|\bchronolog\w*|\bhistory of\b|\bstep by step\b|^\s*what (?:has )?happened (?:with|to)\b|"
    r"^\s*how (?:has|have) .+? (?:fared|gone)\b|"
    r"\bwhat (?:has )?happened (?:with|to|in) .+? (?:over|during|in) the (?:past|last) (?:year|months?|weeks)\b|"
    r"\bover the (?:past|last) (?:year|\w+ months)\b|\bsince the start\b|\bfrom the (?:start|beginning)\b",
    re.I,
)
_LATEST = re.compile(
    r"\b(?:now|current|currently|latest|newest|most recent|still|yet|so far|to date|at present|presently|"
    r"as of today|these days|nowadays|next|upcoming)\b|^\s*when (?:will|is|are)\b|"
    r"^\s*(?:is|are) (?:the )?.+? (?:open|closed|finished|complete|completed|ready|running|in force|over)\??$|"
    r"^\s*who (?:is|runs|heads|leads) the (?:\w+ )?(?:minister|governor|president|head|director|chief|ceo|"
    r"mayor|manager|chair|chairman|chairwoman|leader|coach|prime minister)\b",
    re.I,
)
_EARLIEST = re.compile(
    r"\b(?:first|initial|original|earliest|earlier|previous|old)\s+(?:\w+\s+)?(?:forecast|estimate|figure|plan|offer|"
    r"proposal|projection|target|deadline|date|price|budget|version|draft|report|cost|value|contract|promise|"
    r"schedule|timetable|deficit|goal)s?\b|\b(?:at first|initially|originally|at the (?:start|beginning))\b",
    re.I,
)
# "before the resignation", "after the first budget revision (of 2025)": a time named by an event
_EVENT = re.compile(
    r"\b(before|after) the ((?:[\w’'-]+\s+){0,3}?[\w’'-]+)(?=\s+(?:of|in|for|on|at|to|when|and|was|were|by|"
    r"with|from)\b|\s*[?,.;!]|\s*$)",
    re.I,
)
_NOT_EVENT = re.compile(r"^(?:end|start|beginning|middle|turn|summer|winter|spring|autumn|weekend|election day)\b|\d",
                        re.I)
_ASOF_WORDS = re.compile(
    r"\b(?:the (?:first|initial|original|earliest|earlier|previous|old|second|third)|at first|initially|"
    r"originally|at the (?:start|beginning)|before the \w+)\b",
    re.I,
)
_ORDINAL_WORD = re.compile(r"^(?:first|initial|original|earliest|earlier|previous|old)\b|\b(?:at first|initially|"
                           r"originally|at the (?:start|beginning))\b", re.I)
_WHO_IS = re.compile(r"^\s*who (?:is|was|'s)\s+(?!the\b|a\b|an\b)(.+?)\s*\??\s*$", re.I)
_SAID = re.compile(
    r"^\s*what (?:did|does|has|have) (.+?) (?:say|said|tell|told|think|thought|claim)\w*(?: (?:about|on|of|regarding|when|after|as|at|to|in) (.+?))?\s*\??\s*$",
    re.I,
)
_QUESTION_WORD = re.compile(
    r"^\s*(?:who|whom|whose|what|when|where|why|which|how|is|are|was|were|do|does|did|can|could|will|would|"
    r"should|has|have|had)\b|\?",
    re.I,
)
_PERIOD_REST = frozenset({"happened", "happen", "happening", "news", "going", "new", "events", "stories"})


@dataclass(frozen=True)
class Intent:
    """``name`` is the person or organisation an entity question is about; ``topic`` what they
    said it about; ``dates`` the range the question names (empty when none); ``earliest`` is
    set for "the first/initial/original" questions."""

    kind: str
    dates: DateRange = DateRange()
    name: str = ""
    topic: str = ""
    earliest: bool = False
    subject: str = ""
    event: str = ""
    side: str = ""


def read_intent(question: str, today: date | None = None) -> Intent:
    dates, rest = parse_dates(question, today)
    shaped = read_shape(question, dates, today)
    if shaped is not None:
        return shaped
    if dates and not (set(terms(rest)) - _PERIOD_REST):
        return Intent(PERIOD, dates)
    folded = fold(question)  # Romanian cues (qabot.text.lang.ro) read it without diacritics
    if _TIMELINE.search(question) or ro.TIMELINE.search(folded):
        return Intent(TIMELINE, dates)
    event = _EVENT.search(question)
    if event and not _NOT_EVENT.search(event.group(2)):
        return Intent(ASOF, dates, event=event.group(2), side=event.group(1).lower())
    first = _EARLIEST.search(question)
    earliest = first is not None or ro.EARLIEST.search(folded) is not None
    if (_LATEST.search(question) or ro.LATEST.search(folded)) and not earliest:
        return Intent(LATEST, dates)
    if dates.period is not None or earliest:
        subject = _ORDINAL_WORD.sub("", first.group(0)).strip() if first else ""
        return Intent(ASOF, dates, earliest=earliest, subject=subject)
    said = _SAID.match(question) or _as_typed(ro.SAID.match(folded), question)
    if said and _looks_like_name(said.group(1)):
        return Intent(ENTITY, dates, name=_strip(said.group(1)), topic=said.group(2) or "")
    who = _WHO_IS.match(question) or _as_typed(ro.WHO_IS.match(folded), question)
    if who and _looks_like_name(who.group(1)):
        return Intent(ENTITY, dates, name=_strip(who.group(1)))
    if _ASOF_WORDS.search(question) or ro.ASOF_WORDS.search(folded):
        return Intent(ASOF, dates)
    if bare_name(question):
        return Intent(ENTITY, dates, name=_strip(question))
    return Intent(PLAIN, dates)


# --- Question shapes (issue 23): lists, comparisons, causes, digests ------------------------------
# Read before the kinds above; each pattern is anchored on wording those kinds never use, so a
# question they read is read as before. Laid out by ``qabot.answers.lists``, ``compare``, ``causes``
# and ``digest``; their printed phrases live in ``qabot.answers.labels``.
LIST, COMPARE, WHY, DIGEST, SUMMARY = "list", "compare", "why", "digest", "summary"
_END = r"\s*[?.!]*\s*$"
_LIST_BY = re.compile(
    r"^\s*(?:(?:which|what|show(?: me)?|list|find)\s+)?(?:all\s+)?(?:the\s+)?(?:articles|stories|pieces|reports)\s+"
    r"(?:(?:were|was|are|have been)\s+)?(?:written\s+)?by\s+(.+?)" + _END, re.I)
_LIST = re.compile(
    r"^\s*(?:which|what)\s+(?:articles|stories|reports|pieces)\s+(?:have\s+|did\s+|do\s+)?(?:mention(?:ed)?|"
    r"name[ds]?|cover(?:ed)?|talk(?:ed)? about|(?:are|were) about|deal(?:t)? with|discuss(?:ed)?)\s+(.+?)" + _END + "|"
    r"^\s*(?:(?:show|list|find|give)(?: me)?\s+)?(?:all\s+)?(?:the\s+)?(?:news|articles|stories|coverage|reports)\s+"
    r"(?:about|on|mentioning|regarding)\s+(.+?)" + _END + "|"
    r"^\s*what (?:did|have|has) (?:we|you|the (?:site|newsroom|paper)) (?:write|written|wrote|publish(?:ed)?|"
    r"report(?:ed)?)\s+(?:about|on)\s+(.+?)" + _END + "|"
    r"^\s*(?:everything|anything) (?:about|on)\s+(.+?)" + _END,
    re.I,
)
_COMPARE = re.compile(
    r"\bdifference between\s+(.+?)\s+and\s+(.+?)" + _END + "|"
    r"^\s*compare\s+(.+?)\s+(?:with|to|and|against)\s+(.+?)" + _END + "|"
    r"^\s*how (?:does|do|did|is|are|was|were)\s+(.+?)\s+compare(?:d)?\s+(?:with|to|against)\s+(.+?)" + _END,
    re.I,
)
_WHY = re.compile(
    r"^\s*(?:why\b|de ce\b|what (?:led to|caused|prompted|triggered|(?:was|is) behind|(?:were|are|was|is) the "
    r"reasons? (?:for|behind))\b)",
    re.I,
)
_DIGEST = re.compile(
    r"^\s*what(?:'s|’s| is| has been)? (?:new|happening|the news)(?: today| this week| this month| lately| recently)?"
    + _END + r"|\b(?:the )?(?:main|top|biggest|big) (?:news|stories|headlines)\b|\btoday['’]s (?:news|headlines)\b|"
    r"^\s*(?:news|headlines)(?: today| this week)?" + _END,
    re.I,
)
_SUMMARY = re.compile(
    r"^\s*(?:please\s+)?(?:summari[sz]e|sum up|give me (?:a|the) summary of|what is the summary of)\s+"
    r"(?:this|the|that)\s+(?:article|story|piece|page)\b|^\s*(?:summary|tl;?dr)" + _END,
    re.I,
)


def read_shape(question: str, dates: DateRange, today: date | None = None) -> Intent | None:
    """A list, comparison, cause, digest or summary question, else None (the kinds above).
    ``subject`` is what a list or comparison is about (its first side), ``topic`` a comparison's
    second side, ``name`` a list's author. English wording is read first; the Romanian cues
    (``qabot.text.lang.ro``) read the folded question, and a relative time they name ("azi",
    "săptămâna aceasta") is the range its English phrase names."""
    folded = fold(question)
    if not dates:
        dates = _romanian_dates(folded, today)
    if _SUMMARY.search(question) or ro.SUMMARY.search(folded):
        return Intent(SUMMARY, dates)
    if _DIGEST.search(question) or ro.DIGEST.search(folded):
        return Intent(DIGEST, dates)
    by = _groups(_LIST_BY.match(question), question) or _groups(ro.LIST_BY.match(folded), question)
    if by and _looks_like_name(by[0]):
        return Intent(LIST, dates, name=_strip(_undated(by[0], today)))
    listed = _groups(_LIST.match(question), question) or _groups(ro.LIST.match(folded), question)
    if listed:
        subject = _strip(_undated(listed[0], today))
        if subject:
            return Intent(LIST, dates, subject=subject)
    compared = _groups(_COMPARE.search(question), question) or _groups(ro.COMPARE.search(folded), question)
    if compared:
        x, y = compared
        return Intent(COMPARE, dates, subject=_strip(x), topic=_strip(y))
    if _WHY.match(question) or ro.WHY.match(folded):
        return Intent(WHY, dates)
    return None


def _groups(match: re.Match[str] | None, question: str) -> list[str]:
    """The groups that took part in ``match`` (on the question, or on its folded text: then as
    typed, since folding keeps Latin text's length), empty ones left out; [] for no match."""
    if match is None:
        return []
    if match.string == question or len(match.string) != len(question):
        return [g for g in match.groups() if g]
    spans = (match.span(i) for i in range(1, (match.re.groups or 0) + 1))
    return [question[start:end] for start, end in spans if end > start >= 0]


def _romanian_dates(folded: str, today: date | None) -> DateRange:
    """The range of the relative time a Romanian question names ("azi": today), else none."""
    found = ro.relative_time(folded)
    return parse_dates(found[2], today)[0] if found else DateRange()


def _undated(text: str, today: date | None) -> str:
    """``text`` without the time it names, English or Romanian ("Sibiu this month", "Sibiu azi")."""
    rest = parse_dates(text, today)[1]
    found = ro.relative_time(fold(rest))
    return " ".join((rest[: found[0]] + rest[found[1]:]).split()) if found and len(fold(rest)) == len(rest) else rest


def bare_name(text: str) -> bool:
    """A query that is only a name or an organisation: "Metrorex", "ilie bolojan", "Radu Ifrim"."""
    words = text.strip(" ?!.").split()
    if not 1 <= len(words) <= 4 or _QUESTION_WORD.search(text) or ro.QUESTION_WORD.search(fold(text)):
        return False
    return len(terms(text)) == len(words)


class _Typed:
    """A match on the folded question read back from the question as typed (folding keeps
    Latin text's length): the name keeps its capitals and diacritics."""

    def __init__(self, match: re.Match[str], question: str) -> None:
        self._spans = [match.span(i) for i in range(1, (match.re.groups or 0) + 1)]
        self._question = question

    def group(self, i: int) -> str:
        """Group ``i`` as typed; "" when it took no part in the match."""
        start, end = self._spans[i - 1]
        return "" if start < 0 else self._question[start:end]


def _as_typed(match: re.Match[str] | None, question: str) -> _Typed | None:
    return _Typed(match, question) if match is not None and len(fold(question)) == len(question) else None


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 5 and any(w[:1].isupper() for w in words)


def _strip(name: str) -> str:
    return name.strip(" ?!.,;:\"'“”„")
