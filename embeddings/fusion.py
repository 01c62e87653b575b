"""Combining ranked lists: plain arithmetic over (id, score) pairs.

The only place where scores combine: every backend returns raw (id, score) lists and the
application blends them here, so the same archive ranks the same way on any backend.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


def rrf(rankings: Sequence[Sequence[tuple[str, float]]], k: int = 60) -> list[tuple[str, float]]:
    """Reciprocal-rank fusion: robust when scores are on unrelated scales."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, (key, _score) in enumerate(ranking):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank + 1)
    return sorted(fused.items(), key=lambda kv: kv[1], reverse=True)


def normalise(ranking: Sequence[tuple[str, float]]) -> dict[str, float]:
    """Scales scores to [0, 1] by the best one (keyword scores are unbounded)."""
    if not ranking:
        return {}
    top = max(score for _, score in ranking)
    if top <= 0:
        return {key: 0.0 for key, _ in ranking}
    return {key: max(score, 0.0) / top for key, score in ranking}


def blend(
    signals: Sequence[Mapping[K, float]], weights: Sequence[float], keys: Iterable[K] | None = None
) -> dict[K, float]:
    """``sum(weight * signal[key])`` per key (a signal missing a key counts 0), summed in the
    order given. ``keys`` defaults to every key of every signal."""
    if len(signals) != len(weights):
        raise ValueError(f"{len(signals)} signals but {len(weights)} weights")
    if keys is None:
        keys = {key for signal in signals for key in signal}
    fused: dict[K, float] = {}
    for key in keys:
        total = 0.0
        for signal, weight in zip(signals, weights, strict=True):
            total += weight * signal.get(key, 0.0)
        fused[key] = total
    return fused


def weighted(
    dense: Sequence[tuple[str, float]],
    keyword: Sequence[tuple[str, float]],
    alpha: float = 0.5,
) -> list[tuple[str, float]]:
    """alpha * dense cosine + (1 - alpha) * keyword score normalised by the best keyword hit."""
    fused = blend([dict(dense), normalise(keyword)], [alpha, 1 - alpha])
    return sorted(fused.items(), key=lambda kv: kv[1], reverse=True)
