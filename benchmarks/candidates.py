"""Section 3: embedding time and cosine to fp32 of encoder and chunking candidates on a sample, to choose ingest's defaults."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from common import baseline_text, char_split


@dataclass
class Candidate:
    name: str
    embed: Callable[[list[str]], np.ndarray]
    texts: list[str]
    threads: int
    quality_ref: str | None = None  # name of the fp32 candidate over the same texts
    times: list[float] = field(default_factory=list)
    vectors: np.ndarray | None = None


def our_texts(articles: list, chunk_tokens: int, overlap: int | str, count_tokens, max_model_tokens: int) -> list[str]:
    from qabot.ingest.chunk import chunk_article

    max_tokens = min(chunk_tokens, max_model_tokens - 2)  # as qabot/ingest/pipeline.py
    return [c.text for a in articles for c in chunk_article(a, count_tokens, max_tokens, overlap)]


def load_articles(jsonl: Path) -> list:
    """Articles through qabot's own loader (the cleaning the pipeline applies)."""
    from qabot.ingest.loaders import load_sources
    from qabot.models import Article
    from qabot.settings import Settings

    return [a for a in load_sources([str(jsonl)], Settings()) if isinstance(a, Article)]


def st_embed(model, batch_size: int, bf16: bool) -> Callable[[list[str]], np.ndarray]:
    def embed(texts: list[str]) -> np.ndarray:
        import torch

        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            v = model.encode(texts, batch_size=batch_size, convert_to_tensor=True,
                             normalize_embeddings=False, show_progress_bar=False)
        v = v.float().numpy()  # normalised in fp32: a bf16 model would normalise in bf16
        return v / np.linalg.norm(v, axis=1, keepdims=True)
    return embed


def bf16_model(model):
    """A copy of the model with bfloat16 weights: no per-call casts, but LayerNorm and softmax in
    bf16 too (autocast keeps those in fp32)."""
    import copy

    import torch

    return copy.deepcopy(model).to(torch.bfloat16)


def int8_model(model):
    """A copy of the model with dynamically quantised int8 Linear layers (torch)."""
    import copy
    import warnings

    import torch

    with warnings.catch_warnings():  # torch's deprecation notice for quantised tensors
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(copy.deepcopy(model), {torch.nn.Linear}, dtype=torch.qint8)


def onnx_sessions(model, work: Path, threads: int) -> dict[str, Callable[[list[str]], np.ndarray]]:
    """fp32 and int8 ONNX Runtime sessions exported from the packaged model, or {} when
    onnx/onnxruntime are not installed (``optimum`` is not used: it pins transformers < 4.58)."""
    try:
        import onnxruntime as ort
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError:
        return {}
    import torch

    bert = model[0].auto_model.eval()

    class Hidden(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    names = ["input_ids", "attention_mask", "token_type_ids"]
    sample = model.tokenizer(["a short text", "a slightly longer text to export"], padding=True, return_tensors="pt")
    fp32_path, int8_path = work / "minilm.onnx", work / "minilm-int8.onnx"
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Hidden(bert), tuple(sample[n] for n in names), str(fp32_path),
                          input_names=names, output_names=["hidden"], opset_version=17, dynamo=False,
                          dynamic_axes={n: {0: "batch", 1: "seq"} for n in [*names, "hidden"]})
    quantize_dynamic(str(fp32_path), str(int8_path), weight_type=QuantType.QInt8)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    out = {}
    for label, path in (("onnx fp32", fp32_path), ("onnx int8", int8_path)):
        session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        out[label] = _ort_embed(session, model.tokenizer, model.max_seq_length)
    return out


def _ort_embed(session, tokenizer, max_len: int, batch_size: int = 64) -> Callable[[list[str]], np.ndarray]:
    def embed(texts: list[str]) -> np.ndarray:
        order = np.argsort([-len(t) for t in texts], kind="stable")  # length-sorted, as sentence-transformers
        out = np.empty((len(texts), 0), dtype=np.float32)
        rows = []
        for start in range(0, len(texts), batch_size):
            batch = [texts[i] for i in order[start : start + batch_size]]
            enc = tokenizer(batch, padding=True, truncation=True, max_length=max_len, return_tensors="np")
            feeds = {n: enc[n].astype(np.int64) for n in ("input_ids", "attention_mask", "token_type_ids")}
            hidden = session.run(None, feeds)[0]
            mask = enc["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / np.maximum(mask.sum(1), 1e-9)
            rows.append(pooled / np.linalg.norm(pooled, axis=1, keepdims=True))
        out = np.empty((len(texts), rows[0].shape[1]), dtype=np.float32)
        out[order] = np.concatenate(rows)
        return out
    return embed


def candidates(articles: list, records: list[dict], rounds: int, work: Path, onnx: bool) -> dict:
    """Embedding time of each candidate over the same articles, interleaved over ``rounds``;
    the fastest round counts (the one least disturbed by other processes)."""
    import torch

    from embeddings.encoders.sentence import SentenceEncoder, load_model, packaged_model_path

    encoder = SentenceEncoder(backend="torch", batch_size=64)  # torch, batches sorted by tokens
    openvino = SentenceEncoder(backend="openvino")  # what `qabot ingest` uses for large batches
    model = load_model(packaged_model_path(), "cpu")
    count, max_len = encoder.count_tokens, int(model.max_seq_length)
    base_texts = [c for r in records for c in char_split(baseline_text(r))]
    texts = {(ct, ov): our_texts(articles, ct, ov, count, max_len) for ct, ov in
             ((128, 1), (128, 0), (128, "auto"), (256, 1))}
    t128 = texts[(128, 1)]
    cands = [Candidate("baseline fp32 b32 t2 (1000/200 chars)", st_embed(model, 32, False), base_texts, 2),
             Candidate("fp32 b32 t2", st_embed(model, 32, False), t128, 2),
             Candidate("fp32 b32 t1", st_embed(model, 32, False), t128, 1, "fp32 b32 t2")]
    for bs in (32, 64, 128):
        cands.append(Candidate(f"bf16 b{bs} t2", st_embed(model, bs, True), t128, 2, "fp32 b32 t2"))
    cands.append(Candidate("bf16 b64 t1", st_embed(model, 64, True), t128, 1, "fp32 b32 t2"))
    cands.append(Candidate("bf16 weights b64 t2", st_embed(bf16_model(model), 64, False), t128, 2, "fp32 b32 t2"))
    # the rows above sort batches by characters (sentence-transformers); qabot's encoder by tokens
    cands.append(Candidate("bf16 token-sorted b64 t2", encoder.embed, t128, 2, "fp32 b32 t2"))
    cands.append(Candidate("openvino bf16 token-sorted b32 t2", openvino.embed, t128, 2, "fp32 b32 t2"))
    for ct, ov in ((128, "auto"), (128, 0), (256, 1)):
        cands.append(Candidate(f"openvino bf16 b32 t2 chunks {ct}/{ov}", openvino.embed, texts[(ct, ov)], 2))
    notes = []
    try:
        q8 = int8_model(model)
    except Exception as e:  # an API that moved between torch releases: report, don't stop
        notes.append(f"torch int8 not tried: {type(e).__name__}: {e}")
    else:
        cands.append(Candidate("int8 (torch dynamic) b64 t1", st_embed(q8, 64, False), t128, 1, "fp32 b32 t2"))
    if onnx:
        sessions = {}
        try:
            sessions = onnx_sessions(model, work, 1)
        except Exception as e:
            notes.append(f"ONNX Runtime not measured: export failed: {type(e).__name__}: {str(e)[:200]}")
        else:
            if not sessions:
                notes.append("ONNX Runtime not tried: onnx/onnxruntime not installed")
        for label, fn in sessions.items():
            cands.append(Candidate(f"{label} b64 t1", fn, t128, 1, "fp32 b32 t2"))
    for c in cands:  # warm-up: first call pays for kernel selection and page-in
        torch.set_num_threads(c.threads)
        c.embed(c.texts[:16])
    for r in range(rounds):
        for c in cands if r % 2 == 0 else reversed(cands):
            torch.set_num_threads(c.threads)
            t = time.perf_counter()
            vectors = c.embed(c.texts)
            c.times.append(time.perf_counter() - t)
            if c.vectors is None:
                c.vectors = np.asarray(vectors, dtype=np.float32)
    torch.set_num_threads(max(1, os.cpu_count() or 1))
    by_name = {c.name: c for c in cands}
    base = min(cands[0].times)
    rows = []
    for c in cands:
        best = min(c.times)
        row = {"name": c.name, "chunks": len(c.texts), "tokens": int(sum(count(c.texts))),
               "seconds": round(best, 2), "chunks_per_s": round(len(c.texts) / best, 1),
               "articles_per_s": round(len(articles) / best, 2), "speed_vs_baseline": round(base / best, 2)}
        if c.quality_ref:
            ref = by_name[c.quality_ref].vectors
            cos = np.sum(ref * c.vectors, axis=1)
            row["cosine_vs_fp32_mean"] = round(float(cos.mean()), 5)
            row["cosine_vs_fp32_min"] = round(float(cos.min()), 5)
        rows.append(row)
    return {"articles": len(articles), "rounds": rounds, "rows": rows, "notes": notes}
