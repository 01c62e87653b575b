"""Corpus-scale acceptance on the BBC news corpus (read from ../shared, skipped without it).

Slow: two full ingests of 2,225 articles with the real model (a few minutes each on 2 cores).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BBC = REPO.parent / "shared" / "corpora" / "bbc" / "articles.jsonl"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not BBC.exists(), reason="BBC corpus not present in ../shared/corpora"),
]


def qabot(*argv: str, timeout: int = 1800) -> subprocess.CompletedProcess:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "qabot", *argv], capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.fixture(scope="module")
def bbc_index(tmp_path_factory) -> tuple[Path, dict, dict]:
    data = tmp_path_factory.mktemp("bbc")
    first = qabot("--data-dir", str(data), "ingest", str(BBC), "--json")
    assert first.returncode == 0, first.stderr
    second = qabot("--data-dir", str(data), "ingest", str(BBC), "--json")
    assert second.returncode == 0, second.stderr
    return data, json.loads(first.stdout), json.loads(second.stdout)


def test_bbc_ingest_counts_duplicates_and_refreshes_for_free(bbc_index):
    _data, first, second = bbc_index
    assert (first["added"], first["duplicates"], first["failed"]) == (2092, 133, [])
    assert second["chunks_embedded"] == 0
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, 2092)
    print(f"\nfirst ingest {first['seconds']:.1f}s, second {second['seconds']:.1f}s "
          f"({second['seconds'] / first['seconds']:.3f} of the first)")


@pytest.mark.parametrize("questions", ["bbc_questions.jsonl", "bbc_heldout.jsonl"])
def test_bbc_natural_questions(bbc_index, questions):
    """The 89 development questions, and the 60 held-out ones written blind (never tuned on)."""
    data, _first, _second = bbc_index
    result = qabot("--data-dir", str(data), "eval", str(REPO / "benchmarks" / questions), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    print(f"\n{questions}:", summary)
    assert summary["recall@1"] >= 0.93
    assert summary["answer_contains"] >= 0.85


def test_bbc_known_item_headlines(tmp_path):
    result = qabot("--data-dir", str(tmp_path / "ki"), "eval", "--known-item", str(BBC), "--json")
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    print("\nknown-item:", summary)
    assert summary["mrr@10"] >= 0.85
