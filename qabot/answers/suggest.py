"""Suggested questions: follow-ups drawn from the answer's story and the names in it.

Only candidates are made here; the service (``QAService.suggestions``) asks each one back and
offers only those the archive answers (a suggestion the archive cannot answer frustrates the
reader more than none). Candidates, in order of preference:

- the story's other articles: "What is the latest on A16?" (when the answer did not already give
  the latest) and "What happened with A16?" (a timeline), for a name or code the cited headline
  shares with the story;
- the people named in the answer: "Who is Sorin Vlădescu?";
- on a new chat, the newest articles' names and "What's new this week?".

Each is written in the reader's language (``qabot.answers.labels``: "Cine este Sorin Vlădescu?"),
which the question reading (``qabot.answers.intent``) reads as its English sibling.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from qabot.answers.intent import LATEST, TIMELINE
from qabot.answers.labels import labels
from qabot.answers.stories import names
from qabot.models import Answer
from qabot.text.fold import fold
from qabot.text.lang import SUPPORTED

MAX_SUGGESTIONS = 3
_UPPER = "A-ZĂÂÎȘȚŞŢ"
_RUN = re.compile(rf"\b[{_UPPER}][a-zăâîșțşţà-ž'’-]+(?:\s+[{_UPPER}][a-zăâîșțşţà-ž'’-]+)*")
_CODE = re.compile(rf"\b(?:[{_UPPER}]{{2,}}\d*|[{_UPPER}]\d+|[{_UPPER}][a-zăâîșțşţ]+[{_UPPER}][\w]*)\b")
_ROLE_BEFORE = re.compile(
    r"(?:minister|governor|president|mayor|manager|director|economist|leader|chief|spokes\w+|head|dr\.?|"
    r"mr\.?|mrs\.?|ms\.?|judge|prosecutor|coach|founder|chairman|chairwoman)\s+$", re.I)
_SAID_AFTER = re.compile(r"^(?:,\s+(?:the|a|an|who|\d)|\s+(?:said|says|told|announced|added|warned))\b")
_NOT_PEOPLE = re.compile(
    r"\b(?:Bank|Ministry|Minister|Council|Company|Hospital|Court|Parliament|Government|Commission|Agency|Office|"
    r"University|Airport|Motorway|Street|Square|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"January|February|March|April|May|June|July|August|September|October|November|December|Romania|Romanian|"
    r"European|National|Regional|Prime|Transport|Finance|Labour|Health|Governor|President|Mayor|Director)\b"
)


def story_names(title: str) -> list[str]:
    """Codes and single names of a headline a story is known by ("A16", "BNR", "Sibiu", "Metrorex"),
    as written; the first word only when it is a code (a capitalised first word is just a headline's)."""
    out = []
    known = names(title)  # the headline's capitalised words less those every story shares
    words = re.findall(r"[\w’'-]+", title)
    for i, word in enumerate(words):
        code = bool(_CODE.fullmatch(word))
        if (i == 0 and not code) or not word[:1].isupper() or fold(word) not in known:
            continue
        if code or len(word) > 3:
            out.append(word)
    return list(dict.fromkeys(out))


def people(text: str) -> list[str]:
    """Full names of people in ``text``: two or three capitalised words (less a title in front,
    "Labour Minister Daniela Stoica") introduced by a role or followed by "said" or an apposition."""
    out = []
    for m in _RUN.finditer(text):
        words = m.group(0).split()
        while words and _NOT_PEOPLE.fullmatch(words[0]):
            words.pop(0)
        if not 2 <= len(words) <= 3 or any(_NOT_PEOPLE.fullmatch(w) for w in words):
            continue
        name = " ".join(words)
        start = m.start() + m.group(0).index(name)
        before = text[max(0, start - 40):start]
        after = text[start + len(name):start + len(name) + 20]
        titled = m.group(0) != name or _ROLE_BEFORE.search(before)
        if titled or _SAID_AFTER.match(after):
            out.append(name)
    return list(dict.fromkeys(out))


def after_answer(answer: Answer, shared: Sequence[str], language: str | None = None) -> list[str]:
    """Candidates after ``answer``: ``shared`` are the names its lead headline shares with the
    story's other articles (``story_names``), best first; in ``language`` (else the answer's)."""
    said = labels(language or answer.language)
    asked = fold(answer.question)
    out: list[str] = []
    for name in shared[:2]:
        if answer.kind != LATEST:
            out.append(said.ask_latest.format(name=name))
        if answer.kind != TIMELINE:
            out.append(said.ask_timeline.format(name=name))
    out += [said.ask_who.format(name=p) for p in people(answer.answer) if fold(p) not in asked]
    return _unique(out, answer.question)


def on_start(titles: Iterable[str], leads: Iterable[str], language: str | None = None) -> list[str]:
    """Candidates for a new chat, from the newest articles' headlines and leads, in ``language``."""
    said = labels(language)
    out = [said.ask_new_this_week]
    for title, lead in zip(titles, leads, strict=False):
        out += [said.ask_latest.format(name=n) for n in story_names(title)[:1]]
        out += [said.ask_who.format(name=p) for p in people(lead)[:1]]
    return _unique(out, "")


def asks_who(question: str) -> bool:
    """A "who is …" suggestion, in either language (it may lead back to the answer's articles)."""
    return any(question.startswith(labels(code).ask_who.split("{", 1)[0]) for code in SUPPORTED)


def _unique(questions: list[str], asked: str) -> list[str]:
    seen = {fold(asked)}
    out = []
    for q in questions:
        if fold(q) not in seen:
            seen.add(fold(q))
            out.append(q)
    return out
