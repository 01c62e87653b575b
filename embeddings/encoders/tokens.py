"""The model's tokenizer run directly through Hugging Face ``tokenizers``.

Same word pieces as the transformers tokenizer it is copied from, without importing
transformers or paying its per-call overhead: counting the BBC corpus' sentences takes 1.5 s
here against 2.1 s, and tokenizing its passages for the model 1.0 s (two threads) against 2.9 s.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

# Texts that exercise what a tokenizer copy could get wrong: case, accents and diacritics,
# punctuation and digits, surrounding and inner whitespace, an empty text, and truncation.
PROBE_TEXTS = [
    "Parliament approved the 2027 budget on Tuesday.",
    "  Bucharest's mayor, Ion Popescu-Țăranu, said: \"We'll see!\"  ",
    "Guvernul a aprobat ordonanța; BNR a menținut dobânda la 6,50%.",
    "ÉCOLE\tnormale\nsupérieure — 3.5bn lei (€700m) in Q3",
    "",
    " ".join(["word"] * 600),
]

# The model inputs this class can produce, by sentence-transformers' names.
_FIELDS = ("input_ids", "attention_mask", "token_type_ids")

# Below this many texts one thread is as fast: the split only pays for bulk calls.
_PARALLEL_TEXTS = 2048


class ModelTokenizer:
    """Counts word pieces and builds padded model inputs."""

    def __init__(self, serialized: str, max_tokens: int, pad_id: int) -> None:
        from tokenizers import Tokenizer

        self._serialized = serialized
        self.max_tokens = max_tokens
        self.pad_id = pad_id
        self._counter = Tokenizer.from_str(serialized)
        self._counter.no_truncation()
        self._counter.no_padding()
        self._inputs = Tokenizer.from_str(serialized)
        self._inputs.enable_truncation(max_tokens)
        self._inputs.no_padding()

    @classmethod
    def from_sentence_transformer(cls, model) -> ModelTokenizer | None:
        """A copy of a loaded model's tokenizer, or None when it has no fast (Rust) backend."""
        tokenizer = getattr(model, "tokenizer", None)
        backend = getattr(tokenizer, "backend_tokenizer", None)
        if backend is None:
            return None
        return cls(backend.to_str(), int(model.max_seq_length), int(getattr(tokenizer, "pad_token_id", 0) or 0))

    @classmethod
    def from_file(cls, path: Path, max_tokens: int, pad_id: int) -> ModelTokenizer:
        return cls(Path(path).read_text(encoding="utf-8"), max_tokens, pad_id)

    def save(self, path: Path) -> None:
        Path(path).write_text(self._serialized, encoding="utf-8")

    def count(self, texts: Sequence[str]) -> list[int]:
        """Word pieces per text, without special tokens and without truncation."""
        return [len(e.ids) for e in self._counter.encode_batch_fast(list(texts), add_special_tokens=False)]

    def encode(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """Right-padded int64 model inputs plus ``lengths``, as sentence-transformers builds them."""
        texts = list(texts)
        if len(texts) >= _PARALLEL_TEXTS:
            # the Rust encoder releases the GIL, so two halves run on two cores
            half = len(texts) // 2
            with ThreadPoolExecutor(2) as pool:
                parts = list(pool.map(self._inputs.encode_batch_fast, [texts[:half], texts[half:]]))
            encodings = parts[0] + parts[1]
        else:
            encodings = self._inputs.encode_batch_fast(texts)
        lengths = np.array([len(e.ids) for e in encodings], dtype=np.int64)
        width = int(lengths.max()) if len(texts) else 0
        ids = np.full((len(texts), width), self.pad_id, dtype=np.int64)
        types = np.zeros((len(texts), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, : lengths[row]] = encoding.ids
            types[row, : lengths[row]] = encoding.type_ids
        mask = (np.arange(width) < lengths[:, None]).astype(np.int64)
        return {"input_ids": ids, "attention_mask": mask, "token_type_ids": types, "lengths": lengths}

    def matches(self, model, names: Sequence[str]) -> bool:
        """True when this copy gives ``model``'s inputs exactly, on texts chosen to catch the
        differences that matter (lower-casing, accents, whitespace handling, truncation)."""
        if any(name not in _FIELDS for name in names):
            return False
        expected = model.preprocess(PROBE_TEXTS)
        got = self.encode(PROBE_TEXTS)
        for name in names:
            want = expected[name].numpy()
            if want.shape != got[name].shape:
                return False
            mask = got["attention_mask"].astype(bool)
            if not np.array_equal(want[mask], got[name][mask]):
                return False
        return np.array_equal(expected["attention_mask"].numpy(), got["attention_mask"])
