"""Words two languages share by their Latin or Greek root: "inflația" and "inflation",
"populația" and "population", "teatrul" and "theatre", "comisia" and "commission".

A Romanian question over an English archive (or the reverse) shares few words with its
articles as written; the model's cosine carries most of the match, and is weaker across
languages (XQuAD ro->en: 0.80 first by cosine against 0.92 en->en, docs/quality.md). Romanian
and English write most of their learned vocabulary from the same roots, so a long enough
common start, after spelling differences the two languages make regularly (English doubles
consonants and writes "ph", "th", "y" and "k" where Romanian writes "f", "t", "i" and "c"),
is evidence that an article speaks of what the question asks. ``shared_roots`` measures it
for ranking; ``cognate`` decides it for one pair of words.

Names of places are the exception: "București" is "Bucharest" and "Londrei" is "London's".
The Romanian names of countries and cities that English writes otherwise come from the CLDR
data Babel ships (``exonym``), and are spelt as their English name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from functools import lru_cache

from qabot.text.fold import fold, folded_terms
from qabot.text.lang.ro import name_stem

COGNATE_MIN = 5  # letters two words must share from their start to be the same word in two languages
COGNATE_SHARE = 0.75  # ... and the share of the shorter word those letters must be
MIN_LETTERS = 4  # shorter question words ("rata", "anul") match too much by their start

_SPELLINGS = (("ph", "f"), ("th", "t"), ("ck", "c"), ("qu", "c"), ("k", "c"), ("y", "i"), ("w", "v"))
_DOUBLED = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def spelling(word: str) -> str:
    """``word`` folded and written as the two languages would both write it: "commission" and
    "comisia" start alike as "comision" and "comisia"."""
    return _respelt(exonym(fold(word)))


def _respelt(folded_word: str) -> str:
    for english, common in _SPELLINGS:
        folded_word = folded_word.replace(english, common)
    return _DOUBLED.sub(r"\1", folded_word)


def exonym(folded_word: str) -> str:
    """The English name of a place Romanian names otherwise, declined or not ("bucurestiului"
    -> "bucharest", "varsoviei" -> "warsaw"); any other word as it is."""
    names = _exonyms()
    found = names.get(folded_word)
    if found is None:
        stem = name_stem(folded_word)
        found = names.get(stem) if stem != folded_word else None
    return found or folded_word


@lru_cache(maxsize=1)
def _exonyms() -> dict[str, str]:
    """Folded Romanian name (and its stem) -> folded English name, one word each, for the
    countries (CLDR territory names) and the cities time zones are named after (the zone id
    is the English name: "Europe/Bucharest" is "București" in Romanian). Names alike in both
    languages, or cognates already ("Germania", "Ucraina"), are left out."""
    from babel import Locale

    romanian, english = Locale("ro"), Locale("en")
    pairs = [(name, english.territories.get(code, "")) for code, name in romanian.territories.items()]
    pairs += [(zone["city"], zone_id.rsplit("/", 1)[-1].replace("_", " "))
              for zone_id, zone in romanian.time_zones.items() if "city" in zone]
    names: dict[str, str] = {}
    for ro_name, en_name in pairs:
        ro_word, en_word = fold(ro_name), fold(en_name)
        if not en_word or " " in ro_word or " " in en_word or _same_root(_respelt(ro_word), _respelt(en_word)):
            continue
        names[ro_word] = en_word
        names.setdefault(name_stem(ro_word), en_word)
    return names


def cognate(a: str, b: str) -> bool:
    """The same word, or the same root across Romanian and English ("ministrul" and
    "minister"): a long enough common start once both are spelt alike."""
    return a == b or _same_root(spelling(a), spelling(b))


def _same_root(a: str, b: str) -> bool:
    """Two words, as spelt alike, share a long enough start."""
    shared = _common_start(a, b)
    return a == b or (shared >= COGNATE_MIN and shared >= COGNATE_SHARE * min(len(a), len(b)))


def _common_start(a: str, b: str) -> int:
    end = 0
    while end < min(len(a), len(b)) and a[end] == b[end]:
        end += 1
    return end


class Roots:
    """An article's words by their first four letters (as spelt by ``spelling``), so a
    question word is compared only with the few that could be its cognate."""

    def __init__(self, text: str) -> None:
        self.by_start: dict[str, set[str]] = {}
        for word in folded_terms(text):
            written = spelling(word)
            self.by_start.setdefault(written[:MIN_LETTERS], set()).add(written)

    def has(self, word: str) -> bool:
        written = spelling(word)
        return any(cognate(written, other) for other in self.by_start.get(written[:MIN_LETTERS], ()))


def question_roots(question: str) -> list[str]:
    """The question's words a cognate is looked for: content words of four letters or more
    (names and figures included: a name is its own cognate)."""
    return [w for w in folded_terms(question) if len(w) >= MIN_LETTERS]


def shared_roots(question: str, texts: Sequence[str]) -> list[float]:
    """For each of ``texts``, the share of the question's words it has a cognate of, each word
    weighted by how few of ``texts`` have it (a word every candidate has tells them apart not
    at all). 0 for every text when the question has no such word."""
    words = question_roots(question)
    if not words or not texts:
        return [0.0] * len(texts)
    roots = [Roots(text) for text in texts]
    has = [[r.has(w) for w in words] for r in roots]
    n = len(texts)
    weights = [math.log(1 + n / max(1, sum(row[i] for row in has))) for i in range(len(words))]
    total = sum(weights)
    return [sum(w for w, hit in zip(weights, row, strict=True) if hit) / total for row in has]
