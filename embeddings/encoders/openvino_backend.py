"""OpenVINO runtime for bulk embedding: the sentence-transformers model converted once, then
kept on disk so later ingests start without torch.

On CPUs with AVX-512 BF16, OpenVINO's fused BERT kernels in bf16 run the same model about 1.3
times as fast as PyTorch's bf16 autocast, with vectors at a cosine of 0.99999 to fp32 (measured
in benchmarks/bench.py). Converting needs sentence-transformers and torch loaded (about 6 s
together); a stored export opens in about 0.3 s with neither.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import warnings
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

import numpy as np

from embeddings.encoders.batching import length_batches, with_progress
from embeddings.encoders.tokens import ModelTokenizer

log = logging.getLogger(__name__)

EXPORT_FORMAT = 1
_MODEL_XML = "model.xml"
_META = "meta.json"
UNUSED_DAYS = 30  # an export nobody opened for this long is removed when another is stored
_TOKENIZER = "tokenizer.json"


def _traceable(model, names: list[str], extra: dict):
    """The whole sentence-transformers pipeline (transformer, pooling, dense, normalise) as a
    module of the tokenizer's tensors, which is what OpenVINO traces."""
    import torch

    class SentenceForward(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors):
            features = dict(zip(names, tensors, strict=True)) | extra
            return self.model(features)["sentence_embedding"]

    return SentenceForward()


def _convert(model):
    """(OpenVINO model, input names): the traced sentence-transformers pipeline."""
    import openvino as ov
    import torch
    from transformers.utils import logging as hf_logging

    example = model.preprocess(["a short example text", "and a slightly longer example text here"])
    names = [k for k, v in example.items() if isinstance(v, torch.Tensor)]
    extra = {k: v for k, v in example.items() if not isinstance(v, torch.Tensor)}
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()  # tracing reads config fields that transformers warns about
    try:
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about shape-dependent Python branches
            graph = ov.convert_model(
                _traceable(model, names, extra),
                example_input=tuple(example[n] for n in names),
            )
    finally:
        hf_logging.set_verbosity(verbosity)
    return graph, names


def _compile(graph, *, bf16: bool, threads: int):
    """Compiles an OpenVINO model, or the model file at ``graph``, for the CPU."""
    import openvino as ov

    config: dict[str, Any] = {"INFERENCE_PRECISION_HINT": "bf16" if bf16 else "f32", "PERFORMANCE_HINT": "LATENCY"}
    if threads:
        config["INFERENCE_NUM_THREADS"] = threads
    return ov.Core().compile_model(str(graph) if isinstance(graph, Path) else graph, "CPU", config)


class OpenVinoRunner:
    """Embeds batches of texts with an OpenVINO-compiled copy of a SentenceTransformer.

    Texts are tokenized by ``tokenizer`` (the model's own tokenizer outside transformers, checked
    against sentence-transformers when the model was converted) or, when that check failed, by
    the sentence-transformers ``model`` itself.
    """

    def __init__(
        self, compiled, names: list[str], dim: int, *, tokenizer: ModelTokenizer | None, model=None,
        right_padded: bool = True,
    ) -> None:
        if tokenizer is None and model is None:
            raise ValueError("OpenVinoRunner needs a tokenizer or the sentence-transformers model")
        self._request = compiled.create_infer_request()
        self._names = names
        self._dim = dim
        self._tokenizer = tokenizer
        self._model = model
        self._trim = right_padded  # then a batch can drop its trailing padding columns
        self._lock = threading.Lock()  # an infer request serves one call at a time

    @classmethod
    def convert(cls, model, *, bf16: bool, threads: int = 0, save_to: Path | None = None) -> OpenVinoRunner:
        """Converts a loaded SentenceTransformer in memory; with ``save_to``, also stores it there
        for :meth:`load`, if its tokenizer can run without sentence-transformers."""
        graph, names = _convert(model)
        tokenizer = ModelTokenizer.from_sentence_transformer(model)
        if tokenizer is not None and not tokenizer.matches(model, names):
            log.warning("the model's tokenizer needs sentence-transformers: OpenVINO uses it, nothing is stored")
            tokenizer = None
        dim = int(model.get_embedding_dimension())
        if save_to is not None and tokenizer is not None:
            _save(save_to, graph, tokenizer, names, dim)
        compiled = _compile(graph, bf16=bf16, threads=threads)
        right_padded = tokenizer is not None or getattr(model.tokenizer, "padding_side", "right") == "right"
        return cls(compiled, names, dim, tokenizer=tokenizer, model=model, right_padded=right_padded)

    @classmethod
    def load(cls, folder: Path, *, bf16: bool, threads: int = 0) -> OpenVinoRunner:
        """Opens an export written by :meth:`convert`: no torch, no sentence-transformers."""
        meta = read_export_meta(folder)
        with suppress(OSError):  # marks it in use, so another install's clean-up keeps it
            os.utime(folder / _META)
        tokenizer = stored_tokenizer(folder, meta)
        compiled = _compile(folder / _MODEL_XML, bf16=bf16, threads=threads)
        return cls(compiled, meta["names"], meta["dim"], tokenizer=tokenizer)

    def embed(self, texts: Sequence[str], batch_size: int, *, progress: bool = False) -> np.ndarray:
        """Normalised float32 vectors. The texts are tokenized once, then run in batches of
        similar length, each only as wide as its longest text."""
        if self._tokenizer is not None:
            features = self._tokenizer.encode(texts)
        else:
            tensors = self._model.preprocess(list(texts))
            features = {n: tensors[n].numpy() for n in self._names}
            features["lengths"] = tensors["attention_mask"].sum(dim=1).numpy()
        lengths = features["lengths"]
        arrays = [features[n] for n in self._names]
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        for batch in with_progress(length_batches(lengths.tolist(), batch_size), progress):
            # drop the columns that are padding for every text of this batch
            width = int(lengths[batch].max()) if self._trim else arrays[0].shape[1]
            inputs = [a[batch, :width] for a in arrays]
            with self._lock:
                out[batch] = self._request.infer(inputs)[0]
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


def stored_tokenizer(folder: Path, meta: dict) -> ModelTokenizer:
    """The tokenizer stored with an export (``meta`` from :func:`read_export_meta`)."""
    return ModelTokenizer.from_file(folder / _TOKENIZER, meta["max_tokens"], meta["pad_id"])


def read_export_meta(folder: Path) -> dict:
    """The export's description; raises ValueError when it is missing, partial or from another format."""
    try:
        meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ValueError(f"{folder / _META}: unreadable ({e})") from e
    if meta.get("format") != EXPORT_FORMAT:
        raise ValueError(f"{folder / _META}: format {meta.get('format')!r}, expected {EXPORT_FORMAT}")
    for name in ("names", "dim", "max_tokens", "pad_id"):
        if name not in meta:
            raise ValueError(f"{folder / _META}: no field {name!r}")
    return meta


def _save(folder: Path, graph, tokenizer: ModelTokenizer, names: list[str], dim: int) -> None:
    """Writes the export next to its final place, then renames it in: a reader sees all or nothing.
    Older exports in the same cache folder (another model version) are removed."""
    import openvino as ov

    folder.parent.mkdir(parents=True, exist_ok=True)
    partial = folder.parent / f".{folder.name}.{os.getpid()}.partial"
    try:
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir()
        ov.save_model(graph, str(partial / _MODEL_XML), compress_to_fp16=False)  # fp32: vectors stay exact
        tokenizer.save(partial / _TOKENIZER)
        meta = {"format": EXPORT_FORMAT, "names": names, "dim": dim,
                "max_tokens": tokenizer.max_tokens, "pad_id": tokenizer.pad_id}
        (partial / _META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)  # a damaged copy, or one another process just wrote
        os.replace(partial, folder)
    except OSError as e:
        log.warning("could not store the OpenVINO model in %s: %s", folder.parent, e)
        return
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    _remove_unused(folder.parent, keep=folder)


def _remove_unused(cache: Path, keep: Path) -> None:
    """Removes exports nobody opened for UNUSED_DAYS. Not every other export: another install
    (other library versions, another model folder) may share this cache and still use its own."""
    cutoff = time.time() - UNUSED_DAYS * 86400
    for old in cache.iterdir():
        if old == keep or not old.is_dir() or old.name.startswith("."):
            continue
        try:
            last_used = (old / _META).stat().st_mtime
        except OSError:
            last_used = old.stat().st_mtime  # no description: judge the folder itself
        if last_used < cutoff:
            shutil.rmtree(old, ignore_errors=True)
