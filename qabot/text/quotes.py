"""Quotations that open in one sentence and close in another.

The sentence splitter cuts „We are cautious. This is a first step,” Vlădescu said. into two
sentences; an answer quoting either one alone would open a quotation without closing it, or
close one never opened. :func:`balance` says which neighbour a sentence needs.
"""

from __future__ import annotations

_OPENERS = "„“«"
_CLOSERS = "”»"


def balance(sentence: str) -> int:
    """+1 when a quotation opens and does not close (needs the next sentence), -1 when one
    closes that did not open here (needs the previous one), 0 when balanced."""
    depth = 0
    unopened = False
    straight = 0
    for ch in sentence:
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            if depth:
                depth -= 1
            else:
                unopened = True
        elif ch == '"':
            straight += 1
    if depth:
        return 1
    if unopened:
        return -1
    if straight % 2:
        return 1 if sentence.lstrip().startswith('"') else -1
    return 0
