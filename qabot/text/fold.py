"""Text folded for matching: case, diacritics and their cedilla/comma variants do not matter.

Readers type "Vladescu" for "Vlădescu" and "Radis" for "Radiș", and Romanian text mixes the
comma-below letters (ș ț) with the older cedilla forms (ş ţ). Decomposing to NFKD and dropping
the combining marks folds all of them to the base letter, so keyword evidence and sentence
scoring compare like with like (the FTS5 index already folds with ``remove_diacritics 2``).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from embeddings.keyword import terms

# Letters NFKD does not decompose into a base letter and a mark.
_EXTRA = str.maketrans({"ı": "i", "ß": "ss", "ł": "l", "đ": "d", "ø": "o", "æ": "ae", "œ": "oe"})


def fold(text: str) -> str:
    """Lower case without diacritics; other characters unchanged (one for one for Latin text)."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=4096)
def folded_terms(text: str) -> tuple[str, ...]:
    """Content words of ``text``, folded (stop words dropped, as in keyword search)."""
    return tuple(terms(fold(text)))
