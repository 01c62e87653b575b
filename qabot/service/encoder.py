"""The service's hold on the model: one call at a time, and the vectors a question repeats."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from embeddings.encoders.e5 import E5Encoder
    from embeddings.encoders.sentence import SentenceEncoder

SENTENCE_BATCH = 64  # at most this many passage texts in one call: a question-time read, not an ingest
SENTENCES_KEPT = 2048  # sentence vectors remembered (about 3 MB at 384 dimensions)


class LockedEncoder:
    """Serialises model calls: torch already uses every core for one batch.

    Each call costs a torch run of at least about 15 ms on two cores, however short the text,
    and a question across languages repeats some: it is embedded again to read sentences with
    (the last question's vector is kept), and it reads its best passages' sentences twice, to
    rank the articles and to pick the answer's sentences (the last ``SENTENCES_KEPT`` sentences'
    vectors are kept). Questions are not kept beyond the last, so that a timed run of distinct
    questions (benchmarks/latency.py) times the model every time."""

    def __init__(self, encoder: SentenceEncoder | E5Encoder) -> None:
        self.inner = encoder
        self.model_id = encoder.model_id
        self._lock = threading.Lock()
        self._sentences: OrderedDict[str, np.ndarray] = OrderedDict()
        self._question: tuple[str, np.ndarray] | None = None

    def embed(self, texts, progress: bool = False, kind: str = "passage"):
        texts = list(texts)
        with self._lock:
            if kind == "query" and len(texts) == 1:
                if self._question is None or self._question[0] != texts[0]:
                    self._question = (texts[0], self.inner.embed(texts, kind=kind))
                return self._question[1].copy()  # the caller may change its copy
            if kind != "passage" or progress or not texts or len(texts) > SENTENCE_BATCH:
                return self.inner.embed(texts, progress=progress, kind=kind)
            missing = list(dict.fromkeys(t for t in texts if t not in self._sentences))
            if missing:
                for text, vector in zip(missing, self.inner.embed(missing, kind=kind), strict=True):
                    self._sentences[text] = np.array(vector)  # a row of its own, not a view of the batch
            for text in texts:
                self._sentences.move_to_end(text)
            while len(self._sentences) > SENTENCES_KEPT:
                self._sentences.popitem(last=False)
            return np.stack([self._sentences[t] for t in texts])

    def __getattr__(self, name: str):
        return getattr(self.inner, name)
