"""Backends the contract suites run against: one line per backend."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

STORE_BACKENDS = ["local", "postgres"]


@pytest.fixture(params=STORE_BACKENDS)
def store_location(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str | Path]:
    """A factory of fresh, empty archive locations of one backend."""
    if request.param == "postgres":
        return request.getfixturevalue("postgres").new_database
    counter = iter(range(1_000))

    def fresh() -> str | Path:
        return tmp_path / f"index-{next(counter)}"

    return fresh
