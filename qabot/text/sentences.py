"""Sentence splitting for news in English and Romanian: abbreviations, initials, decimals and quotes aware."""

from __future__ import annotations

import re

from qabot.text.lang import ro

_ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt gen col lt sgt capt cmdr gov sen rep pres rev hon
    jan feb mar apr jun jul aug sep sept oct nov dec no nos vs etc inc ltd co corp bros dept
    est approx fig al ave blvd u.s u.k e.g i.e a.m p.m""".split()
)
# A candidate boundary: end punctuation, optional closing quotes/brackets, space, then an
# opening quote/bracket or a capital letter or digit.
_BOUNDARY = re.compile(r"([.!?…]+[\"'”’»)\]]*)\s+(?=[\"'“‘„«(\[]?[A-Z0-9ĂÂÎȘȚŞŢ])")


# Sentences that lean on the one before: a pronoun or a connective in front, or "the firm"-style
# references back to a subject named earlier.
_LEANS_ON_PREVIOUS = re.compile(
    r"^[\"'“‘]?(?:He|She|It|They|This|That|These|Those|His|Her|Its|Their|Them|Him|But|And|However|"
    r"Also|So|Yet|Still|Instead|Meanwhile|The (?:company|firm|group|move|deal|report|plan|bank|"
    r"government|minister|club|film|band|star|player|singer|actor|show))\b"
)


def leans_on_previous(sentence: str) -> bool:
    """True when a sentence makes full sense only after the one before it."""
    return bool(_LEANS_ON_PREVIOUS.match(sentence))


def split_sentences(text: str) -> list[str]:
    """Sentences of one paragraph or more; paragraphs (blank lines) always end a sentence."""
    sentences: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        if paragraph:
            sentences.extend(_split_paragraph(paragraph))
    return sentences


def _split_paragraph(paragraph: str) -> list[str]:
    out: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(paragraph):
        end = match.end(1)
        if _is_abbreviation(paragraph[start:end], paragraph[match.end():match.end() + 1]):
            continue
        piece = paragraph[start:end].strip()
        if piece:
            out.append(piece)
        start = match.end()
    tail = paragraph[start:].strip()
    if tail:
        out.append(tail)
    return out


def _is_abbreviation(candidate: str, following: str = "") -> bool:
    """The text before a period is an abbreviation or an initial, not a sentence end;
    ``following`` is the character the next sentence would start with."""
    stripped = candidate.rstrip("\"'”’»)]")
    if not stripped.endswith("."):
        return False
    words = stripped[:-1].split()
    if not words:
        return False
    written = words[-1].lstrip("\"'“‘«([")
    last = written.lower()
    if last in _ABBREVIATIONS:
        return True
    if not written.isupper() and (last in ro.ABBREVIATIONS or (last in ro.BEFORE_NUMBER and following[:1] in tuple("0123456789("))):
        return True
    # single initials such as "J." in "J. K. Rowling", but not a sentence ending in "I."
    return len(last) == 1 and last.isalpha() and last != "i"
