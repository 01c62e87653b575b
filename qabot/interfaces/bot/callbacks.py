"""Reading the data of a pressed button. A client can send any data it likes, so nothing in it
is trusted: it must parse, and the answer it names must belong to the chat it was pressed in."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DATA = re.compile(r"^(src|fb):(\d{1,18})(?::(-1|1))?$")
# a suggested question: the answer it follows (0: the new-chat suggestions) and its place; the
# question itself stays on our side (Telegram allows 64 bytes of callback data)
_SUGGESTED = re.compile(r"^sq:(\d{1,18}):([0-9])$")
START_SUGGESTIONS = 0


@dataclass(frozen=True)
class Button:
    kind: str  # "src" (show the sources), "fb" (a vote) or "sq" (ask a suggested question)
    answer_id: int
    vote: int = 0
    index: int = 0  # "sq": which of the answer's suggestions


def parse_button(data: str | None) -> Button | None:
    """The button our keyboards produce (``src:ID``, ``fb:ID:1``, ``fb:ID:-1``, ``sq:ID:N``), else None."""
    suggested = _SUGGESTED.match(data or "")
    if suggested is not None:
        return Button("sq", int(suggested.group(1)), index=int(suggested.group(2)))
    match = _DATA.match(data or "")
    if match is None:
        return None
    kind, answer_id, vote = match.groups()
    if (kind == "fb") != (vote is not None):
        return None
    return Button(kind, int(answer_id), int(vote or 0))


def suggestion_data(answer_id: int, index: int) -> str:
    """Callback data of the ``index``-th suggestion under answer ``answer_id`` (at most 24 bytes)."""
    return f"sq:{answer_id}:{index}"
