"""What qabot says itself, in the reader's language: gettext catalogues read with Babel.

The catalogues are ``qabot/locale/<lang>/LC_MESSAGES/qabot.po``, the gettext sources, read at
run time with Babel's ``read_po`` (a few milliseconds, once per language): no compile step, so
``pip install .`` and a checkout behave alike. Messages are their English text (the msgid),
so English needs no catalogue and reads exactly as it did. Code marks a message with
``_ = translator(language)`` then ``_("Sources")``, the gettext convention Babel's extractor
reads; placeholders are ``str.format`` fields, filled in after translating. Quoted sentences
are never translated: they stay in the article's language.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from qabot.text.lang import DEFAULT, supported

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "qabot"
_lock = threading.Lock()

def catalogue_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=8)
def messages(language: str) -> dict[str, str]:
    """msgid → translation for ``language``; empty for English (and any language without a
    catalogue), whose messages are the msgids themselves."""
    path = catalogue_path(language)
    if language == DEFAULT or not path.exists():
        return {}
    from babel.messages.pofile import read_po

    with _lock, path.open("rb") as f:
        catalog = read_po(f, locale=language, domain=DOMAIN)
    return {m.id: m.string for m in catalog
            if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string and not m.fuzzy}


def translator(language: str | None) -> Callable[[str], str]:
    """The gettext function for ``language`` (a code such as "ro" or "ro-RO"; else English)."""
    table = messages(supported(language) or DEFAULT)
    if not table:
        return _same
    return lambda message: table.get(message, message)


def _same(message: str) -> str:
    return message
