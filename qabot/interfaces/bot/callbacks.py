"""Reading the data of a pressed button. A client can send any data it likes, so nothing in it
is trusted: it must parse, and the answer it names must belong to the chat it was pressed in."""

from __future__ import annotations

import re
from dataclasses import dataclass

_DATA = re.compile(r"^(src|fb):(\d{1,18})(?::(-1|1))?$")


@dataclass(frozen=True)
class Button:
    kind: str  # "src" (show the sources) or "fb" (a vote)
    answer_id: int
    vote: int = 0


def parse_button(data: str | None) -> Button | None:
    """The button our keyboards produce (``src:ID``, ``fb:ID:1``, ``fb:ID:-1``), else None."""
    match = _DATA.match(data or "")
    if match is None:
        return None
    kind, answer_id, vote = match.groups()
    if (kind == "fb") != (vote is not None):
        return None
    return Button(kind, int(answer_id), int(vote or 0))
