"""Is the question about something the archive covers? Checks beyond the dense cosine.

The cosine alone lets through questions that share a topic with the archive but are about
another place or thing ("What is the minimum wage in Australia?" scores 0.55 against the
Romanian minimum wage stories) and refuses rare names it does cover (``qabot.answers.entities``).
Two cheap keyword checks catch the first kind:

- a name the question gives (a capitalised word not at its start), rare in the archive, no
  word of which any of the best articles contains: the question is about someone or somewhere
  else;
- a word the archive never uses at all, when the cosine is only just above the floor
  ("calories in a glass of red wine" against an article on wine exports).

And one check that lets a question through under the floor (``in_headline``): every content
word of a short question is in the best article's headline.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from embeddings.keyword import STOP_WORDS
from qabot.text.cognates import Roots, cognate
from qabot.text.dates import MONTHS
from qabot.text.fold import fold, folded_terms
from qabot.text.lang import ro

UNSURE_MARGIN = 0.1  # cosines within this of QABOT_MIN_RELEVANCE are "just above the floor"
_IGNORED = frozenset(MONTHS) | {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "i", "mr", "mrs", "ms", "dr",
}


def question_names(question: str) -> list[list[str]]:
    """Folded words of each name the question gives (months and weekdays are not names)."""
    from qabot.answers.entities import capitalised_names

    out = []
    for name in capitalised_names(question):
        # "Bacău-Roman" is two names: the article may write "Bacău–Roman" with a dash
        words = [w for w in re.findall(r"\w+", fold(name)) if w not in _IGNORED and w not in STOP_WORDS]
        if words:
            out.append(words)
    return out


def elsewhere(
    question: str, texts: list[str], rare: Callable[[str], bool], language: str = "en",
    translated: Callable[[list[str]], bool] | None = None,
) -> bool:
    """True when a name in the question is in none of ``texts`` (the best articles' text) and
    is rare in the archive (``rare(word)``): a name the archive writes often may be written
    otherwise in the answering article ("Liberal Democrats" as "Lib Dems"). A Romanian
    question declines its names ("primarul Brăilei"): their stem is looked for.

    ``translated(words)``: across languages, whether a name may be a translation the archive
    writes otherwise ("Varșovia" for Warsaw, "Teatrul de Vară" for the Summer Theatre); such a
    name is no evidence either way, and is skipped."""
    names = question_names(question)
    if not names:
        return False
    folded = [fold(t) for t in texts]
    stem = ro.name_stem if language == "ro" else _same
    roots = [Roots(t) for t in texts] if translated is not None else []
    for words in names:
        # any word of the name will do: "Bayer Leverkusen" may be "Leverkusen" in the article;
        # "Australia" or "Paris" alone must be there
        if any(re.search(rf"\b{re.escape(stem(w))}", t) for w in words for t in folded):
            continue
        if any(r.has(w) for w in words for r in roots):  # "Comisia" is the "Commission"
            continue
        if all(map(rare, words)) and not (translated is not None and translated(words)):
            return True
    return False


def _same(word: str) -> str:
    return word


def unknown_word(question: str, store) -> bool:
    """True when the question uses a content word no article in the archive contains."""
    return any(store.word_documents(t) == 0 for t in folded_terms(question) if len(t) > 3)


def in_headline(question: str, headline: str) -> bool:
    """True when the question has at least two content words and each is in ``headline``, as
    itself or a cognate. "Who is the transport minister?" is two role words, and e5 scores such
    a short question under its floor against the article headlined "Transport minister Ioana
    Preda signs contract..." (0.22-0.25, docs/quality.md): the headline says what the cosine
    does not. An off-topic question rarely has all its words in one headline."""
    asked = [t for t in folded_terms(question) if len(t) > 2]
    said = folded_terms(headline)
    return len(asked) >= 2 and all(any(cognate(a, b) for b in said) for a in asked)
