"""The narrow interfaces the store is built on."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors; everything else builds on ``embed``."""

    model_id: str

    @property
    def dim(self) -> int: ...

    @property
    def max_tokens(self) -> int: ...

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def embed(self, texts: Sequence[str], *, progress: bool = False) -> np.ndarray: ...
