"""Combining ranked lists: plain arithmetic over (id, score) pairs."""

from __future__ import annotations

from collections.abc import Sequence


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


def weighted(
    dense: Sequence[tuple[str, float]],
    keyword: Sequence[tuple[str, float]],
    alpha: float = 0.5,
) -> list[tuple[str, float]]:
    """alpha * dense cosine + (1 - alpha) * keyword score normalised by the best keyword hit."""
    dense_scores = dict(dense)
    keyword_scores = normalise(keyword)
    keys = dense_scores.keys() | keyword_scores.keys()
    fused = {
        key: alpha * dense_scores.get(key, 0.0) + (1 - alpha) * keyword_scores.get(key, 0.0)
        for key in keys
    }
    return sorted(fused.items(), key=lambda kv: kv[1], reverse=True)
