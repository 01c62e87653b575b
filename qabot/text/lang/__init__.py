"""The languages qabot reads and speaks (English and Romanian): which one a question is in.

Detection is py3langid's naive Bayes over byte n-grams, restricted to the languages qabot
speaks: 99.9% right on XQuAD's 2,380 English and Romanian questions, about 0.1 ms a question
(docs/quality.md). A word list cannot tell "Metrorex" or "BNR 2025" apart, and neither can a
model: text that short (names left out), or a guess that unsure, takes the interface's language (the hint:
Telegram's ``language_code``, a web page's language) and else English, the archive's.
The model loads on first use (about 1 s) and never for English-only commands.
"""

from __future__ import annotations

import re
import threading

SUPPORTED = ("en", "ro")
DEFAULT = "en"
SURE = 0.7  # the detector's probability below which the interface's language decides
_MIN_LETTERS = 6  # fewer letters than this ("Metrorex" once names are left out) say nothing
# capitalised words after the first (and not opening a sentence), with the small words inside a name
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-ZĂÂÎȘȚŞŢ][\w'’-]*(?:\s+(?:a|al|de|din|la|of|the|and|și)\s+[A-ZĂÂÎȘȚŞŢ][\w'’-]*)*")

_identifier = None
_lock = threading.Lock()


def supported(code: str | None) -> str | None:
    """``"ro"`` for ``"ro"``, ``"ro-RO"`` or ``"RO"``; None for a language qabot does not speak."""
    if not code:
        return None
    base = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    return base if base in SUPPORTED else None


def detect(text: str, hint: str | None = None, *, names: bool = False) -> str:
    """The language ``text`` is written in, one of ``SUPPORTED``; when the text is too short or
    the guess unsure, ``hint`` (if qabot speaks it), else ``DEFAULT``. Names are left out of a
    question; ``names`` keeps them (running text, where they are few)."""
    fallback = supported(hint) or DEFAULT
    # names say nothing of the reader's language: "Who owns Banca Agricolă a Dunării now?" is English
    words = text.strip() if names else _NAME.sub(" ", text.strip())
    if sum(c.isalpha() for c in words) < _MIN_LETTERS or (len(text.split()) <= 2 and "?" not in text):
        return fallback  # too little to tell, or a bare name typed in lower case ("costel bejan")
    language, probability = _detector().classify(words.lower())
    return language if probability >= SURE else fallback


def _detector():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(SUPPORTED))
                _identifier = identifier
    return _identifier
