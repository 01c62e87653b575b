"""Durations as people write them in settings: ``90s``, ``15m``, ``1h30m``, ``2h``, ``1d``.

One parser for every schedule (``qabot watch --every``, ``QABOT_REFRESH_EVERY`` in the bot),
so the same text means the same interval everywhere.
"""

from __future__ import annotations

import re

from qabot.errors import ConfigError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_WHOLE = re.compile(r"(?:\d+(?:\.\d+)?\s*[smhd]\s*)+")


def parse_duration(text: str, *, name: str = "duration") -> float:
    """Seconds in ``text``: a number (seconds) or parts like ``1h30m``; ``""`` is 0 (off).

    Raises :class:`ConfigError` naming ``name`` for anything else, or a negative value.
    """
    value = text.strip().lower()
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        if not _WHOLE.fullmatch(value):
            raise ConfigError(
                f"{name}: {text!r} is not a duration; write e.g. 90s, 15m, 1h30m or a number of seconds"
            ) from None
        seconds = sum(float(n) * _UNITS[unit] for n, unit in _PART.findall(value))
    if seconds < 0:
        raise ConfigError(f"{name}: {text!r} is negative")
    return seconds


def format_duration(seconds: float) -> str:
    """The short form people read back: ``15m``, ``1h30m``, ``90s`` -> ``1m30s``."""
    left = round(seconds)
    if left <= 0:
        return "0s"
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if left >= size:
            out += f"{left // size}{unit}"
            left %= size
    return out
