"""Durations as people write them in settings and flags: ``90s``, ``15m``, ``2h``, ``1d``, ``1h30m``."""

from __future__ import annotations

import re

_PART_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd]?)", re.IGNORECASE)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """Seconds in ``text``; a bare number is seconds. ValueError names the text when unreadable."""
    value = text.strip().replace(" ", "")
    if not value or _PART_RE.sub("", value):
        raise ValueError(f"not a duration: {text!r} (examples: 90s, 15m, 2h, 1h30m)")
    seconds = sum(float(n) * _UNITS[u.lower()] for n, u in _PART_RE.findall(value))
    if seconds <= 0:
        raise ValueError(f"duration must be positive: {text!r}")
    return seconds
