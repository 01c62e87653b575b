"""People and organisations: does the archive know the name, and which sentences introduce
and quote them.

Dense similarity is low for a rare name ("Who is Radu Ifrim?" scores about 0.2), yet an exact
match on it in an article is strong evidence; a common word matching by chance is not, so a
name counts only when each of its words occurs in one article and one of them is rare in the
archive. Matching is folded (qabot.text.fold): Vladescu finds Vlădescu, Radis finds Radiș.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from embeddings.keyword import STOP_WORDS
from qabot.text.fold import fold
from qabot.text.lang import ro
from qabot.text.quotes import balance

RARE_SHARE = 0.02  # a word in at most 2% of the articles (or at most RARE_MIN) is rare
RARE_MIN = 10
_ROLE = re.compile(
    r"\b(?:minister|governor|president|director|head|chief|manager|mayor|spokes(?:man|woman|person)|ceo|"
    r"founder|chair(?:man|woman)?|leader|coach|secretary|commissioner|deputy|senator|prosecutor|judge|"
    r"general|rector|professor|economist|analyst|executive|official|prefect|founder|captain|president-elect)\b",
    re.I,
)
_INTRODUCES = re.compile(
    r"\b(?:sworn in|appointed|named|nominated|elected|became|born|profile|took office|reappointed)\b", re.I
)
# "Ifrim, 47, a former deputy governor", "Zamfir, the leader of": an apposition right after the name
_APPOSITION = r",\s+(?:the|a|an|who|whose|aged|\d+)\b"
_PRONOUN_SAID = re.compile(r"\b(?:he|she) (?:said|says|added|told|warned|insisted)\b", re.I)
_SAID = re.compile(r"\b(?:said|says|told|added|stated|declared|warned|argued|explained|noted|insisted)\b", re.I)


@dataclass(frozen=True)
class Name:
    """A name as asked (``text``) and its folded words."""

    text: str
    words: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> Name:
        words = tuple(w for w in re.findall(r"[\w’'-]+", fold(text)) if w not in STOP_WORDS and len(w) > 1)
        return cls(text, words)

    @property
    def surname(self) -> str:
        return self.words[-1] if self.words else ""

    def in_text(self, folded: str) -> bool:
        return bool(self.words) and all(re.search(rf"\b{re.escape(w)}\b", folded) for w in self.words)



def capitalised_names(question: str) -> list[str]:
    """Runs of capitalised words not at the start of the question ("Radu Ifrim", "Metrorex")."""
    out = []
    for m in re.finditer(r"(?<!^)(?<![.!?]\s)\b[A-ZĂÂÎȘȚŞŢ][\w’'-]+(?:\s+[A-ZĂÂÎȘȚŞŢ][\w’'-]+)*", question.strip()):
        out.append(m.group(0))
    return out


def known(store, name: Name, total: int, want: int = 6) -> list[str]:
    """Up to ``want`` articles holding every word of ``name`` with one of them rare in the
    archive, best first; then, for a full name, articles naming the person by surname alone.

    Articles are read in keyword order, ``want`` at a time, and stop once enough name the
    person: folding 50 whole articles for every name in a question cost ~30 ms."""
    if not name.words:
        return []
    limit = max(RARE_MIN, int(total * RARE_SHARE))
    if all(store.word_documents(word) > limit for word in name.words):
        return []
    ranked = [doc_id for doc_id, _ in store.keyword_search(" ".join(name.words), 50)]
    texts: dict[str, str] = {}
    found: list[str] = []
    for start in range(0, len(ranked), want):
        batch = ranked[start:start + want]
        docs = store.documents(batch)
        texts.update((d, fold(f"{docs[d].title}\n{docs[d].text}")) for d in batch if d in docs)
        found += [d for d in batch if d in texts and name.in_text(texts[d])]
        if len(found) >= want:
            return found[:want]
    if found and len(name.words) > 1:
        # later articles often name a person by surname alone ("…, Oprișan told")
        surname = re.compile(rf"\b{re.escape(name.surname)}\b")
        found += [d for d in ranked if d in texts and d not in found and surname.search(texts[d])]
    return found[:want]


@dataclass(frozen=True)
class Mention:
    position: int
    text: str
    intro: float  # how much the sentence introduces the person (role, title, full name)
    quote: bool  # a quotation attributed to them


def mentions(name: Name, sentences: list[str]) -> list[Mention]:
    """Sentences of one article about ``name``: those naming them, and quotes attributed to them
    (a quotation in a sentence naming them, or one continued from such a sentence)."""
    out = []
    previous_named = False
    named_at = -9
    for pos, sentence in enumerate(sentences):
        folded = fold(sentence)
        full = name.in_text(folded)
        by_surname = bool(name.surname) and re.search(rf"\b{re.escape(name.surname)}\b", folded) is not None
        apposition = by_surname and re.search(rf"\b{re.escape(name.surname)}{_APPOSITION}", folded) is not None
        quoted = any(ch in sentence for ch in "„“”\"«»")
        attributed = quoted and (full or by_surname) and bool(_SAID.search(sentence) or ro.SAID_VERB.search(folded))
        continued = quoted and (
            (previous_named and balance(sentence) == -1) or (pos - named_at <= 2 and _PRONOUN_SAID.search(sentence))
        )
        if full or by_surname or continued:
            intro = 0.0
            if full:
                intro = (1.0 + (0.5 if _ROLE.search(sentence) or ro.ROLE.search(folded) else 0.0)
                         + (0.2 if not quoted else 0.0)
                         + (0.3 if _INTRODUCES.search(sentence) or ro.INTRODUCES.search(folded) or apposition else 0.0))
            out.append(Mention(pos, sentence, intro, bool(attributed or continued)))
        previous_named = full or by_surname
        if previous_named:
            named_at = pos
    return out


_QUOTED = re.compile(r"[„“«\"]([^„“”«»\"]+)[”»\"]")


def quoted_words(sentence: str) -> str:
    """The words inside quotation marks (all of it when the quote opens or closes elsewhere)."""
    inside = _QUOTED.findall(sentence)
    return " ".join(inside) if inside else sentence
